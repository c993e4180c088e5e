/** The workspace's activity feed, newest first, with who did what. */
import type { Activity, Member } from '@groundwork/sdk';
import { useEffect, useState } from 'react';
import { describeError, type Problem } from '../errors.ts';
import { Alert, Notice } from '../ui.tsx';
import { describeActivity } from './activity-text.ts';
import { useWorkspace } from './workspace-context.ts';

export function ActivityScreen() {
  const { gw, workspace, can, roleReason } = useWorkspace();
  const [entries, setEntries] = useState<Activity[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const allowed = can('activity.read');
  useEffect(() => {
    if (!allowed) return;
    gw.members.list(workspace.id).then(setMembers, () => undefined);
    gw.activity.list({ workspace_id: workspace.id, limit: 30 }).then(
      (page) => {
        setEntries(page.items);
        setCursor(page.nextCursor);
      },
      (error: unknown) => setProblem(describeError(error)),
    );
  }, [gw, workspace.id, allowed]);
  async function more() {
    if (!cursor) return;
    try {
      const page = await gw.activity.list({ workspace_id: workspace.id, limit: 30, cursor });
      setEntries((current) => [...current, ...page.items]);
      setCursor(page.nextCursor);
    } catch (error) {
      setProblem(describeError(error));
    }
  }
  const nameOf = (id: string | null) =>
    members.find((member) => member.user_id === id)?.profile?.display_name || 'Someone';
  return (
    <section aria-labelledby="activity-heading">
      <h1 id="activity-heading">Activity in {workspace.name}</h1>
      {allowed ? null : <Notice>{roleReason('read the activity feed')}</Notice>}
      <Alert problem={problem} />
      <ol className="cards" aria-label="Activity">
        {entries.map((entry) => (
          <li key={entry.id}>
            {describeActivity(entry, nameOf(entry.actor_id))}{' '}
            <time className="muted" dateTime={entry.created_at}>
              {new Date(entry.created_at).toLocaleString()}
            </time>
          </li>
        ))}
      </ol>
      {cursor ? (
        <button type="button" className="secondary" onClick={() => void more()}>
          Older
        </button>
      ) : null}
    </section>
  );
}
