/** A task opened from the board, in a dialog: fields, labels, comments, files and history. */
import type { Member, TaskPriority, TaskStatus, TaskWithRelations, UpdateTaskInput } from '@groundwork/sdk';
import { useEffect, useRef, useState } from 'react';
import { describeError, type Problem } from '../errors.ts';
import { Alert, Field, Notice, text, useAction } from '../ui.tsx';
import { useWorkspace } from '../workspaces/workspace-context.ts';
import { StatusOptions } from './StatusOptions.tsx';
import { TaskActivity } from './TaskActivity.tsx';
import { TaskAttachments } from './TaskAttachments.tsx';
import { TaskComments } from './TaskComments.tsx';
import { TaskLabels } from './TaskLabels.tsx';

const PRIORITIES: TaskPriority[] = ['none', 'low', 'medium', 'high', 'urgent'];

export function TaskDetail({
  task,
  onChanged,
  onDeleted,
  onClose,
}: {
  task: TaskWithRelations;
  onChanged: (task: TaskWithRelations) => void;
  onDeleted: (id: string) => void;
  onClose: () => void;
}) {
  const { gw, workspace, can, roleReason } = useWorkspace();
  const dialog = useRef<HTMLDialogElement>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => {
    const node = dialog.current;
    if (node && !node.open) node.showModal();
  }, []);
  useEffect(() => {
    gw.members.list(workspace.id).then(setMembers, () => undefined);
  }, [gw, workspace.id]);
  // The board hears about task rows, not their labels: read the task afresh on opening.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per opened task, not per render of the parent
  useEffect(() => {
    gw.tasks.get(task.id).then(onChanged, () => undefined);
  }, [gw, task.id]);
  const canEdit = can('tasks.update');
  const save = useAction(async (title: string, description: string) => {
    onChanged(await gw.tasks.update(task.id, { title, description }));
  });
  const remove = useAction(async () => {
    await gw.tasks.delete(task.id);
    onDeleted(task.id);
  });
  async function change(patch: UpdateTaskInput) {
    setProblem(null);
    try {
      onChanged(await gw.tasks.update(task.id, patch));
    } catch (error) {
      setProblem(describeError(error));
    }
  }

  return (
    <dialog ref={dialog} className="detail" aria-labelledby="task-heading" onClose={onClose}>
      <header className="row spread">
        <h2 id="task-heading">
          <span className="muted">{task.key}</span> {task.title}
        </h2>
        <button type="button" className="secondary" onClick={onClose} aria-label="Close task">
          ✕
        </button>
      </header>
      {canEdit ? null : <Notice>{roleReason('edit tasks')}</Notice>}
      <div className="grid-fields">
        <label>
          Status
          <select
            value={task.status}
            disabled={!canEdit}
            onChange={(event) => void change({ status: event.target.value as TaskStatus })}
          >
            <StatusOptions />
          </select>
        </label>
        <label>
          Priority
          <select
            value={task.priority}
            disabled={!canEdit}
            onChange={(event) => void change({ priority: event.target.value as TaskPriority })}
          >
            {PRIORITIES.map((priority) => (
              <option key={priority} value={priority}>
                {priority}
              </option>
            ))}
          </select>
        </label>
        <label>
          Assignee
          <select
            value={task.assignee_id ?? ''}
            disabled={!canEdit}
            onChange={(event) => void change({ assignee_id: event.target.value || null })}
          >
            <option value="">Nobody</option>
            {members.map((member) => (
              <option key={member.user_id} value={member.user_id}>
                {member.profile?.display_name || 'Unnamed'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Due
          <input
            type="date"
            value={task.due_date ?? ''}
            disabled={!canEdit}
            onChange={(event) => void change({ due_date: event.target.value || null })}
          />
        </label>
      </div>
      <Alert problem={problem} />
      {canEdit ? (
        <form
          aria-label="Edit task"
          noValidate
          onSubmit={save.onSubmit((form) => [text(form, 'title'), String(form.get('description') ?? '')])}
        >
          <Field label="Title" name="title" required defaultValue={task.title} error={save.fields.title} />
          <div className="field">
            <label htmlFor="task-description">Description</label>
            <textarea
              id="task-description"
              name="description"
              rows={3}
              defaultValue={task.description ?? ''}
            />
          </div>
          <Alert problem={save.problem} />
          <div className="row">
            <button type="submit" disabled={save.busy}>
              Save
            </button>
            {can('tasks.delete') ? (
              <button
                type="button"
                className="danger"
                disabled={remove.busy}
                onClick={() => void remove.run()}
              >
                Move to trash
              </button>
            ) : null}
          </div>
          <Alert problem={remove.problem} />
        </form>
      ) : (
        <p>{task.description || <span className="muted">No description.</span>}</p>
      )}
      <TaskLabels task={task} onChanged={onChanged} />
      <TaskAttachments taskId={task.id} />
      <TaskComments taskId={task.id} />
      <TaskActivity taskId={task.id} />
    </dialog>
  );
}
