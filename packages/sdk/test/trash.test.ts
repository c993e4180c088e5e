import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroundworkClient, Project } from '../src/index.ts';
import { connectDatabase, createTeam, failureOf, type Team } from './support/team.ts';

let db: pg.Client;
let team: Team;
let project: Project;

beforeAll(async () => {
  db = await connectDatabase();
  team = await createTeam(db);
  project = await team.admin.gw.projects.create({ workspace_id: team.workspace.id, name: 'Eng', key: 'ENG' });
});

afterAll(async () => {
  await db.end();
});

const newTask = (title = 'Trash me') => team.member.gw.tasks.create({ project_id: project.id, title });

describe('gw delete goes to the trash', () => {
  it('tasks.delete moves a task to the trash; it is gone from reads, listed in gw.trash, restored with restore', async () => {
    const task = await newTask();
    const entry = await team.member.gw.tasks.delete(task.id);
    expect(entry).toMatchObject({ kind: 'task', id: task.id, title: 'Trash me', deleted_by: team.member.id });
    expect(await failureOf(() => team.member.gw.tasks.get(task.id))).toMatchObject({ code: 'not_found' });
    const listed = await team.member.gw.trash.list(team.workspace.id);
    expect(listed.map((e) => e.id)).toContain(task.id);
    const restored = await team.member.gw.tasks.restore(task.id);
    expect(restored).toMatchObject({ id: task.id, key: task.key, title: 'Trash me' });
    expect((await team.member.gw.trash.list(team.workspace.id)).map((e) => e.id)).not.toContain(task.id);
  });

  it('projects.delete takes the tasks along; restoring a task of a trashed project is conflict project_in_trash', async () => {
    const doomed = await team.admin.gw.projects.create({
      workspace_id: team.workspace.id,
      name: 'Doomed',
      key: 'DMD',
    });
    const task = await team.member.gw.tasks.create({ project_id: doomed.id, title: 'inside' });
    await team.admin.gw.projects.delete(doomed.id);
    expect(await failureOf(() => team.member.gw.tasks.restore(task.id))).toMatchObject({
      code: 'conflict',
      status: 409,
      reason: 'project_in_trash',
    });
    expect(await team.admin.gw.projects.restore(doomed.id)).toMatchObject({ id: doomed.id, key: 'DMD' });
    expect(await team.member.gw.tasks.get(task.id)).toMatchObject({ id: task.id, title: 'inside' });
  });

  it('comments.delete and restore; a comment of a trashed task is conflict task_in_trash', async () => {
    const task = await newTask();
    const comment = await team.member.gw.comments.add({ task_id: task.id, body: 'first!' });
    await team.member.gw.comments.delete(comment.id);
    expect((await team.member.gw.comments.list(task.id)).items).toEqual([]);
    expect(await team.member.gw.comments.restore(comment.id)).toMatchObject({
      id: comment.id,
      body: 'first!',
    });
    await team.member.gw.comments.delete(comment.id);
    await team.member.gw.tasks.delete(task.id);
    expect(await failureOf(() => team.member.gw.comments.restore(comment.id))).toMatchObject({
      code: 'conflict',
      reason: 'task_in_trash',
    });
  });

  it('deletePermanently needs trash.purge: forbidden for a member, done for an admin', async () => {
    const task = await newTask();
    expect(await failureOf(() => team.member.gw.tasks.deletePermanently(task.id))).toMatchObject({
      code: 'forbidden',
      status: 403,
    });
    await team.admin.gw.tasks.deletePermanently(task.id);
    expect(await failureOf(() => team.admin.gw.tasks.restore(task.id))).toMatchObject({
      code: 'not_found',
      reason: 'task_not_found',
    });
    const { rows } = await db.query('select 1 from public.tasks where id = $1', [task.id]);
    expect(rows).toEqual([]);
  });

  it('trash.empty needs trash.purge and answers how many rows went', async () => {
    const task = await newTask();
    await team.member.gw.tasks.delete(task.id);
    expect(await failureOf(() => team.member.gw.trash.empty(team.workspace.id))).toMatchObject({
      code: 'forbidden',
    });
    expect(await team.admin.gw.trash.empty(team.workspace.id)).toBeGreaterThanOrEqual(1);
    expect(await team.admin.gw.trash.list(team.workspace.id)).toEqual([]);
  });

  it('trash.list of a workspace you are not in is not_found, as for one that does not exist', async () => {
    for (const id of [team.workspace.id, randomUUID()]) {
      expect(await failureOf(() => team.outsider.gw.trash.list(id))).toMatchObject({
        code: 'not_found',
        reason: 'workspace_not_found',
      });
    }
  });
});

