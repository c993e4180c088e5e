/** The people in a workspace, their roles (built-in or the workspace's own), and the ways to bring someone in. */
import type { Member, Role } from '@groundwork/sdk';
import { useCallback, useEffect, useState } from 'react';
import { describeError, type Problem } from '../errors.ts';
import { Alert, Notice } from '../ui.tsx';
import { useWorkspace } from '../workspaces/workspace-context.ts';
import { InviteByEmail } from './InviteByEmail.tsx';
import { InviteLinks } from './InviteLinks.tsx';

const BUILTIN_ORDER = ['viewer', 'member', 'admin', 'owner'];

/** Built-in roles least to most, then the workspace's custom roles by name. */
function sortRoles(roles: Role[]): { builtin: Role[]; custom: Role[] } {
  const builtin = roles
    .filter((role) => role.builtin !== null)
    .sort((a, b) => BUILTIN_ORDER.indexOf(a.builtin ?? '') - BUILTIN_ORDER.indexOf(b.builtin ?? ''));
  const custom = roles.filter((role) => role.builtin === null).sort((a, b) => a.name.localeCompare(b.name));
  return { builtin, custom };
}

export function MembersScreen() {
  const { gw, workspace, user, can, roleReason } = useWorkspace();
  const [members, setMembers] = useState<Member[] | null>(null);
  const [roles, setRoles] = useState<{ builtin: Role[]; custom: Role[] }>({ builtin: [], custom: [] });
  const [problem, setProblem] = useState<Problem | null>(null);
  const load = useCallback(() => {
    gw.members.list(workspace.id).then(setMembers, (error: unknown) => setProblem(describeError(error)));
  }, [gw, workspace.id]);
  useEffect(load, [load]);
  useEffect(() => {
    gw.roles.list(workspace.id).then(
      (all) => setRoles(sortRoles(all)),
      (error: unknown) => setProblem(describeError(error)),
    );
  }, [gw, workspace.id]);
  const canManage = can('members.manage');
  const roleName = (member: Member) => {
    const custom = roles.custom.find((role) => role.id === member.role_id);
    if (custom) return `${custom.name} (custom role)`;
    return roles.builtin.find((role) => role.id === member.role_id)?.name ?? member.role ?? 'custom role';
  };

  // By role id, so a custom role is given the same way as a built-in one; the database refuses
  // a role beyond your own permissions, and the refusal is shown above the table.
  async function assignRole(member: Member, roleId: string) {
    setProblem(null);
    try {
      await gw.members.assignRole({ workspace_id: workspace.id, user_id: member.user_id, role_id: roleId });
      load();
    } catch (error) {
      setProblem(describeError(error));
      load();
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
                    {canManage && member.user_id !== user.id && roles.builtin.length > 0 ? (
                      <select
                        aria-label={`Role of ${name}`}
                        value={member.role_id}
                        onChange={(event) => void assignRole(member, event.target.value)}
                      >
                        {roles.builtin.map((role) => (
                          <option key={role.id} value={role.id}>
                            {role.name}
                          </option>
                        ))}
                        {roles.custom.length > 0 ? (
                          <optgroup label="Custom roles">
                            {roles.custom.map((role) => (
                              <option key={role.id} value={role.id}>
                                {role.name}
                              </option>
                            ))}
                          </optgroup>
                        ) : null}
                      </select>
                    ) : (
                      roleName(member)
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
        <Notice>{roleReason('invite people')}</Notice>
      )}
    </section>
  );
}
