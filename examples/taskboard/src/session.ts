/** The signed-in person, kept in step with Auth's events (sign-in in another tab, sign-out, refresh). */
import type { GroundworkClient, Session } from '@groundwork/sdk';
import { useEffect, useState } from 'react';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'signed-in'; session: Session };

export function useSession(gw: GroundworkClient): SessionState {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    const apply = (session: Session | null) => {
      if (live) setState(session ? { status: 'signed-in', session } : { status: 'signed-out' });
    };
    // getSession waits for supabase-js to read a magic link's tokens from the URL first.
    gw.auth.getSession().then(apply, () => apply(null));
    const stop = gw.auth.onAuthStateChange((_event, session) => apply(session));
    return () => {
      live = false;
      stop();
    };
  }, [gw]);
  return state;
}
