import * as z from 'zod/mini';
import { id, somethingToUpdate, workspaceName, workspaceRole, workspaceSlug } from './fields.ts';

export const createWorkspaceInput = z.object({ name: workspaceName, slug: workspaceSlug });
export const updateWorkspaceInput = z
  .object({ name: z.optional(workspaceName), slug: z.optional(workspaceSlug) })
  .check(somethingToUpdate);
/** A workspace is addressed by its id or its slug. */
export const workspaceRef = z.union([id, workspaceSlug], { error: 'must be a workspace id or slug' });

export const setRequireMfaInput = z.object({
  workspace_id: id,
  require_mfa: z.boolean({ error: 'must be true or false' }),
});

export const changeRoleInput = z.object({ workspace_id: id, user_id: id, role: workspaceRole });
/** Any role id: a built-in one or a custom role of the same workspace (checked by the database). */
export const assignRoleInput = z.object({ workspace_id: id, user_id: id, role_id: id });
export const memberRef = z.object({ workspace_id: id, user_id: id });
export const transferOwnershipInput = z.object({ workspace_id: id, new_owner_id: id });
