import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createGroundworkClient } from '../src/index.ts';
import { connectDatabase, createTeam, failureOf } from './support/team.ts';

let db: pg.Client;

beforeAll(async () => {
  db = await connectDatabase();
});

afterAll(async () => {
  await db.end();
});

function clientWithKey(apiKey: string) {
  const { apiUrl, publishableKey } = inject('stack');
  return createGroundworkClient({ url: apiUrl, key: publishableKey, apiKey });
}

describe('gw.apiKeys and a client from an API key', () => {
  it('an admin creates, lists and revokes a key; a script reads with it until it is revoked', async () => {
    const team = await createTeam(db);
    const project = await team.admin.gw.projects.create({
      workspace_id: team.workspace.id,
      name: 'Web',
      key: 'WEB',
    });
    await team.member.gw.tasks.create({ project_id: project.id, title: 'Ship it' });

    const created = await team.admin.gw.apiKeys.create({
      workspace_id: team.workspace.id,
      name: 'CI',
      permissions: ['tasks.read', 'projects.read'],
    });
    expect(created).toMatchObject({
      name: 'CI',
      permissions: ['projects.read', 'tasks.read'],
      revoked_at: null,
    });
    expect(created.key.startsWith(created.prefix)).toBe(true);

    const ci = clientWithKey(created.key);
    const { items } = await ci.tasks.list({ workspace_id: team.workspace.id });
    expect(items.map((t) => t.title)).toEqual(['Ship it']);
    expect(
      await failureOf(() => ci.tasks.create({ project_id: project.id, title: 'From CI' })),
    ).toMatchObject({
      name: 'GroundworkError',
    });

    const listed = await team.admin.gw.apiKeys.list(team.workspace.id);
    expect(listed.map((k) => [k.id, k.prefix, k.name])).toEqual([[created.id, created.prefix, 'CI']]);
    expect(listed[0]).not.toHaveProperty('key');

    const revoked = await team.admin.gw.apiKeys.revoke(created.id);
    expect(revoked.revoked_at).not.toBeNull();
    expect(await failureOf(() => ci.tasks.list({ workspace_id: team.workspace.id }))).toMatchObject({
      code: 'unauthenticated',
      reason: 'api_key_revoked',
      status: 401,
    });
  });

  it('a client from an API key calls the functions that take keys: invitations.create and audit.export', async () => {
    const team = await createTeam(db);
    const created = await team.owner.gw.apiKeys.create({
      workspace_id: team.workspace.id,
      name: 'Provisioning',
      // Inviting as viewer needs the viewer's permissions too, for a key as for a person.
      permissions: [
        'members.invite',
        'audit.read',
        'activity.read',
        'attachments.read',
        'comments.read',
        'labels.read',
        'projects.read',
        'tasks.read',
      ],
    });
    const script = clientWithKey(created.key);
    const invitation = await script.invitations.create({
      workspace_id: team.workspace.id,
      email: `hire-${Date.now()}@example.test`,
      role: 'viewer',
    });
    expect(invitation).toMatchObject({
      workspace_id: team.workspace.id,
      role: 'viewer',
      invited_by: created.id,
    });
    const exported = await script.audit.export({ workspace_id: team.workspace.id, format: 'json' });
    expect(exported.rows).toBeGreaterThan(0);
    expect((await fetch(exported.url)).status).toBe(200);

    await team.owner.gw.apiKeys.revoke(created.id);
    expect(
      await failureOf(() => script.audit.export({ workspace_id: team.workspace.id, format: 'json' })),
    ).toMatchObject({ code: 'unauthenticated', reason: 'api_key_revoked', status: 401 });
  });

  it('members without api_keys.manage are refused; bad input is refused before any request', async () => {
    const team = await createTeam(db);
    expect(
      await failureOf(() =>
        team.member.gw.apiKeys.create({
          workspace_id: team.workspace.id,
          name: 'CI',
          permissions: ['tasks.read'],
        }),
      ),
    ).toMatchObject({ code: 'forbidden', status: 403 });
    expect(await failureOf(() => team.admin.gw.apiKeys.list('not-a-uuid'))).toMatchObject({
      code: 'validation_failed',
    });
    expect(() => clientWithKey('sk_live_nope')).toThrow(/apiKey/);
  });
});
