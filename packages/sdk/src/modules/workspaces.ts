import type { SdkContext } from '../context.ts';
import { GroundworkError } from '../errors.ts';
import { oneRow, parseInput, rows } from '../query-result.ts';
import { requireRow } from '../row-access.ts';
import { id as idSchema } from '../schemas/fields.ts';
import { createWorkspaceInput, updateWorkspaceInput, workspaceRef } from '../schemas/workspaces.ts';
import type { Workspace, WorkspaceUsage, WorkspaceWithRole } from '../types.ts';

const WORKSPACE_COLUMNS = 'id, name, slug, plan, require_mfa, created_at, updated_at';
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type WorkspacesApi = ReturnType<typeof createWorkspacesApi>;

/** Workspaces (tenants): everything else in Groundwork lives in one. */
export function createWorkspacesApi(ctx: SdkContext) {
  const { supabase } = ctx;
  return {
    /**
     * Creates a workspace on the free plan with the signed-in user as its owner.
     * Throws `conflict` (reason `slug_taken`) when the slug is in use.
     *
     * @example
     * ```ts
     * const acme = await gw.workspaces.create({ name: 'Acme', slug: 'acme' });
     * ```
     */
    async create(input: { name: string; slug: string }): Promise<Workspace> {
      const args = parseInput(createWorkspaceInput, input);
      return oneRow(supabase.rpc('create_workspace', args).select(WORKSPACE_COLUMNS).single(), 'Workspace');
    },

    /**
     * The signed-in user's workspaces with their role in each, by name.
     *
     * @example
     * ```ts
     * for (const ws of await gw.workspaces.list()) console.log(ws.name, ws.role);
     * ```
     */
    async list(): Promise<WorkspaceWithRole[]> {
      const userId = await ctx.currentUserId();
      const memberships = await rows(
        supabase
          .from('workspace_members')
          .select(`role, role_id, workspace:workspaces!inner(${WORKSPACE_COLUMNS})`)
          .eq('user_id', userId),
      );
      return memberships
        .map(({ role, role_id, workspace }) => ({ ...workspace, role, role_id }))
        .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    },

    /**
     * One workspace by id or slug. Throws `not_found` for workspaces you are not a member of.
     *
     * @example
     * ```ts
     * const acme = await gw.workspaces.get('acme');
     * ```
     */
    async get(idOrSlug: string): Promise<Workspace> {
      const ref = parseInput(workspaceRef, idOrSlug);
      const column = UUID_PATTERN.test(ref) ? 'id' : 'slug';
      return oneRow(
        supabase.from('workspaces').select(WORKSPACE_COLUMNS).eq(column, ref).maybeSingle(),
        'Workspace',
      );
    },

    /**
     * Renames a workspace or changes its slug (admins and owners).
     *
     * @example
     * ```ts
     * await gw.workspaces.update(acme.id, { name: 'Acme Inc.' });
     * ```
     */
    async update(workspaceId: string, patch: { name?: string; slug?: string }): Promise<Workspace> {
      const id = parseInput(idSchema, workspaceId);
      const values = parseInput(updateWorkspaceInput, patch);
      const updated = await rows(
        supabase.from('workspaces').update(values).eq('id', id).select(WORKSPACE_COLUMNS).maybeSingle(),
      );
      return requireRow(ctx, updated, 'workspaces', { id }, 'workspace');
    },

    /**
     * Deletes a workspace and everything in it (owners only).
     *
     * @example
     * ```ts
     * await gw.workspaces.delete(acme.id);
     * ```
     */
    async delete(workspaceId: string): Promise<void> {
      const id = parseInput(idSchema, workspaceId);
      const deleted = await rows(
        supabase.from('workspaces').delete().eq('id', id).select('id').maybeSingle(),
      );
      await requireRow(ctx, deleted, 'workspaces', { id }, 'workspace');
    },

    /**
     * Members, open invitations and active projects against the plan's limits (`null` = unlimited).
     *
     * @example
     * ```ts
     * const usage = await gw.workspaces.usage(acme.id);
     * if (usage.max_members !== null && usage.members + usage.pending_invitations >= usage.max_members) upsell();
     * ```
     */
    async usage(workspaceId: string): Promise<WorkspaceUsage> {
      const id = parseInput(idSchema, workspaceId);
      const [usage] = await rows(supabase.rpc('workspace_usage', { workspace_id: id }));
      if (!usage)
        throw new GroundworkError('not_found', 'Workspace not found.', { reason: 'workspace_not_found' });
      return usage as WorkspaceUsage;
    },
  };
}
