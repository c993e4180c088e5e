/** The append-only audit log: who changed what, newest first, filterable by action. */
import type { AuditEntry } from '@groundwork/sdk';
import { useEffect, useState } from 'react';
import { describeError, type Problem } from '../errors.ts';
import { Alert } from '../ui.tsx';
import { useWorkspace } from '../workspaces/workspace-context.ts';

export function AuditSettings() {
  const { gw, workspace } = useWorkspace();
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [action, setAction] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => {
    gw.audit
      .list({ workspace_id: workspace.id, limit: 100, ...(action ? { action } : {}) })
      .then(setEntries, (error: unknown) => setProblem(describeError(error)));
  }, [gw, workspace.id, action]);
  const actions = [...new Set(entries.map((entry) => entry.action))].sort();
  return (
    <>
      <label className="row">
        Action
        <select value={action} onChange={(event) => setAction(event.target.value)}>
          <option value="">All</option>
          {[...new Set([...actions, action].filter(Boolean))].map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <Alert problem={problem} />
      <table className="list" aria-label="Audit log">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">What</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id}>
              <td>{new Date(entry.occurred_at).toLocaleString()}</td>
              <td>{entry.actor_type}</td>
              <td>{entry.action}</td>
              <td className="muted">{entry.target_table}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
