import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, createPerson, createTeam, failureOf, uniqueSuffix } from './support/team.ts';

// gw.inviteLinks, gw.domains, gw.roles and gw.audit against the real stack.

const MEMBER_ROLE = '00000000-0000-4000-8000-0000000000a2';
let db: pg.Client;

beforeAll(async () => {
  db = await connectDatabase();
});

afterAll(async () => {
  await db.end();
});

describe('gw.inviteLinks', () => {
  it('create, list, join up to the cap, revoke', async () => {
    const team = await createTeam(db);
    const link = await team.admin.gw.inviteLinks.create({
      workspace_id: team.workspace.id,
      role_id: MEMBER_ROLE,
      max_uses: 1,
    });
    expect(link).toMatchObject({
      workspace_id: team.workspace.id,
      role_id: MEMBER_ROLE,
      max_uses: 1,
      use_count: 0,
    });
    expect(link.token.length).toBeGreaterThan(40);
    const listed = await team.admin.gw.inviteLinks.list(team.workspace.id);
    expect(listed.map((l) => l.id)).toEqual([link.id]);
    expect(listed[0]).not.toHaveProperty('token_hash');
    expect(await team.member.gw.inviteLinks.list(team.workspace.id)).toEqual([]);

    const joiner = await createPerson(db);
    expect((await joiner.gw.inviteLinks.join(link.token)).id).toBe(team.workspace.id);
    expect((await joiner.gw.workspaces.list()).map((w) => w.id)).toEqual([team.workspace.id]);
    const late = await createPerson(db);
    expect(await failureOf(() => late.gw.inviteLinks.join(link.token))).toMatchObject({
      code: 'not_found',
      status: 410,
      reason: 'invite_link_expired',
    });

    expect(await failureOf(() => team.member.gw.inviteLinks.revoke(link.id))).toMatchObject({
      code: 'not_found',
    });
    expect((await team.admin.gw.inviteLinks.revoke(link.id)).revoked_at).not.toBeNull();
  });

  it('validates before any request and maps the database’s refusals', async () => {
    const team = await createTeam(db);
    expect(
      await failureOf(() =>
        team.admin.gw.inviteLinks.create({
          workspace_id: team.workspace.id,
          role_id: MEMBER_ROLE,
          max_uses: 0,
        }),
      ),
    ).toMatchObject({ code: 'validation_failed', fields: { max_uses: expect.any(Array) } });
    expect(
      await failureOf(() =>
        team.outsider.gw.inviteLinks.create({ workspace_id: team.workspace.id, role_id: MEMBER_ROLE }),
      ),
    ).toMatchObject({ code: 'not_found', reason: 'workspace_not_found' });
    expect(
      await failureOf(() =>
        team.member.gw.inviteLinks.create({ workspace_id: team.workspace.id, role_id: MEMBER_ROLE }),
      ),
    ).toMatchObject({ code: 'forbidden' });
    expect(await failureOf(() => team.outsider.gw.inviteLinks.join('y'.repeat(43)))).toMatchObject({
      code: 'not_found',
      reason: 'invite_link_not_found',
    });
  });
});

describe('gw.domains', () => {
  it('verify, list, suggested, join, remove', async () => {
    const team = await createTeam(db);
    const domain = `sdk-${uniqueSuffix()}.test`;
    const itAdmin = await createPerson(db, { email: `it@${domain}` });
    await db.query(
      `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'admin')`,
      [team.workspace.id, itAdmin.id],
    );
    expect(
      await failureOf(() => team.admin.gw.domains.verify({ workspace_id: team.workspace.id, domain })),
    ).toMatchObject({ code: 'forbidden', reason: 'domain_not_verified' });
    const verified = await itAdmin.gw.domains.verify({
      workspace_id: team.workspace.id,
      domain,
      join_role_id: MEMBER_ROLE,
    });
    expect(verified).toMatchObject({ domain, join_role_id: MEMBER_ROLE, verified_by: itAdmin.id });
    expect((await team.admin.gw.domains.list(team.workspace.id)).map((d) => d.domain)).toEqual([domain]);

    const colleague = await createPerson(db, { email: `ana@${domain}` });
    const suggestions = await colleague.gw.domains.suggested();
    expect(suggestions).toEqual([
      {
        workspace_id: team.workspace.id,
        name: team.workspace.name,
        slug: team.workspace.slug,
        domain,
        can_join: true,
      },
    ]);
    expect((await colleague.gw.domains.join(team.workspace.id)).id).toBe(team.workspace.id);
    const stranger = await createPerson(db, { email: `x@elsewhere-${uniqueSuffix()}.test` });
    expect(await stranger.gw.domains.suggested()).toEqual([]);
    expect(await failureOf(() => stranger.gw.domains.join(team.workspace.id))).toMatchObject({
      code: 'not_found',
      reason: 'workspace_not_found',
    });

    await team.admin.gw.domains.remove(verified.id);
    expect(await team.admin.gw.domains.list(team.workspace.id)).toEqual([]);
    expect(await failureOf(() => team.admin.gw.domains.remove(verified.id))).toMatchObject({
      code: 'not_found',
    });
  });
});

