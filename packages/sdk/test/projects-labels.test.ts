import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, createTeam, failureOf } from './support/team.ts';

let db: pg.Client;

beforeAll(async () => {
  db = await connectDatabase();
});

afterAll(async () => {
  await db.end();
});

describe('gw.projects', () => {
  it('admins create projects with an upper-cased key; members cannot', async () => {
    const team = await createTeam(db);
    const project = await team.admin.gw.projects.create({
      workspace_id: team.workspace.id,
      name: 'Engineering',
      key: 'eng',
      description: 'Core work',
    });
    expect(project).toMatchObject({ workspace_id: team.workspace.id, key: 'ENG', archived: false });
    expect(
      await failureOf(() =>
        team.member.gw.projects.create({ workspace_id: team.workspace.id, name: 'X', key: 'XX' }),
      ),
    ).toMatchObject({ code: 'forbidden', status: 403 });
    expect(
      await failureOf(() =>
        team.admin.gw.projects.create({ workspace_id: team.workspace.id, name: 'Y', key: 'ENG' }),
      ),
    ).toMatchObject({ code: 'conflict', status: 409 });
  });

  it('list, get, update, archive, unarchive and delete', async () => {
    const team = await createTeam(db);
    const web = await team.admin.gw.projects.create({
      workspace_id: team.workspace.id,
      name: 'Web',
      key: 'WEB',
    });
    const api = await team.admin.gw.projects.create({
      workspace_id: team.workspace.id,
      name: 'API',
      key: 'API',
    });

    expect((await team.viewer.gw.projects.list(team.workspace.id)).map((p) => p.name)).toEqual([
      'API',
      'Web',
    ]);
    expect((await team.viewer.gw.projects.get(web.id)).key).toBe('WEB');

    const renamed = await team.admin.gw.projects.update(web.id, { name: 'Website', key: 'site' });
    expect(renamed).toMatchObject({ name: 'Website', key: 'SITE' });

    expect((await team.admin.gw.projects.archive(api.id)).archived).toBe(true);
    expect((await team.viewer.gw.projects.list(team.workspace.id)).map((p) => p.id)).toEqual([web.id]);
    expect(
      (await team.viewer.gw.projects.list(team.workspace.id, { include_archived: true }))
        .map((p) => p.id)
        .sort(),
    ).toEqual([web.id, api.id].sort());
    expect((await team.admin.gw.projects.unarchive(api.id)).archived).toBe(false);

    await team.admin.gw.projects.delete(api.id);
    expect(await failureOf(() => team.viewer.gw.projects.get(api.id))).toMatchObject({ code: 'not_found' });
  });

  it('members cannot change, archive or delete projects; outsiders cannot see them', async () => {
    const team = await createTeam(db);
    const web = await team.admin.gw.projects.create({
      workspace_id: team.workspace.id,
      name: 'Web',
      key: 'WEB',
    });
    for (const attempt of [
      () => team.member.gw.projects.update(web.id, { name: 'Nope' }),
      () => team.member.gw.projects.archive(web.id),
      () => team.member.gw.projects.delete(web.id),
    ]) {
      expect(await failureOf(attempt)).toMatchObject({ code: 'forbidden' });
    }
    expect(await failureOf(() => team.outsider.gw.projects.get(web.id))).toMatchObject({ code: 'not_found' });
    expect(await failureOf(() => team.outsider.gw.projects.archive(web.id))).toMatchObject({
      code: 'not_found',
    });
    expect(await team.outsider.gw.projects.list(team.workspace.id)).toEqual([]);
    expect(
      await failureOf(() =>
        team.outsider.gw.projects.create({ workspace_id: team.workspace.id, name: 'X', key: 'XX' }),
      ),
    ).toMatchObject({ code: 'not_found', reason: 'workspace_not_found' });
  });

  it('the free plan’s project limit surfaces as plan_limit_reached with the limit details', async () => {
    const team = await createTeam(db, 'free');
    for (const key of ['AA', 'BB', 'CC']) {
      await team.admin.gw.projects.create({ workspace_id: team.workspace.id, name: key, key });
    }
    const error = await failureOf(() =>
      team.admin.gw.projects.create({ workspace_id: team.workspace.id, name: 'DD', key: 'DD' }),
    );
    expect(error).toMatchObject({
      code: 'plan_limit_reached',
      status: 402,
      reason: 'plan_limit_reached',
      details: { limit: 'projects', max: 3, current: 3 },
    });
  });
});

describe('gw.labels', () => {
  it('members create, list, update and delete labels; names are unique ignoring case', async () => {
    const team = await createTeam(db);
    const bug = await team.member.gw.labels.create({
      workspace_id: team.workspace.id,
      name: 'bug',
      color: '#ef4444',
    });
    const chore = await team.member.gw.labels.create({ workspace_id: team.workspace.id, name: 'chore' });
    expect(chore.color).toBe('#6b7280');
    expect((await team.viewer.gw.labels.list(team.workspace.id)).map((l) => l.name)).toEqual([
      'bug',
      'chore',
    ]);
    expect(
      await failureOf(() => team.member.gw.labels.create({ workspace_id: team.workspace.id, name: 'BUG' })),
    ).toMatchObject({ code: 'conflict' });

    expect(await team.member.gw.labels.update(bug.id, { color: '#f97316' })).toMatchObject({
      color: '#f97316',
    });
    await team.member.gw.labels.delete(chore.id);
    expect((await team.viewer.gw.labels.list(team.workspace.id)).map((l) => l.name)).toEqual(['bug']);
  });

  it('viewers cannot change labels and outsiders cannot see them', async () => {
    const team = await createTeam(db);
    const bug = await team.member.gw.labels.create({ workspace_id: team.workspace.id, name: 'bug' });
    expect(
      await failureOf(() => team.viewer.gw.labels.create({ workspace_id: team.workspace.id, name: 'x' })),
    ).toMatchObject({ code: 'forbidden' });
    expect(await failureOf(() => team.viewer.gw.labels.update(bug.id, { name: 'y' }))).toMatchObject({
      code: 'forbidden',
    });
    expect(await failureOf(() => team.viewer.gw.labels.delete(bug.id))).toMatchObject({ code: 'forbidden' });
    expect(await failureOf(() => team.outsider.gw.labels.delete(bug.id))).toMatchObject({
      code: 'not_found',
    });
    expect(await team.outsider.gw.labels.list(team.workspace.id)).toEqual([]);
    expect(
      await failureOf(() => team.outsider.gw.labels.create({ workspace_id: team.workspace.id, name: 'x' })),
    ).toMatchObject({ code: 'not_found', reason: 'workspace_not_found' });
  });
});
