/** Ticks for permissions: only those you hold, since nobody can grant beyond their own. */
import { useWorkspace } from '../workspaces/workspace-context.ts';

// Owner-only permissions can go into no custom role or key.
const OWNER_ONLY = new Set(['workspace.delete', 'owners.manage']);

export function PermissionPicker({ name, legend }: { name: string; legend: string }) {
  const { permissions } = useWorkspace();
  const grantable = [...permissions].filter((permission) => !OWNER_ONLY.has(permission)).sort();
  return (
    <fieldset className="permissions">
      <legend>{legend}</legend>
      {grantable.map((permission) => (
        <label key={permission} className="chip">
          <input type="checkbox" name={name} value={permission} /> {permission}
        </label>
      ))}
    </fieldset>
  );
}

export function pickedPermissions(form: FormData, name: string): string[] {
  return form.getAll(name).filter((value): value is string => typeof value === 'string');
}
