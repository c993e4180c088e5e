/** The people in a workspace, their roles, and the ways to bring someone in. */
import type { Member, WorkspaceRole } from '@groundwork/sdk';
import { useCallback, useEffect, useState } from 'react';
import { describeError, type Problem } from '../errors.ts';
import { Alert, Notice } from '../ui.tsx';
import { roleReason, useWorkspace } from '../workspaces/workspace-context.ts';
import { InviteByEmail } from './InviteByEmail.tsx';
import { InviteLinks } from './InviteLinks.tsx';

const ROLES: WorkspaceRole[] = ['viewer', 'member', 'admin', 'owner'];

export function MembersScreen() {
  const { gw, workspace, user, can } = useWorkspace();
  const [members, setMembers] = useState<Member[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const load = useCallback(() => {
    gw.members.list(workspace.id).then(setMembers, (error: unknown) => setProblem(describeError(error)));
  }, [gw, workspace.id]);
  useEffect(load, [load]);
  const canManage = can('members.manage');

  async function changeRole(member: Member, role: WorkspaceRole) {
    setProblem(null);
    try {
      await gw.members.changeRole({ workspace_id: workspace.id, user_id: member.user_id, role });
      load();
    } catch (error) {
      setProblem(describeError(error));
    }
  }
  async function remove(member: Member) {
    setProblem(null);
    try {
      await gw.members.remove({ workspace_id: workspace.id, user_id: member.user_id });
      load();
    } catch (error) {
      setProblem(describeError(error));
    }
  }

  return (
    <section aria-labelledby="members-heading">
      <h1 id="members-heading">Members of {workspace.name}</h1>
      <Alert problem={problem} />
      {members === null ? (
        <p>Loading…</p>
      ) : (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              {canManage ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {members.map((member) => {
              const name = member.profile?.display_name || 'Unnamed';
              return (
                <tr key={member.user_id}>
                  <td>
                    {name}
                    {member.user_id === user.id ? ' (you)' : ''}
                  </td>
                  <td>
                    {canManage && member.role && member.user_id !== user.id ? (
                      <select
                        aria-label={`Role of ${name}`}
                        value={member.role}
                        onChange={(event) => void changeRole(member, event.target.value as WorkspaceRole)}
                      >
                        {ROLES.map((role) => (
                          <option key={role} value={role}>
                            {role}
                          </option>
                        ))}
                      </select>
                    ) : (
                      (member.role ?? 'custom role')
                    )}
                  </td>
                  {canManage ? (
                    <td>
                      {member.user_id === user.id ? null : (
                        <button type="button" className="secondary" onClick={() => void remove(member)}>
                          Remove {name}
                        </button>
                      )}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {can('members.invite') ? (
        <>
          <InviteByEmail />
          <InviteLinks />
        </>
      ) : (
        <Notice>{roleReason(workspace, 'invite people')}</Notice>
      )}
    </section>
  );
}
