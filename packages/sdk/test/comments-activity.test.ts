import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, createTeam, failureOf, type Team } from './support/team.ts';

let db: pg.Client;

beforeAll(async () => {
  db = await connectDatabase();
});

afterAll(async () => {
  await db.end();
});

async function teamWithTask(): Promise<{ team: Team; taskId: string; projectId: string }> {
  const team = await createTeam(db);
  const project = await team.admin.gw.projects.create({
    workspace_id: team.workspace.id,
    name: 'Eng',
    key: 'ENG',
  });
  const task = await team.member.gw.tasks.create({ project_id: project.id, title: 'Discuss me' });
  return { team, taskId: task.id, projectId: project.id };
}

describe('gw.comments', () => {
  it('add, list with author profiles, edit and delete', async () => {
    const { team, taskId } = await teamWithTask();
    const first = await team.member.gw.comments.add({ task_id: taskId, body: 'First!' });
    expect(first).toMatchObject({
      task_id: taskId,
      workspace_id: team.workspace.id,
      author_id: team.member.id,
      edited_at: null,
      author: { id: team.member.id },
    });
    await team.admin.gw.comments.add({ task_id: taskId, body: 'Second' });

    const { items, nextCursor } = await team.viewer.gw.comments.list(taskId);
    expect(items.map((c) => [c.body, c.author?.id])).toEqual([
      ['First!', team.member.id],
      ['Second', team.admin.id],
    ]);
    expect(nextCursor).toBeNull();

    const edited = await team.member.gw.comments.edit(first.id, 'First! (edited)');
    expect(edited.body).toBe('First! (edited)');
    expect(edited.edited_at).not.toBeNull();

    await team.member.gw.comments.delete(first.id);
    expect((await team.viewer.gw.comments.list(taskId)).items.map((c) => c.body)).toEqual(['Second']);
  });

  it('paginates oldest first', async () => {
    const { team, taskId } = await teamWithTask();
    for (let i = 1; i <= 5; i++) await team.member.gw.comments.add({ task_id: taskId, body: `c${i}` });
    const first = await team.viewer.gw.comments.list(taskId, { limit: 2 });
    expect(first.items.map((c) => c.body)).toEqual(['c1', 'c2']);
    const second = await team.viewer.gw.comments.list(taskId, { limit: 2, cursor: first.nextCursor ?? '' });
    expect(second.items.map((c) => c.body)).toEqual(['c3', 'c4']);
    const third = await team.viewer.gw.comments.list(taskId, { limit: 2, cursor: second.nextCursor ?? '' });
    expect(third).toEqual({ items: [expect.objectContaining({ body: 'c5' })], nextCursor: null });
  });

  it('only authors edit; authors and admins delete; viewers cannot comment; outsiders see nothing', async () => {
    const { team, taskId } = await teamWithTask();
    const comment = await team.member.gw.comments.add({ task_id: taskId, body: 'Mine' });
    expect(await failureOf(() => team.admin.gw.comments.edit(comment.id, 'Hijacked'))).toMatchObject({
      code: 'forbidden',
    });
    expect(await failureOf(() => team.viewer.gw.comments.add({ task_id: taskId, body: 'Hi' }))).toMatchObject(
      {
        code: 'forbidden',
      },
    );
    expect(
      await failureOf(() => team.outsider.gw.comments.add({ task_id: taskId, body: 'Hi' })),
    ).toMatchObject({
      code: 'not_found',
      reason: 'task_not_found',
    });
    expect(await failureOf(() => team.outsider.gw.comments.delete(comment.id))).toMatchObject({
      code: 'not_found',
    });
    expect((await team.outsider.gw.comments.list(taskId)).items).toEqual([]);
    await team.admin.gw.comments.delete(comment.id);
    expect((await team.viewer.gw.comments.list(taskId)).items).toEqual([]);
  });
});

describe('gw.activity', () => {
  it('lists a workspace’s activity newest first, paginated', async () => {
    const { team } = await teamWithTask();
    const all = await team.viewer.gw.activity.list({ workspace_id: team.workspace.id, limit: 200 });
    const actions = all.items.map((a) => `${a.entity_type}.${a.action}`);
    // Newest first: the task, then the project, then members joining, then the workspace.
    expect(actions[0]).toBe('task.created');
    expect(actions[1]).toBe('project.created');
    expect(actions.at(-1)).toBe('workspace.created');
    expect(all.nextCursor).toBeNull();

    const pages: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await team.viewer.gw.activity.list({
        workspace_id: team.workspace.id,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      pages.push(...page.items.map((a) => `${a.entity_type}.${a.action}`));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toEqual(actions);
  });

  it('lists one task’s history including its comments', async () => {
    const { team, taskId } = await teamWithTask();
    await team.member.gw.tasks.update(taskId, { status: 'in_progress' });
    await team.member.gw.comments.add({ task_id: taskId, body: 'On it' });
    const history = await team.viewer.gw.activity.list({ task_id: taskId });
    expect(history.items.map((a) => `${a.entity_type}.${a.action}`)).toEqual([
      'comment.created',
      'task.status_changed',
      'task.created',
    ]);
    expect(history.items[1]?.payload).toEqual({ from: 'todo', to: 'in_progress' });
    expect(history.items[1]?.actor_id).toBe(team.member.id);
  });

  it('outsiders see no activity', async () => {
    const { team, taskId } = await teamWithTask();
    expect((await team.outsider.gw.activity.list({ workspace_id: team.workspace.id })).items).toEqual([]);
    expect((await team.outsider.gw.activity.list({ task_id: taskId })).items).toEqual([]);
  });

  it('needs exactly one scope', async () => {
    const { team } = await teamWithTask();
    const both = { workspace_id: team.workspace.id, task_id: team.workspace.id } as never;
    expect(await failureOf(() => team.viewer.gw.activity.list(both))).toMatchObject({
      code: 'validation_failed',
    });
  });
});
