/** The bell: your unread count, live as notifications arrive, and the list behind it. */
import type { Notification, WorkspaceWithRole } from '@groundwork/sdk';
import { useCallback, useEffect, useState } from 'react';
import { navigate } from '../router.ts';
import { useWorkspace } from './workspace-context.ts';

function sentence(notification: Notification): string {
  const who = notification.actor?.display_name || 'Someone';
  const task = notification.task ? `${notification.task.key} ${notification.task.title}` : 'a task';
  switch (notification.type) {
    case 'task_assigned':
      return `${who} assigned you ${task}`;
    case 'comment_added':
      return `${who} commented on ${task}`;
    case 'mentioned':
      return `${who} mentioned you on ${task}`;
    case 'plan_over_limit':
      return 'A workspace is over its plan’s limits';
    case 'webhook_endpoint_disabled':
      return 'A webhook endpoint was disabled after failing deliveries';
    default:
      return `${who}: ${notification.type}`;
  }
}

export function NotificationsBell({ workspaces }: { workspaces: WorkspaceWithRole[] }) {
  const { gw } = useWorkspace();
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<Notification[]>([]);
  const refresh = useCallback(() => {
    gw.notifications.unreadCount().then(setUnread, () => undefined);
  }, [gw]);
  useEffect(() => {
    refresh();
    let cancelled = false;
    let stop: (() => Promise<void>) | undefined;
    gw.notifications
      .subscribe(() => refresh())
      .then(
        (subscription) => {
          stop = () => subscription.unsubscribe();
          if (cancelled) void subscription.unsubscribe();
        },
        () => undefined,
      );
    return () => {
      cancelled = true;
      void stop?.();
    };
  }, [gw, refresh]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the open list reloads when the unread count changes
  useEffect(() => {
    if (open)
      gw.notifications.list({ limit: 20 }).then(
        (page) => setItems(page.items),
        () => undefined,
      );
  }, [gw, open, unread]);

  function go(notification: Notification) {
    const workspace = workspaces.find((candidate) => candidate.id === notification.workspace_id);
    setOpen(false);
    void gw.notifications.markRead([notification.id]).then(refresh, () => undefined);
    if (workspace && notification.task) {
      const projectKey = notification.task.key.split('-')[0];
      navigate(`/w/${workspace.slug}/p/${projectKey}?task=${notification.task.key}`);
    }
  }

  return (
    <div className="bell">
      <button
        type="button"
        className="secondary"
        aria-expanded={open}
        aria-controls="notifications-panel"
        onClick={() => setOpen(!open)}
      >
        <svg
          aria-hidden="true"
          width="16"
          height="16"
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
        >
          <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>{' '}
        <span className="visually-hidden">Notifications, unread:</span>{' '}
        <span className="badge">{unread}</span>
      </button>
      {open ? (
        <section id="notifications-panel" className="popover" aria-label="Notifications">
          <div className="row spread">
            <strong>Notifications</strong>
            <button
              type="button"
              className="link"
              onClick={() => void gw.notifications.markRead().then(refresh, () => undefined)}
            >
              Mark all read
            </button>
          </div>
          {items.length === 0 ? <p className="muted">Nothing yet.</p> : null}
          <ul className="comments">
            {items.map((notification) => (
              <li key={notification.id}>
                <button type="button" className="link" onClick={() => go(notification)}>
                  {notification.read_at ? '' : '● '}
                  {sentence(notification)}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
