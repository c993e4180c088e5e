/** Built-in and custom roles: what each may do; custom ones made and removed here. */
import type { Role } from '@groundwork/sdk';
import { useCallback, useEffect, useState } from 'react';
import { describeError, type Problem } from '../errors.ts';
import { Alert, Field, FormEnd, text, useAction } from '../ui.tsx';
import { useWorkspace } from '../workspaces/workspace-context.ts';
import { PermissionPicker, pickedPermissions } from './permission-picker.tsx';

export function RolesSettings() {
  const { gw, workspace } = useWorkspace();
  const [roles, setRoles] = useState<Role[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const load = useCallback(() => {
    gw.roles.list(workspace.id).then(setRoles, (error: unknown) => setProblem(describeError(error)));
  }, [gw, workspace.id]);
  useEffect(load, [load]);
  const create = useAction(async (name: string, description: string, permissions: string[]) => {
    await gw.roles.create({ workspace_id: workspace.id, name, description, permissions });
    load();
  });
  async function remove(role: Role) {
    setProblem(null);
    try {
      await gw.roles.remove(role.id);
      load();
    } catch (error) {
      setProblem(describeError(error));
    }
  }
  return (
    <>
      <Alert problem={problem} />
      <table className="list">
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col">Permissions</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {roles.map((role) => (
            <tr key={role.id}>
              <td>
                {role.name} <span className="muted">{role.builtin ? 'built-in' : 'custom'}</span>
              </td>
              <td className="muted">{role.permissions.join(', ')}</td>
              <td>
                {role.builtin ? null : (
                  <button type="button" className="secondary" onClick={() => void remove(role)}>
                    Delete {role.name}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        aria-label="Create a custom role"
        className="panel"
        noValidate
        onSubmit={create.onSubmit((form) => [
          text(form, 'name'),
          text(form, 'description'),
          pickedPermissions(form, 'permissions'),
        ])}
      >
        <h2>New custom role</h2>
        <Field label="Role name" name="name" error={create.fields.name} />
        <Field label="Description" name="description" error={create.fields.description} />
        <PermissionPicker name="permissions" legend="It may" />
        <FormEnd action={create}>Create role</FormEnd>
      </form>
    </>
  );
}
