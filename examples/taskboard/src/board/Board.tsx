/**
 * A project's board: a column per status, cards dragged between and within columns (or moved
 * with the keyboard: the drag handle takes Space and the arrow keys, and each card has a status
 * menu), live as others change tasks, with who else is looking.
 */
import {
  type CollisionDetection,
  DndContext,
  type DragEndEvent,
  KeyboardSensor,
  PointerSensor,
  pointerWithin,
  rectIntersection,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import type { Project, TaskStatus, TaskWithRelations } from '@groundwork/sdk';
import { useEffect, useState } from 'react';
import { describeError, type Problem } from '../errors.ts';
import { navigate } from '../router.ts';
import { Alert, Field, Notice, text, useAction } from '../ui.tsx';
import { useWorkspace } from '../workspaces/workspace-context.ts';
import { Column } from './Column.tsx';
import { boardAnnouncements, boardKeyboardCoordinates, screenReaderInstructions } from './keyboard.ts';
import { Presence } from './Presence.tsx';
import { STATUSES } from './statuses.ts';
import { TaskDetail } from './TaskDetail.tsx';
import { columnOf, useBoardTasks } from './use-board-tasks.ts';

// The pointer's own position decides the drop where it is over something; otherwise overlap.
const collision: CollisionDetection = (args) => {
  const hits = pointerWithin(args);
  return hits.length > 0 ? hits : rectIntersection(args);
};

export function Board({ projectKey, openTaskKey }: { projectKey: string; openTaskKey: string | null }) {
  const { gw, workspace, can, roleReason } = useWorkspace();
  const [project, setProject] = useState<Project | null | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saving, setSaving] = useState<ReadonlySet<string>>(new Set());
  const { tasks, put, setTasks } = useBoardTasks(gw, project?.id);
  const canMove = can('tasks.update');
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: boardKeyboardCoordinates }),
  );

  useEffect(() => {
    setProject(undefined);
    gw.projects.list(workspace.id).then(
      (projects) => setProject(projects.find((candidate) => candidate.key === projectKey) ?? null),
      (error: unknown) => setProblem(describeError(error)),
    );
  }, [gw, workspace.id, projectKey]);

  const create = useAction(async (title: string) => {
    if (!project) return;
    put(await gw.tasks.create({ project_id: project.id, title }));
  });

  /** Moves a task into a column, before `beforeId` (or to the column's end), showing it at once. */
  async function move(task: TaskWithRelations, status: TaskStatus, beforeId?: string) {
    if (!tasks) return;
    const column = columnOf(tasks, status).filter((other) => other.id !== task.id);
    const index = beforeId ? column.findIndex((other) => other.id === beforeId) : -1;
    const before = index >= 0 ? column[index] : undefined;
    const after = index >= 0 ? column[index - 1] : column[column.length - 1];
    if (task.status === status) {
      // Dropped where it already is: nothing to do.
      const original = columnOf(tasks, status);
      const next = original[original.findIndex((other) => other.id === task.id) + 1];
      if (before?.id === next?.id) return;
    }
    // Shown where it was dropped right away; the server's answer (or the undo on failure) follows.
    const position =
      before && after
        ? (before.position + after.position) / 2
        : before
          ? before.position - 1
          : after
            ? after.position + 1
            : 0;
    const previous = task;
    put({ ...task, status, position });
    setSaving((current) => new Set(current).add(task.id));
    setProblem(null);
    try {
      put(
        await gw.tasks.move(task.id, {
          status,
          ...(after ? { after_task_id: after.id } : {}),
          ...(before ? { before_task_id: before.id } : {}),
        }),
      );
    } catch (error) {
      put(previous);
      setProblem(describeError(error));
    } finally {
      setSaving((current) => {
        const next = new Set(current);
        next.delete(task.id);
        return next;
      });
    }
  }

  function onDragEnd(event: DragEndEvent) {
    const task = tasks?.get(String(event.active.id));
    const over = event.over ? String(event.over.id) : null;
    if (!task || !over) return;
    if (over.startsWith('column:')) {
      const status = over.slice('column:'.length) as TaskStatus;
      if (status !== task.status) void move(task, status);
      return;
    }
    const target = tasks?.get(over.slice('card:'.length));
    if (target && target.id !== task.id) void move(task, target.status, target.id);
  }

  if (project === undefined) return <p>Loading…</p>;
  if (project === null) {
    return (
      <section>
        <h1>Project not found</h1>
        <p className="alert" role="alert">
          There’s no project {projectKey} in {workspace.name}, or you don’t have access to it.
        </p>
      </section>
    );
  }
  const openTask =
    openTaskKey && tasks ? [...tasks.values()].find((task) => task.key === openTaskKey) : undefined;
  const closeTask = () => navigate(`/w/${workspace.slug}/p/${project.key}`);
  return (
    <section aria-labelledby="board-heading" className="board-screen">
      <header className="row spread wrap">
        <h1 id="board-heading">
          {project.name} <span className="muted">{project.key}</span>
        </h1>
        <Presence projectId={project.id} />
      </header>
      {canMove ? null : <Notice>{roleReason('move or edit tasks')}</Notice>}
      <Alert problem={problem} />
      {can('tasks.create') ? (
        <form
          aria-label="Add a task"
          className="row add-task"
          onSubmit={(event) => {
            const form = event.currentTarget;
            create.onSubmit((data) => [text(data, 'title')])(event);
            form.reset();
          }}
        >
          <Field
            label="New task"
            name="title"
            required
            placeholder="What needs doing?"
            error={create.fields.title}
          />
          <button type="submit" disabled={create.busy}>
            Add task
          </button>
          <Alert problem={create.problem} />
        </form>
      ) : null}
      {tasks === null ? (
        <p>Loading tasks…</p>
      ) : (
        <DndContext
          sensors={sensors}
          collisionDetection={collision}
          onDragEnd={onDragEnd}
          accessibility={{
            announcements: boardAnnouncements((id) => tasks.get(String(id))),
            screenReaderInstructions,
          }}
        >
          <div className="board">
            {STATUSES.map(({ status, label }) => (
              <Column
                key={status}
                status={status}
                label={label}
                tasks={columnOf(tasks, status)}
                saving={saving}
                canMove={canMove}
                onMove={(task, to) => void move(task, to)}
                taskHref={(task) => `/w/${workspace.slug}/p/${project.key}?task=${task.key}`}
              />
            ))}
          </div>
        </DndContext>
      )}
      {openTask ? (
        <TaskDetail
          task={openTask}
          onChanged={put}
          onDeleted={(id) => {
            setTasks((current) => {
              const next = new Map(current ?? []);
              next.delete(id);
              return next;
            });
            closeTask();
          }}
          onClose={closeTask}
        />
      ) : null}
    </section>
  );
}
