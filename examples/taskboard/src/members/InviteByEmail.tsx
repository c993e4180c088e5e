/** Invitations by email: sent through the invite-member function, listed until accepted. */
import type { Invitation } from '@groundwork/sdk';
import { useCallback, useEffect, useState } from 'react';
import { describeError, type Problem } from '../errors.ts';
import { Alert, Field, Notice, text, useAction } from '../ui.tsx';
import { useWorkspace } from '../workspaces/workspace-context.ts';

export function InviteByEmail() {
  const { gw, workspace } = useWorkspace();
  const [pending, setPending] = useState<Invitation[]>([]);
  const [sent, setSent] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const load = useCallback(() => {
    gw.invitations
      .listPending(workspace.id)
      .then(setPending, (error: unknown) => setProblem(describeError(error)));
  }, [gw, workspace.id]);
  useEffect(load, [load]);
  const invite = useAction(async (email: string, role: string) => {
    setSent(null);
    await gw.invitations.create({
      workspace_id: workspace.id,
      email,
      role: role as 'viewer' | 'member' | 'admin',
    });
    setSent(email);
    load();
  });
  async function act(action: () => Promise<unknown>) {
    setProblem(null);
    try {
      await action();
      load();
    } catch (error) {
      setProblem(describeError(error));
    }
  }
  return (
    <div className="panel">
      <form
        aria-label="Invite by email"
        onSubmit={(event) => {
          const form = event.currentTarget;
          invite.onSubmit((data) => [text(data, 'email'), text(data, 'role')])(event);
          form.reset();
        }}
      >
        <h2>Invite by email</h2>
        <Field label="Email address" name="email" type="email" required error={invite.fields.email} />
        <div className="field">
          <label htmlFor="invite-role">Role</label>
          <select id="invite-role" name="role" defaultValue="member">
            <option value="viewer">viewer — can look, not change</option>
            <option value="member">member — works on tasks</option>
            <option value="admin">admin — manages the workspace</option>
          </select>
        </div>
        <Alert problem={invite.problem} />
        {sent ? <Notice>Invitation sent to {sent}.</Notice> : null}
        <button type="submit" disabled={invite.busy}>
          Send invitation
        </button>
      </form>
      <Alert problem={problem} />
      {pending.length > 0 ? (
        <ul aria-label="Pending invitations" className="cards">
          {pending.map((invitation) => (
            <li key={invitation.id} className="row spread wrap">
              <span>
                {invitation.email} <span className="muted">as {invitation.role}</span>
              </span>
              <span className="row">
                <button
                  type="button"
                  className="secondary"
                  onClick={() => void act(() => gw.invitations.resend(invitation.id))}
                >
                  Resend
                </button>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => void act(() => gw.invitations.revoke(invitation.id))}
                >
                  Revoke
                </button>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
