import type { SdkContext } from '../context.ts';
import { parseInput, rows } from '../query-result.ts';
import { id as idSchema } from '../schemas/fields.ts';
import type { TrashEntry, TrashKind } from '../types.ts';

export type TrashApi = ReturnType<typeof createTrashApi>;

/**
 * The calls behind `delete`, `restore` and `deletePermanently` of projects, tasks and comments.
 * Each is an RPC that answers the entry or a stable error (`not_found` for what you cannot see,
 * `forbidden` for what you may not change), never an empty success: a plain REST DELETE that
 * went to the trash answers no rows, which cannot tell success from refusal.
 */
export async function moveToTrash(ctx: SdkContext, kind: TrashKind, rowId: string): Promise<TrashEntry> {
  const id = parseInput(idSchema, rowId);
  return (await rows(ctx.supabase.rpc('move_to_trash', { kind, id }))) as TrashEntry;
}

export async function restoreFromTrash(ctx: SdkContext, kind: TrashKind, rowId: string): Promise<void> {
  const id = parseInput(idSchema, rowId);
  await rows(ctx.supabase.rpc('restore_from_trash', { kind, id }));
}

export async function deletePermanently(ctx: SdkContext, kind: TrashKind, rowId: string): Promise<void> {
  const id = parseInput(idSchema, rowId);
  await rows(ctx.supabase.rpc('delete_permanently', { kind, id }));
}

/** A workspace's trash: deleted projects, tasks and comments, kept for 30 days. */
export function createTrashApi(ctx: SdkContext) {
  const { supabase } = ctx;

  return {
    /**
     * What is in a workspace's trash that you may restore (or, with `trash.purge`, delete for
     * good), most recently deleted first. Tasks that went with their project, and comments that
     * went with their task, come back with it and are not listed on their own.
     *
     * @example
     * ```ts
     * const entries = await gw.trash.list(workspaceId);
     * for (const entry of entries) console.log(entry.kind, entry.title, 'purged after', entry.purge_after);
     * ```
     */
    async list(workspaceId: string): Promise<TrashEntry[]> {
      const workspace_id = parseInput(idSchema, workspaceId);
      return (await rows(supabase.rpc('list_trash', { workspace_id }))) as TrashEntry[];
    },

    /**
     * Deletes everything in a workspace's trash for good (`trash.purge`); answers how many rows went.
     *
     * @example
     * ```ts
     * const purged = await gw.trash.empty(workspaceId);
     * ```
     */
    async empty(workspaceId: string): Promise<number> {
      const workspace_id = parseInput(idSchema, workspaceId);
      return rows(supabase.rpc('empty_trash', { workspace_id }));
    },
  };
}
