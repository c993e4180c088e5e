/** What happened to a task, newest first, from the workspace's activity log. */
import type { Activity } from '@groundwork/sdk';
import { useEffect, useState } from 'react';
import { describeActivity } from '../workspaces/activity-text.ts';
import { useWorkspace } from '../workspaces/workspace-context.ts';

export function TaskActivity({ taskId }: { taskId: string }) {
  const { gw, can } = useWorkspace();
  const [entries, setEntries] = useState<Activity[]>([]);
  useEffect(() => {
    if (!can('activity.read')) return;
    gw.activity.list({ task_id: taskId, limit: 20 }).then(
      (page) => setEntries(page.items),
      () => undefined,
    );
  }, [gw, taskId, can]);
  if (entries.length === 0) return null;
  return (
    <section className="panel" aria-label="History">
      <h3>History</h3>
      <ol className="comments">
        {entries.map((entry) => (
          <li key={entry.id}>
            {describeActivity(entry)}{' '}
            <time className="muted" dateTime={entry.created_at}>
              {new Date(entry.created_at).toLocaleString()}
            </time>
          </li>
        ))}
      </ol>
    </section>
  );
}
