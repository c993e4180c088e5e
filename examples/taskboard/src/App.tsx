/** The app's frame: configuration, session, and which screen the address asks for. */
import type { GroundworkClient, Session } from '@groundwork/sdk';
import { useEffect, useState } from 'react';
import { AccountScreen } from './account/AccountScreen.tsx';
import { MfaChallenge } from './account/MfaChallenge.tsx';
import { AcceptInvitation } from './auth/AcceptInvitation.tsx';
import { AuthScreen } from './auth/AuthScreen.tsx';
import { connection } from './gw.ts';
import { matchPath, useLocation } from './router.ts';
import { useSession } from './session.ts';
import { Home } from './workspaces/Home.tsx';
import { WorkspaceScreen } from './workspaces/WorkspaceScreen.tsx';

export function App() {
  if (!connection.gw) {
    return (
      <main className="centered">
        <h1>Taskboard</h1>
        <p className="alert" role="alert">
          {connection.problem}
        </p>
      </main>
    );
  }
  return <Signed gw={connection.gw} />;
}

function Signed({ gw }: { gw: GroundworkClient }) {
  const session = useSession(gw);
  const { path, query } = useLocation();
  if (session.status === 'loading') return <p className="centered">Loading…</p>;

  const invitation = path === '/accept-invitation' ? query.get('token') : null;
  const link = path === '/join' ? query.get('token') : null;
  if (session.status === 'signed-out') {
    const intro =
      invitation || link
        ? 'You have been invited to a workspace. Sign in or create an account to join it' +
          (invitation ? ' — with the email address the invitation was sent to.' : '.')
        : undefined;
    return <AuthScreen gw={gw} intro={intro} />;
  }
  return (
    <SignedIn
      gw={gw}
      session={session.session}
      path={path}
      query={query}
      invitation={invitation}
      link={link}
    />
  );
}

/**
 * Signed in — but someone with two-factor authentication on must give a code first (their
 * session is aal1 until then, and the database may require aal2).
 */
function SignedIn({
  gw,
  session,
  path,
  query,
  invitation,
  link,
}: {
  gw: GroundworkClient;
  session: Session;
  path: string;
  query: URLSearchParams;
  invitation: string | null;
  link: string | null;
}) {
  const [level, setLevel] = useState<'checking' | 'ok' | 'needs-code'>('checking');
  // biome-ignore lint/correctness/useExhaustiveDependencies: asked again whenever the session changes (sign-in, refresh, a verified code)
  useEffect(() => {
    let live = true;
    gw.supabase.auth.mfa.getAuthenticatorAssuranceLevel().then(
      ({ data }) => {
        if (!live) return;
        setLevel(data?.nextLevel === 'aal2' && data.currentLevel !== 'aal2' ? 'needs-code' : 'ok');
      },
      () => live && setLevel('ok'),
    );
    return () => {
      live = false;
    };
  }, [gw, session]);
  if (level === 'checking') return <p className="centered">Loading…</p>;
  if (level === 'needs-code') return <MfaChallenge gw={gw} onVerified={() => setLevel('ok')} />;

  const user = session.user;
  if (path === '/account') return <AccountScreen gw={gw} user={user} />;
  if (invitation !== null || link !== null) {
    return (
      <AcceptInvitation
        gw={gw}
        token={invitation ?? link ?? ''}
        kind={invitation !== null ? 'email' : 'link'}
      />
    );
  }
  const inWorkspace = matchPath('/w/:slug', path.split('/').slice(0, 3).join('/'));
  if (inWorkspace) {
    return <WorkspaceScreen gw={gw} user={user} slug={inWorkspace.slug ?? ''} path={path} query={query} />;
  }
  return <Home gw={gw} user={user} />;
}
