/**
 * A project's tasks as the board shows them, kept current: loaded page by page, then changed
 * by Realtime as anyone in the workspace edits or moves them (RLS decides what arrives).
 */
import type { GroundworkClient, LiveTask, TaskStatus, TaskWithRelations } from '@groundwork/sdk';
import { useCallback, useEffect, useState } from 'react';

export type BoardTasks = ReadonlyMap<string, TaskWithRelations>;

export function useBoardTasks(gw: GroundworkClient, projectId: string | undefined) {
  const [tasks, setTasks] = useState<BoardTasks | null>(null);
  const [live, setLive] = useState(false);

  const put = useCallback((task: TaskWithRelations) => {
    setTasks((current) => new Map(current ?? []).set(task.id, task));
  }, []);

  useEffect(() => {
    if (!projectId) return;
    let cancelled = false;
    let unsubscribe: (() => Promise<void>) | undefined;
    const refetch = (id: string) =>
      gw.tasks.get(id).then(
        (task) => {
          if (!cancelled) put(task);
        },
        () => undefined,
      );
    const apply = (change: LiveTask) =>
      setTasks((current) => {
        const known = current?.get(change.id);
        // A change carries the row's columns; the key and embedded assignee/labels stay ours
        // unless the assignee changed, which a refetch fills in.
        if (!known || known.assignee_id !== change.assignee_id) void refetch(change.id);
        if (!known) return current;
        return new Map(current ?? []).set(change.id, { ...known, ...change });
      });

    (async () => {
      // Listen first, then load, so nothing changed between the two is missed.
      const subscription = await gw.tasks.subscribe({ project_id: projectId }, (change) => {
        if (change.type === 'DELETE') {
          setTasks((current) => {
            if (!current?.has(change.id)) return current;
            const next = new Map(current);
            next.delete(change.id);
            return next;
          });
        } else apply(change.task);
      });
      unsubscribe = () => subscription.unsubscribe();
      if (cancelled) {
        await subscription.unsubscribe();
        return;
      }
      setLive(true);
      const loaded = new Map<string, TaskWithRelations>();
      let cursor: string | undefined;
      do {
        const page = await gw.tasks.list({
          project_id: projectId,
          limit: 200,
          ...(cursor ? { cursor } : {}),
        });
        for (const task of page.items) loaded.set(task.id, task);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      if (!cancelled) setTasks((current) => new Map([...loaded, ...(current ?? [])]));
    })().catch(() => {
      if (!cancelled) setTasks((current) => current ?? new Map());
    });
    return () => {
      cancelled = true;
      setLive(false);
      void unsubscribe?.();
    };
  }, [gw, projectId, put]);

  return { tasks, live, put, setTasks };
}

/** A column's tasks in board order. */
export function columnOf(tasks: BoardTasks, status: TaskStatus): TaskWithRelations[] {
  return [...tasks.values()]
    .filter((task) => task.status === status)
    .sort((a, b) => a.position - b.position || a.id.localeCompare(b.id));
}
