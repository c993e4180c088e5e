import type { RealtimePostgresChangesPayload } from '@supabase/supabase-js';
import type { SdkContext } from '../context.ts';
import { afterFilter, decodeCursor, encodeCursor } from '../cursor.ts';
import type { TablesInsert } from '../database.gen.ts';
import type { Database } from '../database.ts';
import { oneRow, parseInput, rows } from '../query-result.ts';
import { joinChannel, type Subscription, uniqueSuffix } from '../realtime-channel.ts';
import { insertUnder, PROFILE_COLUMNS, requireRow } from '../row-access.ts';
import { callback, id as idSchema } from '../schemas/fields.ts';
import {
  createTaskInput,
  listTasksInput,
  moveTaskInput,
  searchTasksInput,
  subscribeTasksInput,
  taskKey,
  updateTaskInput,
} from '../schemas/tasks.ts';
import type {
  LiveTask,
  Page,
  TaskChange,
  TaskPriority,
  TaskStatus,
  TaskWithRelations,
  TrashEntry,
} from '../types.ts';
import { LABEL_COLUMNS } from './labels.ts';
import { deletePermanently, moveToTrash, restoreFromTrash } from './trash.ts';

/** Every column but the search vector, plus the computed `key` (ENG-42). */
const TASK_COLUMNS =
  'id, workspace_id, project_id, number, title, description, status, priority, assignee_id, due_date, position, created_by, created_at, updated_at, key';
/** The assignee's profile and the labels (through task_labels) come in the same request. */
const TASK_SELECT = `${TASK_COLUMNS}, assignee:profiles!tasks_assignee_profile_fkey(${PROFILE_COLUMNS}), labels(${LABEL_COLUMNS})`;
const DEFAULT_PAGE_SIZE = 50;

export interface ListTasksOptions {
  workspace_id?: string;
  project_id?: string;
  status?: TaskStatus | TaskStatus[];
  /** A member's id, or `null` for unassigned tasks. */
  assignee_id?: string | null;
  label_id?: string;
  /** Tasks due strictly before this date (`YYYY-MM-DD`). */
  due_before?: string;
  /** Full-text search over title and description (web-search syntax: "phrases", -exclusions, or). */
  search?: string;
  /** `position` (board order, the default) or `newest` (most recently created first). */
  order?: 'position' | 'newest';
  /** Page size, 1–200 (default 50). */
  limit?: number;
  cursor?: string;
}

export interface CreateTaskInput {
  project_id: string;
  title: string;
  description?: string;
  status?: TaskStatus;
  priority?: TaskPriority;
  assignee_id?: string | null;
  due_date?: string | null;
  label_ids?: string[];
}

export interface UpdateTaskInput {
  title?: string;
  description?: string;
  status?: TaskStatus;
  priority?: TaskPriority;
  assignee_id?: string | null;
  due_date?: string | null;
}

export type TasksApi = ReturnType<typeof createTasksApi>;

/** A tasks row as logical replication carries it: table columns, so no computed `key`. */
type ReplicatedTaskRow = Omit<Database['public']['Tables']['tasks']['Row'], 'key'>;

function toLiveTask(row: Partial<ReplicatedTaskRow>): LiveTask {
  const { search_vector: _vector, ...task } = row;
  return task as LiveTask;
}

function toTaskChange(payload: RealtimePostgresChangesPayload<ReplicatedTaskRow>): TaskChange | undefined {
  switch (payload.eventType) {
    case 'INSERT':
      return { type: 'INSERT', task: toLiveTask(payload.new) };
    case 'UPDATE':
      return { type: 'UPDATE', task: toLiveTask(payload.new), old: toLiveTask(payload.old) };
    case 'DELETE':
      return payload.old.id ? { type: 'DELETE', id: payload.old.id } : undefined;
    default:
      return undefined;
  }
}

