import type { SdkContext } from '../context.ts';
import { afterFilter, decodeCursor, encodeCursor } from '../cursor.ts';
import type { TablesInsert } from '../database.gen.ts';
import { oneRow, parseInput, rows } from '../query-result.ts';
import { insertUnder, PROFILE_COLUMNS, requireRow } from '../row-access.ts';
import { id as idSchema } from '../schemas/fields.ts';
import { addCommentInput, editCommentInput, pageInput } from '../schemas/tasks.ts';
import type { Comment, Page, TrashEntry } from '../types.ts';
import { deletePermanently, moveToTrash, restoreFromTrash } from './trash.ts';

const COMMENT_SELECT = `id, workspace_id, task_id, author_id, body, edited_at, created_at, author:profiles!comments_author_id_fkey(${PROFILE_COLUMNS})`;
const DEFAULT_PAGE_SIZE = 50;

export type CommentsApi = ReturnType<typeof createCommentsApi>;

/** The discussion under a task. */
export function createCommentsApi(ctx: SdkContext) {
  const { supabase } = ctx;

  return {
    /**
     * A task's comments, oldest first, with their authors' profiles; cursor-paginated.
     *
     * @example
     * ```ts
     * const { items, nextCursor } = await gw.comments.list(taskId, { limit: 20 });
     * ```
     */
    async list(taskId: string, options?: { limit?: number; cursor?: string }): Promise<Page<Comment>> {
      const task_id = parseInput(idSchema, taskId);
      const { limit = DEFAULT_PAGE_SIZE, cursor } = parseInput(pageInput, options) ?? {};
      let query = supabase.from('comments').select(COMMENT_SELECT).eq('task_id', task_id);
      if (cursor) query = query.or(afterFilter('created_at', 'asc', decodeCursor(cursor)));
      const found = await rows(
        query
          .order('created_at')
          .order('id')
          .limit(limit + 1),
      );
      const items = found.slice(0, limit);
      const last = items[items.length - 1];
      const nextCursor =
        found.length > limit && last ? encodeCursor({ value: last.created_at, id: last.id }) : null;
      return { items, nextCursor };
    },

    /**
     * Adds a comment as the signed-in user (members).
     *
     * @example
     * ```ts
     * await gw.comments.add({ task_id: taskId, body: 'Fixed in #123' });
     * ```
     */
    async add(input: { task_id: string; body: string }): Promise<Comment> {
      const values = parseInput(addCommentInput, input);
      // The database fills in workspace_id from the task and author_id from the caller.
      const task = { table: 'tasks', match: { id: values.task_id }, what: 'task' };
      const created = await insertUnder(ctx, task, () =>
        oneRow(
          supabase
            .from('comments')
            .insert(values as TablesInsert<'comments'>)
            .select(COMMENT_SELECT)
            .single(),
          'Comment',
        ),
      );
      return created;
    },

    /**
     * Edits your own comment; `edited_at` is set by the database.
     *
     * @example
     * ```ts
     * await gw.comments.edit(commentId, 'Fixed in #124');
     * ```
     */
    async edit(commentId: string, body: string): Promise<Comment> {
      const id = parseInput(idSchema, commentId);
      const text = parseInput(editCommentInput, body);
      const updated = await rows(
        supabase.from('comments').update({ body: text }).eq('id', id).select(COMMENT_SELECT).maybeSingle(),
      );
      return requireRow(ctx, updated, 'comments', { id }, 'comment');
    },

    /**
     * Moves your own comment, or anyone's with `comments.delete` (admins), to the trash:
     * restorable for 30 days with {@link restore}. Answers the trash entry.
     *
     * @example
     * ```ts
     * await gw.comments.delete(commentId);
     * ```
     */
    delete(commentId: string): Promise<TrashEntry> {
      return moveToTrash(ctx, 'comment', commentId);
    },

    /**
     * Brings a comment back from the trash (its author, or `comments.delete`). A comment whose
     * task is in the trash throws `conflict` with reason `task_in_trash`.
     *
     * @example
     * ```ts
     * const comment = await gw.comments.restore(commentId);
     * ```
     */
    async restore(commentId: string): Promise<Comment> {
      await restoreFromTrash(ctx, 'comment', commentId);
      const id = parseInput(idSchema, commentId);
      return oneRow(supabase.from('comments').select(COMMENT_SELECT).eq('id', id).maybeSingle(), 'Comment');
    },

    /**
     * Deletes a comment for good, in the trash or not (`trash.purge`; admins).
     *
     * @example
     * ```ts
     * await gw.comments.deletePermanently(commentId);
     * ```
     */
    deletePermanently(commentId: string): Promise<void> {
      return deletePermanently(ctx, 'comment', commentId);
    },
  };
}
