import { uniqueSuffix } from '../support/fixtures.ts';
import {
  type Cell,
  needs,
  needsAnyOf,
  notForServiceRole,
  type Operation,
  one,
  only,
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
    op: 'delete',
    rule: needs('projects.delete'),
    run: async (cell) =>
      touchedRows(
        await cell.client
          .from('projects')
          .delete()
          .eq('id', (await freshProject(cell)).id)
          .select('id'),
      ),
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
    op: 'delete',
    rule: needs('tasks.delete'),
    run: async (cell) =>
      touchedRows(
        await cell.client
          .from('tasks')
          .delete()
          .eq('id', (await freshTask(cell)).id)
          .select('id'),
      ),
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
    op: 'delete own',
    rule: needsAnyOf(['comments.create'], ['comments.delete']),
    run: async (cell) => {
      const { id } = await commentBy(cell, (cell.self ?? cell.tenant.users.member).id);
      return touchedRows(await cell.client.from('comments').delete().eq('id', id).select('id'));
    },
  },
  {
    subject: 'comments',
    op: "delete another's",
    rule: needs('comments.delete'),
    run: async (cell) => {
      const { id } = await commentBy(cell, someoneElse(cell).id);
      return touchedRows(await cell.client.from('comments').delete().eq('id', id).select('id'));
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
