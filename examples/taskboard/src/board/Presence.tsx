/** Who else has this board open right now, over the project's private Realtime channel. */
import type { PresentMember } from '@groundwork/sdk';
import { useEffect, useState } from 'react';
import { useWorkspace } from '../workspaces/workspace-context.ts';

export function Presence({ projectId }: { projectId: string }) {
  const { gw, user } = useWorkspace();
  const [here, setHere] = useState<PresentMember[]>([]);
  useEffect(() => {
    let cancelled = false;
    let leave: (() => Promise<void>) | undefined;
    const name = (user.user_metadata?.display_name as string | undefined) || user.email || 'someone';
    // Each join has its own leave (the SDK counts joins of one board), so React's development
    // mount-unmount-mount leaving the first join keeps the second on the board.
    gw.presence.joinProject(projectId, { name }).then(
      (board) => {
        leave = () => board.leave();
        if (cancelled) {
          void board.leave();
          return;
        }
        setHere(board.members());
        board.onChange(setHere);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
      void leave?.();
    };
  }, [gw, projectId, user]);
  return (
    <div className="presence" aria-live="polite">
      <span className="muted">Here now:</span>{' '}
      <ul aria-label="Here now" className="inline">
        {here.map((member) => (
          <li key={member.user_id} className="avatar" title={String(member.state.name ?? '')}>
            {member.user_id === user.id ? 'You' : String(member.state.name ?? 'someone')}
          </li>
        ))}
      </ul>
    </div>
  );
}
