import type { SdkContext } from '../context.ts';
import { GroundworkError } from '../errors.ts';
import { parseInput, rows } from '../query-result.ts';
import { PROFILE_COLUMNS, requireRow } from '../row-access.ts';
import { id as idSchema } from '../schemas/fields.ts';
import {
  assignRoleInput,
  changeRoleInput,
  memberRef,
  transferOwnershipInput,
} from '../schemas/workspaces.ts';
import type { Member, WorkspaceRole } from '../types.ts';

const MEMBER_SELECT = `workspace_id, user_id, role, role_id, created_at, profile:profiles(${PROFILE_COLUMNS})`;

export type MembersApi = ReturnType<typeof createMembersApi>;

/** The people in a workspace and their roles (viewer < member < admin < owner). */
export function createMembersApi(ctx: SdkContext) {
  const { supabase } = ctx;
  return {
    /**
     * Members of a workspace with their profiles (one request), longest-standing first.
     * A workspace you are not in is `not_found`.
     *
     * @example
     * ```ts
     * const members = await gw.members.list(workspaceId);
     * members.map((m) => `${m.profile?.display_name} (${m.role})`);
     * ```
     */
    async list(workspaceId: string): Promise<Member[]> {
      const id = parseInput(idSchema, workspaceId);
      const members = await rows(
        supabase
          .from('workspace_members')
          .select(MEMBER_SELECT)
          .eq('workspace_id', id)
          .order('created_at')
          .order('user_id'),
      );
      // A workspace always keeps an owner, so no rows means the caller cannot see it.
      if (members.length === 0) {
        throw new GroundworkError('not_found', 'Workspace not found.', { reason: 'workspace_not_found' });
      }
      return members;
    },

    /**
     * Changes a member's role. Admins manage non-owners; only owners grant or change the owner role.
     * Demoting the last owner throws `conflict` (reason `last_owner`).
     *
     * @example
     * ```ts
     * await gw.members.changeRole({ workspace_id, user_id: carolId, role: 'admin' });
     * ```
     */
    async changeRole(input: { workspace_id: string; user_id: string; role: WorkspaceRole }): Promise<Member> {
      const { workspace_id, user_id, role } = parseInput(changeRoleInput, input);
      const updated = await rows(
        supabase
          .from('workspace_members')
          .update({ role })
          .match({ workspace_id, user_id })
          .select(MEMBER_SELECT)
          .maybeSingle(),
      );
      return requireRow(ctx, updated, 'workspace_members', { workspace_id, user_id }, 'member');
    },

    /**
     * Gives a member a role by its id: one of the workspace's custom roles (from
     * `gw.roles.list`) or a built-in one. Needs `members.manage`, and you can only give — and take
     * away — a role whose permissions you hold yourself (the owner role: owners only). The change
     * is in the audit log and the activity feed. A role that is not this workspace's (another
     * workspace's, or no role at all) is `not_found` (`role_not_found`) either way; a member you
     * may see but not change is `forbidden`.
     *
     * @example
     * ```ts
     * const triager = await gw.roles.create({ workspace_id, name: 'Triager', permissions: ['tasks.update'] });
     * await gw.members.assignRole({ workspace_id, user_id: carolId, role_id: triager.id });
     * ```
     */
    async assignRole(input: { workspace_id: string; user_id: string; role_id: string }): Promise<Member> {
      const { workspace_id, user_id, role_id } = parseInput(assignRoleInput, input);
      const updated = await rows(
        supabase
          .from('workspace_members')
          .update({ role_id })
          .match({ workspace_id, user_id })
          .select(MEMBER_SELECT)
          .maybeSingle(),
      );
      return requireRow(ctx, updated, 'workspace_members', { workspace_id, user_id }, 'member');
    },

    /**
     * Removes someone from a workspace (admins remove non-owners, owners anyone but the last owner).
     *
     * @example
     * ```ts
     * await gw.members.remove({ workspace_id, user_id: daveId });
     * ```
     */
    async remove(input: { workspace_id: string; user_id: string }): Promise<void> {
      const { workspace_id, user_id } = parseInput(memberRef, input);
      const deleted = await rows(
        supabase
          .from('workspace_members')
          .delete()
          .match({ workspace_id, user_id })
          .select('user_id')
          .maybeSingle(),
      );
      await requireRow(ctx, deleted, 'workspace_members', { workspace_id, user_id }, 'member');
    },

    /**
     * The signed-in user leaves a workspace. The last owner cannot leave (`conflict`, `last_owner`).
     *
     * @example
     * ```ts
     * await gw.members.leave(workspaceId);
     * ```
     */
    async leave(workspaceId: string): Promise<void> {
      const id = parseInput(idSchema, workspaceId);
      await rows(supabase.rpc('leave_workspace', { workspace_id: id }));
    },

    /**
     * Makes another member the owner; the calling owner stays on as an admin.
     *
     * @example
     * ```ts
     * await gw.members.transferOwnership({ workspace_id, new_owner_id: bobId });
     * ```
     */
    async transferOwnership(input: { workspace_id: string; new_owner_id: string }): Promise<void> {
      const args = parseInput(transferOwnershipInput, input);
      await rows(supabase.rpc('transfer_ownership', args));
    },
  };
}
