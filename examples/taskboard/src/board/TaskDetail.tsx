/** A task opened from the board: its fields, editable by those who may, in a dialog. */
import type { TaskWithRelations } from '@groundwork/sdk';
import { useEffect, useRef } from 'react';
import { Alert, Field, Notice, text, useAction } from '../ui.tsx';
import { roleReason, useWorkspace } from '../workspaces/workspace-context.ts';
import { statusLabel } from './statuses.ts';

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
  const { gw, workspace, can } = useWorkspace();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const node = dialog.current;
    if (node && !node.open) node.showModal();
  }, []);
  const canEdit = can('tasks.update');
  const save = useAction(async (title: string, description: string) => {
    onChanged(await gw.tasks.update(task.id, { title, description }));
  });
  const remove = useAction(async () => {
    await gw.tasks.delete(task.id);
    onDeleted(task.id);
  });
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
      <p className="muted">Status: {statusLabel(task.status)}</p>
      {canEdit ? (
        <form
          aria-label="Edit task"
          onSubmit={save.onSubmit((form) => [text(form, 'title'), String(form.get('description') ?? '')])}
        >
          <Field label="Title" name="title" required defaultValue={task.title} error={save.fields.title} />
          <div className="field">
            <label htmlFor="task-description">Description</label>
            <textarea
              id="task-description"
              name="description"
              rows={4}
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
        <>
          <p>{task.description || <span className="muted">No description.</span>}</p>
          <Notice>{roleReason(workspace, 'edit tasks')}</Notice>
        </>
      )}
    </dialog>
  );
}
