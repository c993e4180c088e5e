import { useDraggable, useDroppable } from '@dnd-kit/core';
import type { TaskStatus, TaskWithRelations } from '@groundwork/sdk';
import { follow } from '../workspaces/Home.tsx';
import { StatusOptions } from './StatusOptions.tsx';

export function Column({
  status,
  label,
  tasks,
  saving,
  canMove,
  onMove,
  taskHref,
}: {
  status: TaskStatus;
  label: string;
  tasks: TaskWithRelations[];
  saving: ReadonlySet<string>;
  canMove: boolean;
  onMove: (task: TaskWithRelations, status: TaskStatus) => void;
  taskHref: (task: TaskWithRelations) => string;
}) {
  const { setNodeRef, isOver } = useDroppable({ id: `column:${status}` });
  return (
    <section
      ref={setNodeRef}
      className={isOver ? 'column over' : 'column'}
      aria-label={label}
      data-status={status}
    >
      <h2>
        {label} <span className="count">{tasks.length}</span>
      </h2>
      <ol>
        {tasks.map((task) => (
          <Card
            key={task.id}
            task={task}
            saving={saving.has(task.id)}
            canMove={canMove}
            onMove={onMove}
            href={taskHref(task)}
          />
        ))}
      </ol>
    </section>
  );
}

function Card({
  task,
  saving,
  canMove,
  onMove,
  href,
}: {
  task: TaskWithRelations;
  saving: boolean;
  canMove: boolean;
  onMove: (task: TaskWithRelations, status: TaskStatus) => void;
  href: string;
}) {
  const drag = useDraggable({ id: task.id, disabled: !canMove });
  const drop = useDroppable({ id: `card:${task.id}` });
  const style = drag.transform
    ? { transform: `translate(${drag.transform.x}px, ${drag.transform.y}px)`, zIndex: 10 }
    : undefined;
  return (
    <li
      ref={(node) => {
        drag.setNodeRef(node);
        drop.setNodeRef(node);
      }}
      style={style}
      className={drag.isDragging ? 'card dragging' : drop.isOver ? 'card over' : 'card'}
      data-task-key={task.key}
      aria-busy={saving || undefined}
    >
      <div className="row">
        {canMove ? (
          <button
            type="button"
            className="handle"
            aria-label={`Drag ${task.key}`}
            {...drag.listeners}
            {...drag.attributes}
          >
            ⠿
          </button>
        ) : null}
        <a href={href} onClick={follow} className="card-title">
          <span className="muted">{task.key}</span> {task.title}
        </a>
      </div>
      <div className="row spread card-meta">
        <label>
          <span className="visually-hidden">Status of {task.key}</span>
          <select
            value={task.status}
            disabled={!canMove}
            title={canMove ? undefined : 'Your role can’t move tasks'}
            onChange={(event) => onMove(task, event.target.value as TaskStatus)}
          >
            <StatusOptions />
          </select>
        </label>
        <span className="muted">
          {task.assignee ? task.assignee.display_name : ''}
          {task.labels.map((label) => (
            <span key={label.id} className="label" style={{ borderColor: label.color }}>
              {label.name}
            </span>
          ))}
          {saving ? ' Saving…' : ''}
        </span>
      </div>
    </li>
  );
}
