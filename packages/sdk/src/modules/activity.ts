import type { SdkContext } from '../context.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { parseInput, rows } from '../query-result.ts';
import { listActivityInput } from '../schemas/tasks.ts';
import type { Activity, Page } from '../types.ts';

const ACTIVITY_COLUMNS = 'id, workspace_id, actor_id, entity_type, entity_id, action, payload, created_at';
const DEFAULT_PAGE_SIZE = 50;

export type ActivityApi = ReturnType<typeof createActivityApi>;

/** The append-only log of who did what, written by the database itself. */
export function createActivityApi(ctx: SdkContext) {
  const { supabase } = ctx;
  return {
    /**
     * Activity of a workspace or of one task (the task's own entries and its comments'), newest
     * first, cursor-paginated.
     *
     * @example
     * ```ts
     * const feed = await gw.activity.list({ workspace_id, limit: 20 });
     * const history = await gw.activity.list({ task_id });
     * const older = await gw.activity.list({ workspace_id, cursor: feed.nextCursor ?? undefined });
     * ```
     */
    async list(
      scope: ({ workspace_id: string; task_id?: never } | { task_id: string; workspace_id?: never }) & {
        limit?: number;
        cursor?: string;
      },
    ): Promise<Page<Activity>> {
      const {
        workspace_id,
        task_id,
        limit = DEFAULT_PAGE_SIZE,
        cursor,
      } = parseInput(listActivityInput, scope);
      let query = supabase.from('activity').select(ACTIVITY_COLUMNS);
      if (workspace_id) query = query.eq('workspace_id', workspace_id);
      // Comment entries point at the comment; their payload names the task.
      if (task_id) query = query.or(`entity_id.eq.${task_id},payload->>task_id.eq.${task_id}`);
      // Ids are an identity sequence, so they order entries exactly as written.
      if (cursor) query = query.lt('id', Number(decodeCursor(cursor).id));
      const found = await rows(query.order('id', { ascending: false }).limit(limit + 1));
      const items = found.slice(0, limit);
      const last = items[items.length - 1];
      const nextCursor = found.length > limit && last ? encodeCursor({ value: last.id, id: last.id }) : null;
      return { items, nextCursor };
    },
  };
}
