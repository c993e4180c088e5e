/**
 * The workspace setting "members must use two-factor authentication" (`require_mfa`). Changing it
 * needs a session at aal2, so whoever turns it on has a second factor already and can't lock
 * themselves out; below aal2 the page says so instead of offering a switch that would fail.
 */
import type { WorkspaceMfaStatus } from '@groundwork/sdk';
import { useCallback } from 'react';
import { Alert, Notice, useAction, useLoaded } from '../ui.tsx';
import { follow } from '../workspaces/Home.tsx';
import { useWorkspace } from '../workspaces/workspace-context.ts';

export function SecuritySettings() {
  const { gw, workspace } = useWorkspace();
  const {
    value: status,
    setValue: setStatus,
    problem,
  } = useLoaded<WorkspaceMfaStatus>(
    useCallback(() => gw.workspaceMfa.status(workspace.id), [gw, workspace.id]),
  );
  const change = useAction(async (required: boolean) => {
    setStatus(await gw.workspaceMfa.setRequired(workspace.id, required));
  });
  if (!status) return <Alert problem={problem} />;
  return (
    <div className="panel">
      <h2>Two-factor authentication for members</h2>
      <p>
        {status.require_mfa
          ? `On: everyone in ${workspace.name} must sign in with an authenticator app or a security key. Until they do, they see nothing of it.`
          : `Off: members of ${workspace.name} may sign in with a password alone.`}
      </p>
      {status.session_aal === 'aal2' ? (
        <button
          type="button"
          className={status.require_mfa ? 'secondary' : undefined}
          disabled={change.busy}
          onClick={() => void change.run(!status.require_mfa)}
        >
          {status.require_mfa
            ? 'Stop requiring two-factor authentication'
            : 'Require two-factor authentication'}
        </button>
      ) : (
        <Notice>
          To change this, sign in with two-factor authentication yourself first —{' '}
          <a href="/account" onClick={follow}>
            set it up on your account
          </a>
          .
        </Notice>
      )}
      <Alert problem={change.problem} />
    </div>
  );
}
