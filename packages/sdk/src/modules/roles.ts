import * as z from 'zod/mini';
import type { SdkContext } from '../context.ts';
import { oneRow, parseInput, rows } from '../query-result.ts';
import { insertUnder, requireRow } from '../row-access.ts';
import { id as idSchema, trimmedText } from '../schemas/fields.ts';
import type { Role } from '../types.ts';

const permissionList = z.array(z.string());
const rolePatch = z.strictObject({
  name: z.optional(trimmedText(1, 60)),
  description: z.optional(z.string()),
  permissions: z.optional(permissionList),
});
const newRole = z.strictObject({
  workspace_id: idSchema,
  name: trimmedText(1, 60),
  description: z.optional(z.string()),
  permissions: z.optional(permissionList),
});

export type RolesApi = ReturnType<typeof createRolesApi>;

/** Built-in and custom roles (named permission sets), and your own permissions. */
export function createRolesApi(ctx: SdkContext) {
  const { supabase } = ctx;
  return {
    /**
     * The built-in roles and the workspace's custom roles (members).
     *
     * @example
     * ```ts
     * const roles = await gw.roles.list(workspaceId);
     * ```
     */
    async list(workspaceId: string): Promise<Role[]> {
      const id = parseInput(idSchema, workspaceId);
      return rows(
        supabase.from('roles').select('*').or(`workspace_id.is.null,workspace_id.eq.${id}`).order('name'),
      );
    },

    /**
     * Creates a custom role (`roles.manage`, only with permissions you hold).
     *
     * @example
     * ```ts
     * const triager = await gw.roles.create({ workspace_id, name: 'Triager', permissions: ['tasks.update'] });
     * ```
     */
    async create(input: {
      workspace_id: string;
      name: string;
      description?: string;
      permissions?: string[];
    }): Promise<Role> {
      const values = parseInput(newRole, input);
      const workspace = { table: 'workspaces', match: { id: values.workspace_id }, what: 'workspace' };
      return insertUnder(ctx, workspace, () =>
        oneRow(supabase.from('roles').insert(values).select('*').single(), 'Role'),
      );
    },

    /**
     * Edits a custom role (`roles.manage`); built-in roles are `conflict`.
     *
     * @example
     * ```ts
     * await gw.roles.update(roleId, { permissions: ['tasks.update', 'comments.delete'] });
     * ```
     */
    async update(
      roleId: string,
      patch: { name?: string; description?: string; permissions?: string[] },
    ): Promise<Role> {
      const id = parseInput(idSchema, roleId);
      const values = parseInput(rolePatch, patch);
      const updated = await rows(
        supabase.from('roles').update(values).eq('id', id).select('*').maybeSingle(),
      );
      return requireRow(ctx, updated, 'roles', { id }, 'role');
    },

    /**
     * Deletes a custom role nobody holds (`role_in_use` is a `conflict`).
     *
     * @example
     * ```ts
     * await gw.roles.remove(roleId);
     * ```
     */
    async remove(roleId: string): Promise<void> {
      const id = parseInput(idSchema, roleId);
      const deleted = await rows(supabase.from('roles').delete().eq('id', id).select('id').maybeSingle());
      await requireRow(ctx, deleted, 'roles', { id }, 'role');
    },

    /**
     * Your permissions in a workspace, sorted.
     *
     * @example
     * ```ts
     * if ((await gw.roles.myPermissions(workspaceId)).includes('tasks.delete')) showDelete();
     * ```
     */
    async myPermissions(workspaceId: string): Promise<string[]> {
      const id = parseInput(idSchema, workspaceId);
      return rows(supabase.rpc('my_permissions', { workspace_id: id }));
    },
  };
}
