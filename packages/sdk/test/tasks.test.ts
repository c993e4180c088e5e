import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Label, Project, TaskWithRelations } from '../src/index.ts';
import { connectDatabase, createTeam, failureOf, type Team } from './support/team.ts';

let db: pg.Client;

beforeAll(async () => {
  db = await connectDatabase();
});

afterAll(async () => {
  await db.end();
});

interface Board {
  team: Team;
  project: Project;
  bug: Label;
  chore: Label;
}

async function createBoard(): Promise<Board> {
  const team = await createTeam(db);
  const project = await team.admin.gw.projects.create({
    workspace_id: team.workspace.id,
    name: 'Eng',
    key: 'ENG',
  });
  const bug = await team.member.gw.labels.create({ workspace_id: team.workspace.id, name: 'bug' });
  const chore = await team.member.gw.labels.create({ workspace_id: team.workspace.id, name: 'chore' });
  return { team, project, bug, chore };
}

async function collectAll(
  list: (cursor?: string) => Promise<{ items: TaskWithRelations[]; nextCursor: string | null }>,
): Promise<{ titles: string[]; pages: number }> {
  const titles: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list(cursor);
    pages += 1;
    titles.push(...page.items.map((task) => task.title));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { titles, pages };
}

describe('gw.tasks', () => {
  it('create numbers tasks per project, attaches labels and returns assignee profile and labels', async () => {
    const { team, project, bug } = await createBoard();
    const first = await team.member.gw.tasks.create({ project_id: project.id, title: 'First' });
    expect(first).toMatchObject({ key: 'ENG-1', number: 1, status: 'todo', assignee: null, labels: [] });

    const second = await team.member.gw.tasks.create({
      project_id: project.id,
      title: 'Second',
      priority: 'high',
      assignee_id: team.member.id,
      due_date: '2030-01-31',
      label_ids: [bug.id],
    });
    expect(second).toMatchObject({
      key: 'ENG-2',
      workspace_id: team.workspace.id,
      priority: 'high',
      due_date: '2030-01-31',
      assignee: { id: team.member.id },
      labels: [{ id: bug.id, name: 'bug' }],
    });
    expect(second.assignee?.display_name).toMatch(/^member /);
    expect(second).not.toHaveProperty('search_vector');
  });

  it('create with a label of another workspace fails as a whole', async () => {
    const { team, project } = await createBoard();
    const elsewhere = await createBoard();
    expect(
      await failureOf(() =>
        team.member.gw.tasks.create({
          project_id: project.id,
          title: 'Half made?',
          label_ids: [elsewhere.bug.id],
        }),
      ),
    ).toMatchObject({ code: 'conflict', reason: '23503' });
    expect((await team.member.gw.tasks.list({ project_id: project.id })).items).toEqual([]);
  });

  it('viewers cannot create, update, move or delete tasks; outsiders do not see them', async () => {
    const { team, project } = await createBoard();
    const task = await team.member.gw.tasks.create({ project_id: project.id, title: 'Guarded' });
    expect(
      await failureOf(() => team.viewer.gw.tasks.create({ project_id: project.id, title: 'x' })),
    ).toMatchObject({
      code: 'forbidden',
    });
    expect(await failureOf(() => team.viewer.gw.tasks.update(task.id, { title: 'x' }))).toMatchObject({
      code: 'forbidden',
    });
    expect(await failureOf(() => team.viewer.gw.tasks.move(task.id, { status: 'done' }))).toMatchObject({
      code: 'forbidden',
    });
    expect(await failureOf(() => team.viewer.gw.tasks.delete(task.id))).toMatchObject({ code: 'forbidden' });

    expect(await failureOf(() => team.outsider.gw.tasks.get(task.id))).toMatchObject({ code: 'not_found' });
    expect(await failureOf(() => team.outsider.gw.tasks.update(task.id, { title: 'x' }))).toMatchObject({
      code: 'not_found',
    });
    expect(await failureOf(() => team.outsider.gw.tasks.move(task.id))).toMatchObject({
      code: 'not_found',
      reason: 'task_not_found',
    });
    expect(
      await failureOf(() => team.outsider.gw.tasks.create({ project_id: project.id, title: 'x' })),
    ).toMatchObject({ code: 'not_found', reason: 'project_not_found' });
    expect((await team.outsider.gw.tasks.list({ project_id: project.id })).items).toEqual([]);
  });

  it('an archived project takes no new tasks (conflict, project_archived)', async () => {
    const { team, project } = await createBoard();
    await team.admin.gw.projects.archive(project.id);
    expect(
      await failureOf(() => team.member.gw.tasks.create({ project_id: project.id, title: 'x' })),
    ).toMatchObject({
      code: 'conflict',
      reason: 'project_archived',
    });
  });

  it('get and getByKey return the task with its relations', async () => {
    const { team, project, chore } = await createBoard();
    const created = await team.member.gw.tasks.create({
      project_id: project.id,
      title: 'Keyed',
      assignee_id: team.admin.id,
      label_ids: [chore.id],
    });
    const byId = await team.viewer.gw.tasks.get(created.id);
    expect(byId).toEqual(created);
    const byKey = await team.viewer.gw.tasks.getByKey(team.workspace.id, 'eng-1');
    expect(byKey).toEqual(created);
    expect(await failureOf(() => team.viewer.gw.tasks.getByKey(team.workspace.id, 'ENG-99'))).toMatchObject({
      code: 'not_found',
    });
    expect(await failureOf(() => team.outsider.gw.tasks.getByKey(team.workspace.id, 'ENG-1'))).toMatchObject({
      code: 'not_found',
    });
  });

  it('update edits fields and an assignee outside the workspace is rejected', async () => {
    const { team, project } = await createBoard();
    const task = await team.member.gw.tasks.create({ project_id: project.id, title: 'Edit me' });
    const updated = await team.member.gw.tasks.update(task.id, {
      title: 'Edited',
      status: 'in_progress',
      assignee_id: team.viewer.id,
      due_date: null,
    });
    expect(updated).toMatchObject({
      title: 'Edited',
      status: 'in_progress',
      assignee: { id: team.viewer.id },
    });
    expect(
      await failureOf(() => team.member.gw.tasks.update(task.id, { assignee_id: team.outsider.id })),
    ).toMatchObject({ code: 'conflict', reason: '23503' });
  });

  it('move places a task between neighbours and rejects neighbours from another column', async () => {
    const { team, project } = await createBoard();
    const a = await team.member.gw.tasks.create({ project_id: project.id, title: 'A' });
    const b = await team.member.gw.tasks.create({ project_id: project.id, title: 'B' });
    const c = await team.member.gw.tasks.create({ project_id: project.id, title: 'C' });
    await team.member.gw.tasks.move(c.id, { after_task_id: a.id, before_task_id: b.id });
    const todo = await team.viewer.gw.tasks.list({ project_id: project.id, status: 'todo' });
    expect(todo.items.map((t) => t.title)).toEqual(['A', 'C', 'B']);

    const moved = await team.member.gw.tasks.move(a.id, { status: 'done' });
    expect(moved).toMatchObject({ status: 'done', key: 'ENG-1', labels: [] });
    expect(
      await failureOf(() => team.member.gw.tasks.move(b.id, { status: 'in_progress', after_task_id: c.id })),
    ).toMatchObject({ code: 'validation_failed', status: 400, reason: 'invalid_move' });
  });

  it('delete moves the task to the trash: gone from reads; deleting it again is harmless', async () => {
    const { team, project } = await createBoard();
    const task = await team.member.gw.tasks.create({ project_id: project.id, title: 'Doomed' });
    const entry = await team.member.gw.tasks.delete(task.id);
    expect(await failureOf(() => team.member.gw.tasks.get(task.id))).toMatchObject({ code: 'not_found' });
    expect(await team.member.gw.tasks.delete(task.id)).toEqual(entry);
  });

  it('addLabel and removeLabel change the task’s labels', async () => {
    const { team, project, bug, chore } = await createBoard();
    const task = await team.member.gw.tasks.create({ project_id: project.id, title: 'Label me' });
    await team.member.gw.tasks.addLabel(task.id, bug.id);
    await team.member.gw.tasks.addLabel(task.id, chore.id);
    expect((await team.viewer.gw.tasks.get(task.id)).labels.map((l) => l.name).sort()).toEqual([
      'bug',
      'chore',
    ]);
    expect(await failureOf(() => team.member.gw.tasks.addLabel(task.id, bug.id))).toMatchObject({
      code: 'conflict',
    });
    await team.member.gw.tasks.removeLabel(task.id, bug.id);
    expect((await team.viewer.gw.tasks.get(task.id)).labels.map((l) => l.name)).toEqual(['chore']);
    expect(await failureOf(() => team.viewer.gw.tasks.removeLabel(task.id, chore.id))).toMatchObject({
      code: 'forbidden',
    });
    expect(await failureOf(() => team.viewer.gw.tasks.addLabel(task.id, bug.id))).toMatchObject({
      code: 'forbidden',
    });
  });

  describe('list', () => {
    it('filters by project, status, assignee, label, due date and text', async () => {
      const { team, project, bug } = await createBoard();
      const other = await team.admin.gw.projects.create({
        workspace_id: team.workspace.id,
        name: 'Ops',
        key: 'OPS',
      });
      const gw = team.member.gw;
      await gw.tasks.create({ project_id: project.id, title: 'Login page crashes', label_ids: [bug.id] });
      await gw.tasks.create({
        project_id: project.id,
        title: 'Write docs',
        status: 'in_progress',
        assignee_id: team.admin.id,
        due_date: '2030-01-10',
      });
      await gw.tasks.create({
        project_id: project.id,
        title: 'Ship it',
        status: 'done',
        due_date: '2030-02-01',
      });
      await gw.tasks.create({ project_id: other.id, title: 'Rotate keys', assignee_id: team.member.id });

      const titles = async (filters: Parameters<typeof gw.tasks.list>[0]) =>
        (await team.viewer.gw.tasks.list(filters)).items.map((t) => t.title).sort();

      expect(await titles({ workspace_id: team.workspace.id })).toEqual([
        'Login page crashes',
        'Rotate keys',
        'Ship it',
        'Write docs',
      ]);
      expect(await titles({ project_id: other.id })).toEqual(['Rotate keys']);
      expect(await titles({ project_id: project.id, status: 'done' })).toEqual(['Ship it']);
      expect(await titles({ project_id: project.id, status: ['todo', 'in_progress'] })).toEqual([
        'Login page crashes',
        'Write docs',
      ]);
      expect(await titles({ workspace_id: team.workspace.id, assignee_id: team.admin.id })).toEqual([
        'Write docs',
      ]);
      expect(await titles({ project_id: project.id, assignee_id: null })).toEqual([
        'Login page crashes',
        'Ship it',
      ]);
      expect(await titles({ workspace_id: team.workspace.id, label_id: bug.id })).toEqual([
        'Login page crashes',
      ]);
      expect(await titles({ workspace_id: team.workspace.id, due_before: '2030-01-31' })).toEqual([
        'Write docs',
      ]);
      expect(await titles({ workspace_id: team.workspace.id, search: 'crash' })).toEqual([
        'Login page crashes',
      ]);
      expect(await titles({ workspace_id: team.workspace.id, search: 'login -page' })).toEqual([]);

      // The label filter does not trim the labels a task is returned with.
      await gw.labels.create({ workspace_id: team.workspace.id, name: 'ui' }).then(async (ui) => {
        const [login] = (await gw.tasks.list({ workspace_id: team.workspace.id, label_id: bug.id })).items;
        await gw.tasks.addLabel(login?.id ?? '', ui.id);
        const [again] = (await gw.tasks.list({ workspace_id: team.workspace.id, label_id: bug.id })).items;
        expect(again?.labels.map((l) => l.name).sort()).toEqual(['bug', 'ui']);
      });
    });

    it('paginates by board position with cursors, without gaps or repeats', async () => {
      const { team, project } = await createBoard();
      const expected: string[] = [];
      for (let i = 1; i <= 7; i++) {
        await team.member.gw.tasks.create({ project_id: project.id, title: `T${i}` });
        expected.push(`T${i}`);
      }
      const { titles, pages } = await collectAll((cursor) =>
        team.viewer.gw.tasks.list({ project_id: project.id, limit: 3, ...(cursor ? { cursor } : {}) }),
      );
      expect(titles).toEqual(expected);
      expect(pages).toBe(3);
    });

    it('paginates newest first with cursors', async () => {
      const { team, project } = await createBoard();
      for (let i = 1; i <= 5; i++)
        await team.member.gw.tasks.create({ project_id: project.id, title: `N${i}` });
      const { titles, pages } = await collectAll((cursor) =>
        team.viewer.gw.tasks.list({
          project_id: project.id,
          order: 'newest',
          limit: 2,
          ...(cursor ? { cursor } : {}),
        }),
      );
      expect(titles).toEqual(['N5', 'N4', 'N3', 'N2', 'N1']);
      expect(pages).toBe(3);
    });

    it('a forged cursor is validation_failed', async () => {
      const { team, project } = await createBoard();
      expect(
        await failureOf(() => team.viewer.gw.tasks.list({ project_id: project.id, cursor: 'not-a-cursor' })),
      ).toMatchObject({
        code: 'validation_failed',
        reason: 'invalid_cursor',
        fields: { cursor: expect.any(Array) },
      });
    });
  });

  it('search ranks title matches first and only within the workspace', async () => {
    const { team, project } = await createBoard();
    await team.member.gw.tasks.create({
      project_id: project.id,
      title: 'Unrelated',
      description: 'mentions invoice',
    });
    await team.member.gw.tasks.create({
      project_id: project.id,
      title: 'Invoice export',
      assignee_id: team.member.id,
    });
    const results = await team.viewer.gw.tasks.search({ workspace_id: team.workspace.id, query: 'invoice' });
    expect(results.map((t) => t.title)).toEqual(['Invoice export', 'Unrelated']);
    expect(results[0]?.assignee?.id).toBe(team.member.id);
    expect(
      await team.outsider.gw.tasks.search({ workspace_id: team.workspace.id, query: 'invoice' }),
    ).toEqual([]);
  });
});
