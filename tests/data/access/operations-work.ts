import { uniqueSuffix } from '../support/fixtures.ts';
import type { Permission } from '../support/permission-catalogue.ts';
import {
  type Cell,
  needs,
  needsAnyOf,
  notForServiceRole,
  type Operation,
  one,
  only,
  type Rule,
  succeeded,
  touchedRows,
} from './matrix.ts';

const freshTask = ({ db, tenant }: Cell) =>
  one<{ id: string }>(db, `insert into public.tasks (project_id, title) values ($1, 'target') returning id`, [
    tenant.projectId,
  ]);

const freshProject = ({ db, tenant }: Cell, archived = false) =>
  one<{ id: string }>(
    db,
    `insert into public.projects (workspace_id, name, key, archived) values ($1, 'Target', $2, $3) returning id`,
    [tenant.workspaceId, `T${uniqueSuffix().slice(0, 6).toUpperCase()}`, archived],
  );

/** A comment by `authorId` (the caller's own when it is theirs) on the tenant's task. */
const commentBy = ({ db, tenant }: Cell, authorId: string) =>
  one<{ id: string }>(
    db,
    `insert into public.comments (task_id, author_id, body) values ($1, $2, 'hello') returning id`,
    [tenant.taskId, authorId],
  );

type TrashTable = 'projects' | 'tasks' | 'comments';

/** Where a row is now: live, in the trash, or gone. */
async function stateOf({ db }: Cell, table: TrashTable, id: string): Promise<'live' | 'trash' | 'gone'> {
  const { rows } = await db.query(`select deleted_at from public.${table} where id = $1`, [id]);
  if (rows.length === 0) return 'gone';
  return rows[0].deleted_at ? 'trash' : 'live';
}

/** Allowed when the request succeeded and the row is now in the trash (a trashing DELETE returns no rows). */
async function inTrash(cell: Cell, table: TrashTable, id: string, res: { error: unknown; status: number }) {
  return { allowed: !res.error && (await stateOf(cell, table, id)) === 'trash', status: res.status };
}

/** Puts a row in the trash as the database owner (setup for restore and purge cases). */
async function trashed(cell: Cell, table: TrashTable, id: string): Promise<string> {
  await cell.db.query(`update public.${table} set deleted_at = now() where id = $1`, [id]);
  return id;
}

const TABLE_OF: Record<'project' | 'task' | 'comment', TrashTable> = {
  project: 'projects',
  task: 'tasks',
  comment: 'comments',
};

/** The trash RPCs for one kind of row: who may move it in, bring it back and delete it for good. */
function trashOperations(
  kind: 'project' | 'task' | 'comment',
  label: string,
  target: (cell: Cell) => Promise<{ id: string }>,
  mayTrash: Rule,
  read: Permission,
): Operation[] {
  const table = TABLE_OF[kind];
  return [
    {
      subject: 'rpc',
      op: `move_to_trash (${label})`,
      rule: mayTrash,
      run: async (cell) => {
        const { id } = await target(cell);
        return inTrash(cell, table, id, await cell.client.rpc('move_to_trash', { kind, id }));
      },
    },
    {
      subject: 'rpc',
      op: `restore_from_trash (${label})`,
      rule: mayTrash,
      run: async (cell) => {
        const id = await trashed(cell, table, (await target(cell)).id);
        const res = await cell.client.rpc('restore_from_trash', { kind, id });
        return { allowed: !res.error && (await stateOf(cell, table, id)) === 'live', status: res.status };
      },
    },
    {
      subject: 'rpc',
      op: `delete_permanently (${label})`,
      rule: needs('trash.purge', read),
      run: async (cell) => {
        const id = await trashed(cell, table, (await target(cell)).id);
        const res = await cell.client.rpc('delete_permanently', { kind, id });
        return { allowed: !res.error && (await stateOf(cell, table, id)) === 'gone', status: res.status };
      },
    },
  ];
}

/** A person of the tenant other than the caller. */
const someoneElse = ({ tenant, self }: Cell) =>
  self?.id === tenant.users.member.id ? tenant.users.viewer : tenant.users.member;