/** Tasks: listed, searched, created, edited, moved on the board and labelled. */
export function createTasksApi(ctx: SdkContext) {
  const { supabase } = ctx;

  async function get(taskId: string): Promise<TaskWithRelations> {
    const id = parseInput(idSchema, taskId);
    const task = await oneRow(supabase.from('tasks').select(TASK_SELECT).eq('id', id).maybeSingle(), 'Task');
    return task;
  }

  return {
    /**
     * Lists tasks with their assignee's profile and labels, filtered and cursor-paginated.
     * Pass `nextCursor` back as `cursor` to get the next page; it is `null` on the last one.
     *
     * @example
     * ```ts
     * let page = await gw.tasks.list({ project_id, status: ['todo', 'in_progress'], limit: 50 });
     * while (page.nextCursor) page = await gw.tasks.list({ project_id, cursor: page.nextCursor });
     *
     * const overdueBugs = await gw.tasks.list({ workspace_id, label_id: bugId, due_before: '2025-01-31' });
     * const hits = await gw.tasks.list({ workspace_id, search: 'login -android' });
     * ```
     */
    async list(options?: ListTasksOptions): Promise<Page<TaskWithRelations>> {
      const filters = parseInput(listTasksInput, options) ?? {};
      const limit = filters.limit ?? DEFAULT_PAGE_SIZE;
      const column = filters.order === 'newest' ? 'created_at' : 'position';
      const ascending = filters.order !== 'newest';
      const after = filters.cursor ? decodeCursor(filters.cursor) : undefined;

      // An empty embed filters by label without changing the `labels` the task is returned with.
      // Two literal selects, not one union-typed string, so supabase-js can type the rows.
      let query = filters.label_id
        ? supabase
            .from('tasks')
            .select(`${TASK_SELECT}, task_labels!inner()`)
            .eq('task_labels.label_id', filters.label_id)
        : supabase.from('tasks').select(TASK_SELECT);
      if (filters.workspace_id) query = query.eq('workspace_id', filters.workspace_id);
      if (filters.project_id) query = query.eq('project_id', filters.project_id);
      if (Array.isArray(filters.status)) query = query.in('status', filters.status);
      else if (filters.status) query = query.eq('status', filters.status);
      if (filters.assignee_id === null) query = query.is('assignee_id', null);
      else if (filters.assignee_id) query = query.eq('assignee_id', filters.assignee_id);
      if (filters.due_before) query = query.lt('due_date', filters.due_before);
      if (filters.search) {
        query = query.textSearch('search_vector', filters.search, { type: 'websearch', config: 'english' });
      }
      if (after) query = query.or(afterFilter(column, ascending ? 'asc' : 'desc', after));

      // One row more than asked tells whether another page exists.
      const found = await rows(
        query
          .order(column, { ascending })
          .order('id', { ascending })
          .limit(limit + 1),
      );
      const items = found.slice(0, limit);
      const last = items[items.length - 1];
      const nextCursor =
        found.length > limit && last ? encodeCursor({ value: last[column], id: last.id }) : null;
      return { items, nextCursor };
    },

    /**
     * Ranked full-text search in a workspace (best matches first, at most 200).
     *
     * @example
     * ```ts
     * const results = await gw.tasks.search({ workspace_id, query: '"sign in" error' });
     * ```
     */
    async search(input: {
      workspace_id: string;
      query: string;
      limit?: number;
    }): Promise<TaskWithRelations[]> {
      const { workspace_id, query, limit } = parseInput(searchTasksInput, input);
      const found = await rows(
        supabase
          .rpc('search_tasks', { workspace_id, query, max_results: limit ?? DEFAULT_PAGE_SIZE })
          .select(TASK_SELECT),
      );
      return found;
    },

    /**
     * One task by id, with assignee profile and labels.
     *
     * @example
     * ```ts
     * const task = await gw.tasks.get(taskId);
     * ```
     */
    get,

    /**
     * One task by its key (`ENG-42`) within a workspace; keys are unique per workspace.
     *
     * @example
     * ```ts
     * const task = await gw.tasks.getByKey(workspaceId, 'ENG-42');
     * ```
     */
    async getByKey(workspaceId: string, key: string): Promise<TaskWithRelations> {
      const workspace_id = parseInput(idSchema, workspaceId);
      const [projectKey, number] = parseInput(taskKey, key).split('-') as [string, string];
      const task = await oneRow(
        supabase
          .from('tasks')
          .select(`${TASK_SELECT}, projects!inner()`)
          .eq('workspace_id', workspace_id)
          .eq('projects.key', projectKey.toUpperCase())
          .eq('number', Number(number))
          .maybeSingle(),
        'Task',
      );
      return task;
    },

    /**
     * Creates a task at the end of its status column (members). It gets the project's next number;
     * `label_ids` are attached right after.
     *
     * @example
     * ```ts
     * const task = await gw.tasks.create({ project_id, title: 'Fix login', priority: 'high', label_ids: [bugId] });
     * task.key; // 'ENG-43'
     * ```
     */
    async create(input: CreateTaskInput): Promise<TaskWithRelations> {
      const { label_ids, ...values } = parseInput(createTaskInput, input);
      // workspace_id is left out on purpose: the insert trigger takes it from the project, so a
      // caller cannot file a task under another tenant. The generated type can't know that.
      const insert = values as TablesInsert<'tasks'>;
      const project = { table: 'projects', match: { id: values.project_id }, what: 'project' };
      const created = await insertUnder(ctx, project, () =>
        oneRow(supabase.from('tasks').insert(insert).select(TASK_SELECT).single(), 'Task'),
      );
      if (!label_ids?.length) return created;
      try {
        await rows(
          supabase.from('task_labels').insert(
            label_ids.map((label_id) => ({
              task_id: created.id,
              workspace_id: created.workspace_id,
              label_id,
            })),
          ),
        );
      } catch (error) {
        // Two requests, one outcome: a task whose labels failed (e.g. a label of another
        // workspace) is taken back rather than left half-made — deleted for good where the
        // caller may (trash.purge), else moved to the trash.
        const purged = await supabase.rpc('delete_permanently', { kind: 'task', id: created.id });
        if (purged.error) await supabase.rpc('move_to_trash', { kind: 'task', id: created.id });
        throw error;
      }
      return get(created.id);
    },

    /**
     * Edits a task's fields (members). Use {@link move} to reorder it on the board.
     *
     * @example
     * ```ts
     * await gw.tasks.update(taskId, { status: 'done', assignee_id: null });
     * ```
     */
    async update(taskId: string, patch: UpdateTaskInput): Promise<TaskWithRelations> {
      const id = parseInput(idSchema, taskId);
      const values = parseInput(updateTaskInput, patch);
      const updated = await rows(
        supabase.from('tasks').update(values).eq('id', id).select(TASK_SELECT).maybeSingle(),
      );
      const task = await requireRow(ctx, updated, 'tasks', { id }, 'task');
      return task;
    },

    /**
     * Moves a task into a status column (default: its own) between two neighbours; with neither,
     * to the end of the column. Neighbours outside the target column throw `validation_failed`.
     *
     * @example
     * ```ts
     * await gw.tasks.move(taskId, { status: 'in_progress', after_task_id: aboveId, before_task_id: belowId });
     * ```
     */
    async move(
      taskId: string,
      to?: { status?: TaskStatus; after_task_id?: string; before_task_id?: string },
    ): Promise<TaskWithRelations> {
      const task_id = parseInput(idSchema, taskId);
      const target = parseInput(moveTaskInput, to) ?? {};
      const moved = await oneRow(
        supabase
          .rpc('move_task', { task_id, ...target })
          .select(TASK_SELECT)
          .single(),
        'Task',
      );
      return moved;
    },

    /**
     * Moves a task, with its comments, to the trash (`tasks.delete`; members): hidden everywhere,
     * restorable for 30 days with {@link restore}. Answers the trash entry.
     *
     * @example
     * ```ts
     * const entry = await gw.tasks.delete(taskId);
     * entry.purge_after; // 30 days from now
     * ```
     */
    delete(taskId: string): Promise<TrashEntry> {
      return moveToTrash(ctx, 'task', taskId);
    },

    /**
     * Brings a task back from the trash with the comments that went with it (`tasks.delete`).
     * A task whose project is in the trash throws `conflict` with reason `project_in_trash`.
     *
     * @example
     * ```ts
     * const task = await gw.tasks.restore(taskId);
     * ```
     */
    async restore(taskId: string): Promise<TaskWithRelations> {
      await restoreFromTrash(ctx, 'task', taskId);
      return get(taskId);
    },

    /**
     * Deletes a task for good, in the trash or not, with its comments, labels and attachments
     * (`trash.purge`; admins).
     *
     * @example
     * ```ts
     * await gw.tasks.deletePermanently(taskId);
     * ```
     */
    deletePermanently(taskId: string): Promise<void> {
      return deletePermanently(ctx, 'task', taskId);
    },

    /**
     * Streams changes to the tasks of a project or a workspace as they happen (Realtime,
     * RLS-checked: you only hear about tasks you may read). Resolves once listening.
     * Deletes arrive as bare ids and unscoped (Realtime cannot filter or check a deleted row).
     *
     * @example
     * ```ts
     * const sub = await gw.tasks.subscribe({ project_id }, (change) => {
     *   if (change.type === 'DELETE') board.remove(change.id);
     *   else board.upsert(change.task);
     * });
     * await sub.unsubscribe();
     * ```
     */
    async subscribe(
      scope: { project_id: string; workspace_id?: never } | { workspace_id: string; project_id?: never },
      onChange: (change: TaskChange) => void,
    ): Promise<Subscription> {
      const { project_id, workspace_id } = parseInput(subscribeTasksInput, scope);
      parseInput(callback, onChange);
      const filter = project_id ? `project_id=eq.${project_id}` : `workspace_id=eq.${workspace_id}`;
      const deliver = (payload: RealtimePostgresChangesPayload<ReplicatedTaskRow>) => {
        const change = toTaskChange(payload);
        if (change) onChange(change);
      };
      const suffix = `${project_id ?? workspace_id}:${uniqueSuffix()}`;
      const changes = supabase
        .channel(`tasks:${suffix}`)
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'tasks', filter }, deliver)
        .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'tasks', filter }, deliver);
      // A deleted row keeps only its key, so a filter on project or workspace never matches it;
      // deletes get their own unfiltered channel.
      const deletes = supabase
        .channel(`task-deletes:${suffix}`)
        .on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'tasks' }, deliver);
      await joinChannel(ctx, changes);
      try {
        await joinChannel(ctx, deletes);
      } catch (error) {
        await supabase.removeChannel(changes);
        throw error;
      }
      return {
        async unsubscribe() {
          await Promise.all([supabase.removeChannel(changes), supabase.removeChannel(deletes)]);
        },
      };
    },

    /**
     * Puts a label on a task (members). Labelling twice throws `conflict`.
     *
     * @example
     * ```ts
     * await gw.tasks.addLabel(taskId, bugId);
     * ```
     */
    async addLabel(taskId: string, labelId: string): Promise<void> {
      const task_id = parseInput(idSchema, taskId);
      const label_id = parseInput(idSchema, labelId);
      // workspace_id is filled in from the task by the database.
      const task = { table: 'tasks', match: { id: task_id }, what: 'task' };
      await insertUnder(ctx, task, () =>
        rows(supabase.from('task_labels').insert({ task_id, label_id } as TablesInsert<'task_labels'>)),
      );
    },

    /**
     * Takes a label off a task (members).
     *
     * @example
     * ```ts
     * await gw.tasks.removeLabel(taskId, bugId);
     * ```
     */
    async removeLabel(taskId: string, labelId: string): Promise<void> {
      const task_id = parseInput(idSchema, taskId);
      const label_id = parseInput(idSchema, labelId);
      const deleted = await rows(
        supabase.from('task_labels').delete().match({ task_id, label_id }).select('task_id').maybeSingle(),
      );
      await requireRow(ctx, deleted, 'task_labels', { task_id, label_id }, 'task label');
    },
  };
}
