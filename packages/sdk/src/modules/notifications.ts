import type { RealtimePostgresInsertPayload } from '@supabase/supabase-js';
import type { SdkContext } from '../context.ts';
import { afterFilter, decodeCursor, encodeCursor } from '../cursor.ts';
import type { Database } from '../database.ts';
import { parseInput, rows } from '../query-result.ts';
import { joinChannel, type Subscription, subscriptionOf, uniqueSuffix } from '../realtime-channel.ts';
import { PROFILE_COLUMNS } from '../row-access.ts';
import { callback } from '../schemas/fields.ts';
import { listNotificationsInput, markReadInput } from '../schemas/notifications.ts';
import type { Notification, NotificationRow, Page } from '../types.ts';

const NOTIFICATION_SELECT = `id, recipient_id, workspace_id, type, task_id, comment_id, actor_id, details, read_at, created_at, actor:profiles!notifications_actor_id_fkey(${PROFILE_COLUMNS}), task:tasks!notifications_task_fkey(id, project_id, number, title, key)`;
const DEFAULT_PAGE_SIZE = 50;

export type NotificationsApi = ReturnType<typeof createNotificationsApi>;

/**
 * The signed-in user's notifications: assigned to a task, a comment on a task they created or
 * are assigned to, an @mention (`<@user-id>` in a comment). Written by the database.
 */
export function createNotificationsApi(ctx: SdkContext) {
  const { supabase } = ctx;
  return {
    /**
     * Your notifications, newest first, with who caused them and which task; cursor-paginated.
     *
     * @example
     * ```ts
     * const { items } = await gw.notifications.list({ unread_only: true });
     * items.map((n) => `${n.actor?.display_name} ${n.type} ${n.task?.key}`);
     * ```
     */
    async list(options?: {
      unread_only?: boolean;
      limit?: number;
      cursor?: string;
    }): Promise<Page<Notification>> {
      const {
        unread_only,
        limit = DEFAULT_PAGE_SIZE,
        cursor,
      } = parseInput(listNotificationsInput, options) ?? {};
      // RLS already limits rows to the caller's own; the filter keeps the index in play.
      const userId = await ctx.currentUserId();
      let query = supabase.from('notifications').select(NOTIFICATION_SELECT).eq('recipient_id', userId);
      if (unread_only) query = query.is('read_at', null);
      if (cursor) query = query.or(afterFilter('created_at', 'desc', decodeCursor(cursor)));
      const found = await rows(
        query
          .order('created_at', { ascending: false })
          .order('id', { ascending: false })
          .limit(limit + 1),
      );
      const items = found.slice(0, limit);
      const last = items[items.length - 1];
      const nextCursor =
        found.length > limit && last ? encodeCursor({ value: last.created_at, id: last.id }) : null;
      return { items, nextCursor };
    },

    /**
     * How many of your notifications are unread.
     *
     * @example
     * ```ts
     * badge.textContent = String(await gw.notifications.unreadCount());
     * ```
     */
    async unreadCount(): Promise<number> {
      const userId = await ctx.currentUserId();
      const { count, error, status } = await supabase
        .from('notifications')
        .select('id', { count: 'exact', head: true })
        .eq('recipient_id', userId)
        .is('read_at', null);
      if (error) await rows(Promise.resolve({ data: null, error, status }));
      return count ?? 0;
    },

    /**
     * Marks the given notifications read, or all of them without ids. Returns how many changed.
     *
     * @example
     * ```ts
     * await gw.notifications.markRead([notification.id]);
     * await gw.notifications.markRead(); // all
     * ```
     */
    async markRead(ids?: string[]): Promise<number> {
      const list = parseInput(markReadInput, ids);
      return rows(supabase.rpc('mark_notifications_read', list ? { ids: list } : {}));
    },

    /**
     * Calls back with each new notification for you as it is written (Realtime, RLS-checked).
     * Resolves once listening; call `unsubscribe()` to stop.
     *
     * @example
     * ```ts
     * const sub = await gw.notifications.subscribe((n) => toast(`New ${n.type}`));
     * // later
     * await sub.unsubscribe();
     * ```
     */
    async subscribe(onNotification: (notification: NotificationRow) => void): Promise<Subscription> {
      parseInput(callback, onNotification);
      const userId = await ctx.currentUserId();
      const channel = supabase
        .channel(`notifications:${userId}:${uniqueSuffix()}`)
        .on(
          'postgres_changes',
          { event: 'INSERT', schema: 'public', table: 'notifications', filter: `recipient_id=eq.${userId}` },
          (payload: RealtimePostgresInsertPayload<Database['public']['Tables']['notifications']['Row']>) =>
            onNotification(payload.new),
        );
      return subscriptionOf(ctx, await joinChannel(ctx, channel));
    },
  };
}