// Every SDK write that RLS could filter to zero rows: a row the caller can see but not change is
// `forbidden`, a row they cannot see (or that does not exist) is `not_found` — never a success.
describe('a write RLS filters to zero rows is never reported as success', () => {
  interface Write {
    name: string;
    /** Makes the target (as someone allowed), answers its id. */
    target: () => Promise<string>;
    /** The write, as `gw`. */
    run: (gw: GroundworkClient, id: string) => Promise<unknown>;
  }
  const task = async () => (await newTask()).id;
  const comment = async () =>
    (await team.admin.gw.comments.add({ task_id: await task(), body: 'by admin' })).id;
  const label = async () =>
    (
      await team.admin.gw.labels.create({
        workspace_id: team.workspace.id,
        name: `l-${randomUUID().slice(0, 8)}`,
      })
    ).id;
  const projectId = async () =>
    (
      await team.admin.gw.projects.create({
        workspace_id: team.workspace.id,
        name: 'P',
        key: `P${randomUUID().slice(0, 6).replace(/-/g, '').toUpperCase()}`,
      })
    ).id;

  const writes: Write[] = [
    { name: 'tasks.update', target: task, run: (gw, id) => gw.tasks.update(id, { priority: 'high' }) },
    { name: 'tasks.move', target: task, run: (gw, id) => gw.tasks.move(id, { status: 'done' }) },
    { name: 'tasks.delete', target: task, run: (gw, id) => gw.tasks.delete(id) },
    { name: 'tasks.restore', target: task, run: (gw, id) => gw.tasks.restore(id) },
    { name: 'tasks.deletePermanently', target: task, run: (gw, id) => gw.tasks.deletePermanently(id) },
    { name: 'projects.update', target: projectId, run: (gw, id) => gw.projects.update(id, { name: 'X' }) },
    { name: 'projects.archive', target: projectId, run: (gw, id) => gw.projects.archive(id) },
    { name: 'projects.delete', target: projectId, run: (gw, id) => gw.projects.delete(id) },
    { name: 'projects.restore', target: projectId, run: (gw, id) => gw.projects.restore(id) },
    { name: 'comments.edit', target: comment, run: (gw, id) => gw.comments.edit(id, 'mine now') },
    { name: 'comments.delete', target: comment, run: (gw, id) => gw.comments.delete(id) },
    { name: 'comments.restore', target: comment, run: (gw, id) => gw.comments.restore(id) },
    { name: 'labels.update', target: label, run: (gw, id) => gw.labels.update(id, { color: '#000000' }) },
    { name: 'labels.delete', target: label, run: (gw, id) => gw.labels.delete(id) },
    {
      name: 'workspaces.update',
      target: async () => team.workspace.id,
      run: (gw, id) => gw.workspaces.update(id, { name: 'Mine' }),
    },
    {
      name: 'workspaces.delete',
      target: async () => team.workspace.id,
      run: (gw, id) => gw.workspaces.delete(id),
    },
    {
      name: 'members.changeRole',
      target: async () => team.member.id,
      run: (gw, id) => gw.members.changeRole({ workspace_id: team.workspace.id, user_id: id, role: 'admin' }),
    },
    {
      name: 'members.remove',
      target: async () => team.member.id,
      run: (gw, id) => gw.members.remove({ workspace_id: team.workspace.id, user_id: id }),
    },
  ];

  it.each(writes)(
    '$name: forbidden for a viewer who sees the row, not_found for an outsider and for a random id',
    async (write) => {
      const id = await write.target();
      expect(await failureOf(() => write.run(team.viewer.gw, id)), 'viewer').toMatchObject({
        code: 'forbidden',
      });
      expect(await failureOf(() => write.run(team.outsider.gw, id)), 'outsider').toMatchObject({
        code: 'not_found',
      });
      expect(await failureOf(() => write.run(team.viewer.gw, randomUUID())), 'random id').toMatchObject({
        code: 'not_found',
      });
    },
  );
});
