/** A task's labels: tick the workspace's labels on and off, or make a new one. */
import type { Label, TaskWithRelations } from '@groundwork/sdk';
import { useCallback, useEffect, useState } from 'react';
import { describeError, type Problem } from '../errors.ts';
import { Alert, Field, text, useAction } from '../ui.tsx';
import { useWorkspace } from '../workspaces/workspace-context.ts';

export function TaskLabels({
  task,
  onChanged,
}: {
  task: TaskWithRelations;
  onChanged: (task: TaskWithRelations) => void;
}) {
  const { gw, workspace, can } = useWorkspace();
  const [labels, setLabels] = useState<Label[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const load = useCallback(() => {
    gw.labels.list(workspace.id).then(setLabels, (error: unknown) => setProblem(describeError(error)));
  }, [gw, workspace.id]);
  useEffect(load, [load]);
  const canLabel = can('tasks.update');
  const on = new Set(task.labels.map((label) => label.id));

  async function toggle(label: Label) {
    setProblem(null);
    try {
      if (on.has(label.id)) await gw.tasks.removeLabel(task.id, label.id);
      else await gw.tasks.addLabel(task.id, label.id);
      onChanged(await gw.tasks.get(task.id));
    } catch (error) {
      setProblem(describeError(error));
    }
  }
  const create = useAction(async (name: string) => {
    const label = await gw.labels.create({ workspace_id: workspace.id, name });
    await gw.tasks.addLabel(task.id, label.id);
    load();
    onChanged(await gw.tasks.get(task.id));
  });

  return (
    <fieldset className="panel">
      <legend>Labels</legend>
      {labels.length === 0 ? <p className="muted">No labels in this workspace yet.</p> : null}
      <div className="row wrap">
        {labels.map((label) => (
          <label key={label.id} className="chip" style={{ borderColor: label.color }}>
            <input
              type="checkbox"
              checked={on.has(label.id)}
              disabled={!canLabel}
              onChange={() => void toggle(label)}
            />{' '}
            {label.name}
          </label>
        ))}
      </div>
      <Alert problem={problem} />
      {canLabel && can('labels.create') ? (
        <form
          aria-label="Create a label"
          className="row add-task"
          noValidate
          onSubmit={(event) => {
            const form = event.currentTarget;
            create.onSubmit((data) => [text(data, 'name')])(event);
            form.reset();
          }}
        >
          <Field label="New label" name="name" error={create.fields.name} />
          <button type="submit" className="secondary" disabled={create.busy}>
            Add label
          </button>
        </form>
      ) : null}
      <Alert problem={create.problem} />
    </fieldset>
  );
}
