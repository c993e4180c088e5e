/** Redeems an emailed invitation or a shared invite link for the signed-in person. */
import type { GroundworkClient } from '@groundwork/sdk';
import { isGroundworkError } from '@groundwork/sdk';
import { useEffect, useState } from 'react';
import { describeError } from '../errors.ts';
import { navigate } from '../router.ts';

export function AcceptInvitation({
  gw,
  token,
  kind,
}: {
  gw: GroundworkClient;
  token: string;
  kind: 'email' | 'link';
}) {
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const redeem = kind === 'email' ? gw.invitations.accept(token) : gw.inviteLinks.join(token);
    redeem.then(
      (workspace) => {
        if (live) navigate(`/w/${workspace.slug}`, { replace: true });
      },
      (error: unknown) => {
        if (!live) return;
        if (isGroundworkError(error) && error.code === 'forbidden') {
          setProblem(
            'This invitation was sent to another email address. Sign in with that address to accept it.',
          );
        } else if (
          isGroundworkError(error) &&
          (error.code === 'not_found' || error.code === 'validation_failed')
        ) {
          setProblem('This invitation has expired, was revoked, or was already used up.');
        } else {
          setProblem(describeError(error).message);
        }
      },
    );
    return () => {
      live = false;
    };
  }, [gw, token, kind]);
  return (
    <main className="centered">
      <h1>Joining the workspace…</h1>
      {problem ? (
        <>
          <p className="alert" role="alert">
            {problem}
          </p>
          <p>
            <a href="/">Go to your workspaces</a> or{' '}
            <button type="button" className="link" onClick={() => void gw.auth.signOut()}>
              sign in as someone else
            </button>
          </p>
        </>
      ) : (
        <p role="status">Accepting your invitation…</p>
      )}
    </main>
  );
}