export const workOperations: Operation[] = [
  // projects
  {
    subject: 'projects',
    op: 'select',
    rule: needs('projects.read'),
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('projects').select('id').eq('id', tenant.projectId)),
  },
  {
    subject: 'projects',
    op: 'insert',
    rule: needs('projects.create'),
    run: async ({ client, tenant }) =>
      succeeded(
        await client.from('projects').insert({
          workspace_id: tenant.workspaceId,
          name: 'New',
          key: `P${uniqueSuffix().slice(0, 6).toUpperCase()}`,
        }),
      ),
  },
  {
    subject: 'projects',
    op: 'update (rename)',
    rule: needs('projects.update'),
    run: async (cell) =>
      touchedRows(
        await cell.client
          .from('projects')
          .update({ description: 'Updated' })
          .eq('id', (await freshProject(cell)).id)
          .select('id'),
      ),
  },
  {
    subject: 'projects',
    op: 'update (archive)',
    rule: needs('projects.archive'),
    run: async (cell) =>
      touchedRows(
        await cell.client
          .from('projects')
          .update({ archived: true })
          .eq('id', (await freshProject(cell)).id)
          .select('id'),
      ),
  },
  {
    subject: 'projects',
    op: 'update (unarchive)',
    rule: needs('projects.archive'),
    run: async (cell) =>
      touchedRows(
        await cell.client
          .from('projects')
          .update({ archived: false })
          .eq('id', (await freshProject(cell, true)).id)
          .select('id'),
      ),
  },
  {
    subject: 'projects',
    op: 'delete (into the trash)',
    rule: needs('projects.delete'),
    run: async (cell) => {
      const { id } = await freshProject(cell);
      return inTrash(cell, 'projects', id, await cell.client.from('projects').delete().eq('id', id));
    },
  },
  // tasks
  {
    subject: 'tasks',
    op: 'select',
    rule: needs('tasks.read'),
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('tasks').select('id').eq('id', tenant.taskId)),
  },
  {
    subject: 'tasks',
    op: 'insert',
    rule: needs('tasks.create'),
    run: async ({ client, tenant }) =>
      succeeded(
        await client
          .from('tasks')
          .insert({ workspace_id: tenant.workspaceId, project_id: tenant.projectId, title: 'Via REST' }),
      ),
  },
  {
    subject: 'tasks',
    op: 'update',
    rule: needs('tasks.update'),
    run: async ({ client, tenant }) =>
      touchedRows(
        await client.from('tasks').update({ priority: 'high' }).eq('id', tenant.taskId).select('id'),
      ),
  },
  {
    subject: 'tasks',
    op: 'delete (into the trash)',
    rule: needs('tasks.delete'),
    run: async (cell) => {
      const { id } = await freshTask(cell);
      return inTrash(cell, 'tasks', id, await cell.client.from('tasks').delete().eq('id', id));
    },
  },
  {
    subject: 'rpc',
    op: 'move_task',
    rule: notForServiceRole(needs('tasks.update')),
    run: async (cell) =>
      succeeded(await cell.client.rpc('move_task', { task_id: (await freshTask(cell)).id, status: 'done' })),
  },
  {
    subject: 'rpc',
    op: 'search_tasks',
    rule: needs('tasks.read'),
    run: async ({ client, tenant }) =>
      touchedRows(await client.rpc('search_tasks', { workspace_id: tenant.workspaceId, query: 'first' })),
  },
  // labels
  {
    subject: 'labels',
    op: 'select',
    rule: needs('labels.read'),
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('labels').select('id').eq('id', tenant.labelId)),
  },
  {
    subject: 'labels',
    op: 'insert',
    rule: needs('labels.create'),
    run: async ({ client, tenant }) =>
      succeeded(
        await client.from('labels').insert({ workspace_id: tenant.workspaceId, name: `l-${uniqueSuffix()}` }),
      ),
  },
  {
    subject: 'labels',
    op: 'update',
    rule: needs('labels.update'),
    run: async ({ client, tenant }) =>
      touchedRows(
        await client.from('labels').update({ color: '#000000' }).eq('id', tenant.labelId).select('id'),
      ),
  },
  {
    subject: 'labels',
    op: 'delete',
    rule: needs('labels.delete'),
    run: async ({ client, tenant, db }) => {
      const { id } = await one<{ id: string }>(
        db,
        `insert into public.labels (workspace_id, name) values ($1, $2) returning id`,
        [tenant.workspaceId, `gone-${uniqueSuffix()}`],
      );
      return touchedRows(await client.from('labels').delete().eq('id', id).select('id'));
    },
  },
  // task_labels: part of the task
  {
    subject: 'task_labels',
    op: 'select',
    rule: needs('tasks.read'),
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('task_labels').select('task_id').eq('task_id', tenant.taskId)),
  },
  {
    subject: 'task_labels',
    op: 'insert',
    rule: needs('tasks.update'),
    run: async (cell) =>
      succeeded(
        await cell.client.from('task_labels').insert({
          task_id: (await freshTask(cell)).id,
          label_id: cell.tenant.labelId,
          workspace_id: cell.tenant.workspaceId,
        }),
      ),
  },
  {
    subject: 'task_labels',
    op: 'update',
    rule: only(['service_role']),
    run: async (cell) => {
      const { id } = await freshTask(cell);
      await cell.db.query('insert into public.task_labels (task_id, label_id) values ($1, $2)', [
        id,
        cell.tenant.labelId,
      ]);
      const other = await one<{ id: string }>(
        cell.db,
        `insert into public.labels (workspace_id, name) values ($1, $2) returning id`,
        [cell.tenant.workspaceId, `other-${uniqueSuffix()}`],
      );
      return touchedRows(
        await cell.client
          .from('task_labels')
          .update({ label_id: other.id })
          .eq('task_id', id)
          .select('task_id'),
      );
    },
  },
  {
    subject: 'task_labels',
    op: 'delete',
    rule: needs('tasks.update'),
    run: async (cell) => {
      const { id } = await freshTask(cell);
      await cell.db.query('insert into public.task_labels (task_id, label_id) values ($1, $2)', [
        id,
        cell.tenant.labelId,
      ]);
      return touchedRows(await cell.client.from('task_labels').delete().eq('task_id', id).select('task_id'));
    },
  },
  // comments
  {
    subject: 'comments',
    op: 'select',
    rule: needs('comments.read'),
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('comments').select('id').eq('id', tenant.commentId)),
  },
  {
    subject: 'comments',
    op: 'insert',
    rule: needs('comments.create'),
    run: async ({ client, tenant }) =>
      succeeded(
        await client
          .from('comments')
          .insert({ task_id: tenant.taskId, workspace_id: tenant.workspaceId, body: 'Hi' }),
      ),
  },
  {
    subject: 'comments',
    op: 'update own',
    rule: needs('comments.create'),
    run: async (cell) => {
      const { id } = await commentBy(cell, (cell.self ?? cell.tenant.users.member).id);
      return touchedRows(
        await cell.client.from('comments').update({ body: 'Edited' }).eq('id', id).select('id'),
      );
    },
  },
  {
    subject: 'comments',
    op: "update another's",
    rule: only(['service_role']),
    run: async (cell) => {
      const { id } = await commentBy(cell, someoneElse(cell).id);
      return touchedRows(
        await cell.client.from('comments').update({ body: 'Edited' }).eq('id', id).select('id'),
      );
    },
  },
  {
    subject: 'comments',
    op: 'delete own (into the trash)',
    rule: needsAnyOf(['comments.create'], ['comments.delete']),
    run: async (cell) => {
      const { id } = await commentBy(cell, (cell.self ?? cell.tenant.users.member).id);
      return inTrash(cell, 'comments', id, await cell.client.from('comments').delete().eq('id', id));
    },
  },
  {
    subject: 'comments',
    op: "delete another's (into the trash)",
    rule: needs('comments.delete'),
    run: async (cell) => {
      const { id } = await commentBy(cell, someoneElse(cell).id);
      return inTrash(cell, 'comments', id, await cell.client.from('comments').delete().eq('id', id));
    },
  },
  // the trash
  ...trashOperations('project', 'project', freshProject, needs('projects.delete'), 'projects.read'),
  ...trashOperations('task', 'task', freshTask, needs('tasks.delete'), 'tasks.read'),
  ...trashOperations(
    'comment',
    'own comment',
    (cell) => commentBy(cell, (cell.self ?? cell.tenant.users.member).id),
    needsAnyOf(['comments.create'], ['comments.delete']),
    'comments.read',
  ),
  ...trashOperations(
    'comment',
    "another's comment",
    (cell) => commentBy(cell, someoneElse(cell).id),
    needs('comments.delete'),
    'comments.read',
  ),
  {
    subject: 'rpc',
    op: 'list_trash (a task)',
    rule: needsAnyOf(['tasks.delete'], ['trash.purge', 'tasks.read']),
    run: async (cell) => {
      const id = await trashed(cell, 'tasks', (await freshTask(cell)).id);
      const res = await cell.client.rpc('list_trash', { workspace_id: cell.tenant.workspaceId });
      const ids = ((res.data as { id: string }[] | null) ?? []).map((entry) => entry.id);
      return { allowed: !res.error && ids.includes(id), status: res.status };
    },
  },
  {
    subject: 'rpc',
    op: 'empty_trash',
    rule: needs('trash.purge'),
    run: async (cell) => {
      const id = await trashed(cell, 'tasks', (await freshTask(cell)).id);
      const res = await cell.client.rpc('empty_trash', { workspace_id: cell.tenant.workspaceId });
      return { allowed: !res.error && (await stateOf(cell, 'tasks', id)) === 'gone', status: res.status };
    },
  },
  // activity: readable with activity.read, written by nobody
  {
    subject: 'activity',
    op: 'select',
    rule: needs('activity.read'),
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('activity').select('id').eq('workspace_id', tenant.workspaceId).limit(1)),
  },
  {
    subject: 'activity',
    op: 'insert',
    rule: only([]),
    run: async ({ client, tenant }) =>
      succeeded(
        await client.from('activity').insert({
          workspace_id: tenant.workspaceId,
          entity_type: 'task',
          entity_id: tenant.taskId,
          action: 'forged',
        }),
      ),
  },
  {
    subject: 'activity',
    op: 'update',
    rule: only([]),
    run: async ({ client, tenant }) =>
      touchedRows(
        await client
          .from('activity')
          .update({ action: 'forged' })
          .eq('workspace_id', tenant.workspaceId)
          .select('id'),
      ),
  },
  {
    subject: 'activity',
    op: 'delete',
    rule: only([]),
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('activity').delete().eq('workspace_id', tenant.workspaceId).select('id')),
  },
];