describe('gw.roles', () => {
  it('custom roles CRUD within the manager’s permissions, and myPermissions', async () => {
    const team = await createTeam(db);
    const triager = await team.admin.gw.roles.create({
      workspace_id: team.workspace.id,
      name: 'Triager',
      permissions: ['tasks.update'],
    });
    // tasks.update implies tasks.read.
    expect(triager).toMatchObject({
      workspace_id: team.workspace.id,
      name: 'Triager',
      permissions: ['tasks.read', 'tasks.update'],
    });
    const names = (await team.viewer.gw.roles.list(team.workspace.id)).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['Owner', 'Admin', 'Member', 'Viewer', 'Triager']));
    expect((await team.admin.gw.roles.update(triager.id, { description: 'Sorts tasks' })).description).toBe(
      'Sorts tasks',
    );
    expect(
      await failureOf(() =>
        team.admin.gw.roles.create({
          workspace_id: team.workspace.id,
          name: 'Boss',
          permissions: ['workspace.delete'],
        }),
      ),
    ).toMatchObject({ code: 'validation_failed' });
    expect(
      await failureOf(() => team.member.gw.roles.create({ workspace_id: team.workspace.id, name: 'Mine' })),
    ).toMatchObject({ code: 'forbidden' });
    await team.admin.gw.roles.remove(triager.id);
    expect((await team.admin.gw.roles.list(team.workspace.id)).map((r) => r.name)).not.toContain('Triager');

    expect(await team.viewer.gw.roles.myPermissions(team.workspace.id)).toEqual([
      'activity.read',
      'attachments.read',
      'comments.read',
      'labels.read',
      'projects.read',
      'tasks.read',
    ]);
    expect(await failureOf(() => team.outsider.gw.roles.myPermissions(team.workspace.id))).toMatchObject({
      code: 'not_found',
    });
  });
});

describe('gw.audit', () => {
  it('lists the log newest first with filters, for audit.read holders only', async () => {
    const team = await createTeam(db);
    const label = await team.member.gw.labels.create({
      workspace_id: team.workspace.id,
      name: `l-${uniqueSuffix()}`,
    });
    await team.member.gw.labels.update(label.id, { color: '#ef4444' });
    const entries = await team.admin.gw.audit.list({
      workspace_id: team.workspace.id,
      target_table: 'labels',
      target_id: label.id,
    });
    expect(entries.map((e) => e.action)).toEqual(['update', 'insert']);
    expect(entries.every((e) => e.actor_id === team.member.id)).toBe(true);
    const onlyUpdates = await team.admin.gw.audit.list({
      workspace_id: team.workspace.id,
      actor_id: team.member.id,
      action: 'update',
      since: new Date(Date.now() - 60_000).toISOString(),
      limit: 5,
    });
    expect(onlyUpdates.map((e) => e.target_id)).toContain(label.id);
    expect(await team.member.gw.audit.list({ workspace_id: team.workspace.id })).toEqual([]);
    expect(
      await failureOf(() => team.admin.gw.audit.list({ workspace_id: team.workspace.id, limit: 5000 })),
    ).toMatchObject({ code: 'validation_failed', fields: { limit: expect.any(Array) } });
  });

  it('export needs audit.read (the function itself is tested in local-stack)', async () => {
    const team = await createTeam(db);
    expect(
      await failureOf(() => team.member.gw.audit.export({ workspace_id: team.workspace.id })),
    ).toMatchObject({
      code: 'forbidden',
    });
    expect(
      await failureOf(() =>
        team.admin.gw.audit.export({ workspace_id: team.workspace.id, from: 'yesterday' }),
      ),
    ).toMatchObject({ code: 'validation_failed' });
  });
});
