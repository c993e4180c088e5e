import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGroundworkError } from '../src/index.ts';
import {
  anonymousClient,
  connectDatabase,
  createPerson,
  createTeam,
  failureOf,
  uniqueSuffix,
} from './support/team.ts';

let db: pg.Client;

beforeAll(async () => {
  db = await connectDatabase();
});

afterAll(async () => {
  await db.end();
});

/** What a caller can observe of a refusal: everything but the stack. */
function errorShape(error: unknown) {
  if (!isGroundworkError(error)) throw error;
  const { code, status, reason, message, fields, details } = error;
  return { code, status, reason, message, fields, details };
}

describe('gw.workspaces', () => {
  it('create makes the caller the owner and list shows it with the role', async () => {
    const alice = await createPerson(db);
    const slug = `acme-${uniqueSuffix()}`;
    const created = await alice.gw.workspaces.create({ name: '  Acme  ', slug });
    expect(created).toMatchObject({ name: 'Acme', slug, plan: 'free' });

    const mine = await alice.gw.workspaces.list();
    expect(mine).toEqual([expect.objectContaining({ id: created.id, role: 'owner' })]);
  });

  it('list returns only the caller’s workspaces, each with the caller’s own role', async () => {
    const team = await createTeam(db);
    const other = await createTeam(db);
    await db.query('insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, $3)', [
      other.workspace.id,
      team.viewer.id,
      'admin',
    ]);
    const listed = await team.viewer.gw.workspaces.list();
    const roles = Object.fromEntries(listed.map((ws) => [ws.id, ws.role]));
    expect(roles).toEqual({ [team.workspace.id]: 'viewer', [other.workspace.id]: 'admin' });
    expect(await team.outsider.gw.workspaces.list()).toEqual([]);
  });

  it('create with a slug in use is a conflict with reason slug_taken', async () => {
    const team = await createTeam(db);
    const error = await failureOf(() =>
      team.outsider.gw.workspaces.create({ name: 'Copy', slug: team.workspace.slug }),
    );
    expect(error).toMatchObject({
      name: 'GroundworkError',
      code: 'conflict',
      status: 409,
      reason: 'slug_taken',
    });
  });

  it('get finds a workspace by id or slug for members and is not_found for outsiders', async () => {
    const team = await createTeam(db);
    expect((await team.viewer.gw.workspaces.get(team.workspace.slug)).id).toBe(team.workspace.id);
    expect((await team.viewer.gw.workspaces.get(team.workspace.id)).slug).toBe(team.workspace.slug);
    expect(await failureOf(() => team.outsider.gw.workspaces.get(team.workspace.id))).toMatchObject({
      code: 'not_found',
    });
  });

  it('update renames for admins, is forbidden for members and not_found for outsiders', async () => {
    const team = await createTeam(db);
    const renamed = await team.admin.gw.workspaces.update(team.workspace.id, { name: 'Renamed' });
    expect(renamed.name).toBe('Renamed');
    expect(
      await failureOf(() => team.member.gw.workspaces.update(team.workspace.id, { name: 'Nope' })),
    ).toMatchObject({ code: 'forbidden' });
    expect(
      await failureOf(() => team.outsider.gw.workspaces.update(team.workspace.id, { name: 'Nope' })),
    ).toMatchObject({ code: 'not_found' });
  });

  it('delete is for owners only', async () => {
    const team = await createTeam(db);
    expect(await failureOf(() => team.admin.gw.workspaces.delete(team.workspace.id))).toMatchObject({
      code: 'forbidden',
    });
    await team.owner.gw.workspaces.delete(team.workspace.id);
    expect(await failureOf(() => team.owner.gw.workspaces.get(team.workspace.id))).toMatchObject({
      code: 'not_found',
    });
  });

  it('usage reports members, invitations and projects against the plan, for members only', async () => {
    const team = await createTeam(db, 'free');
    await team.admin.gw.projects.create({ workspace_id: team.workspace.id, name: 'Web', key: 'WEB' });
    expect(await team.viewer.gw.workspaces.usage(team.workspace.id)).toEqual({
      plan: 'free',
      members: 4,
      pending_invitations: 0,
      projects: 1,
      max_members: 5,
      max_projects: 3,
      storage_limit_bytes: 1073741824,
    });
    expect(await failureOf(() => team.outsider.gw.workspaces.usage(team.workspace.id))).toMatchObject({
      code: 'not_found',
      status: 404,
      reason: 'workspace_not_found',
    });
  });

  it('a caller without a session is unauthenticated', async () => {
    const error = await failureOf(() =>
      anonymousClient().workspaces.create({ name: 'X', slug: `x-${uniqueSuffix()}` }),
    );
    expect(isGroundworkError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'unauthenticated' });
    expect(await failureOf(() => anonymousClient().workspaces.list())).toMatchObject({
      code: 'unauthenticated',
    });
  });
});

describe('gw.members', () => {
  it('list returns every member with role and profile', async () => {
    const team = await createTeam(db);
    const members = await team.viewer.gw.members.list(team.workspace.id);
    expect(members.map((m) => [m.user_id, m.role])).toEqual(
      expect.arrayContaining([
        [team.owner.id, 'owner'],
        [team.admin.id, 'admin'],
        [team.member.id, 'member'],
        [team.viewer.id, 'viewer'],
      ]),
    );
    expect(members).toHaveLength(4);
    const owner = members.find((m) => m.user_id === team.owner.id);
    expect(owner?.profile?.display_name).toMatch(/^owner /);
    expect(await failureOf(() => team.outsider.gw.members.list(team.workspace.id))).toMatchObject({
      code: 'not_found',
      reason: 'workspace_not_found',
    });
  });

  it('changeRole lets admins promote members but not touch owners', async () => {
    const team = await createTeam(db);
    const promoted = await team.admin.gw.members.changeRole({
      workspace_id: team.workspace.id,
      user_id: team.viewer.id,
      role: 'member',
    });
    expect(promoted).toMatchObject({ user_id: team.viewer.id, role: 'member' });
    expect(promoted.profile?.id).toBe(team.viewer.id);

    const demoteOwner = await failureOf(() =>
      team.admin.gw.members.changeRole({
        workspace_id: team.workspace.id,
        user_id: team.owner.id,
        role: 'viewer',
      }),
    );
    expect(demoteOwner).toMatchObject({ code: 'forbidden' });
    const byMember = await failureOf(() =>
      team.member.gw.members.changeRole({
        workspace_id: team.workspace.id,
        user_id: team.viewer.id,
        role: 'admin',
      }),
    );
    expect(byMember).toMatchObject({ code: 'forbidden' });
  });

  it("assignRole gives a member one of the workspace's custom roles, audited; viewers and other workspaces' roles are refused", async () => {
    const team = await createTeam(db);
    const triager = await team.admin.gw.roles.create({
      workspace_id: team.workspace.id,
      name: 'Triager',
      permissions: ['tasks.update'],
    });
    const assigned = await team.admin.gw.members.assignRole({
      workspace_id: team.workspace.id,
      user_id: team.member.id,
      role_id: triager.id,
    });
    // A custom role has no built-in name: `role` is null, role_id says which.
    expect(assigned).toMatchObject({ user_id: team.member.id, role: null, role_id: triager.id });
    expect(assigned.profile?.id).toBe(team.member.id);
    expect(await team.member.gw.roles.myPermissions(team.workspace.id)).toEqual([
      'tasks.read',
      'tasks.update',
    ]);
    const [entry] = await team.admin.gw.audit.list({
      workspace_id: team.workspace.id,
      target_table: 'workspace_members',
      target_id: team.member.id,
      action: 'update',
    });
    expect(entry).toMatchObject({
      actor_id: team.admin.id,
      changes: { role: { before: 'member', after: null }, role_id: { after: triager.id } },
    });
    const feed = await team.viewer.gw.activity.list({ workspace_id: team.workspace.id, limit: 5 });
    expect(feed.items.find((a) => a.action === 'role_changed')).toMatchObject({
      entity_id: team.member.id,
      payload: { from: 'member', to: 'Triager' },
    });

    // Back to a built-in role by its id, too.
    const builtIn = (await team.admin.gw.roles.list(team.workspace.id)).find((r) => r.builtin === 'viewer');
    expect(
      await team.admin.gw.members.assignRole({
        workspace_id: team.workspace.id,
        user_id: team.member.id,
        role_id: builtIn?.id ?? '',
      }),
    ).toMatchObject({ role: 'viewer', role_id: builtIn?.id });

    // A viewer (no members.manage) is refused and nothing changes.
    expect(
      await failureOf(() =>
        team.viewer.gw.members.assignRole({
          workspace_id: team.workspace.id,
          user_id: team.member.id,
          role_id: triager.id,
        }),
      ),
    ).toMatchObject({ code: 'forbidden', status: 403 });
    // Someone outside the workspace learns nothing about it.
    expect(
      await failureOf(() =>
        team.outsider.gw.members.assignRole({
          workspace_id: team.workspace.id,
          user_id: team.member.id,
          role_id: triager.id,
        }),
      ),
    ).toMatchObject({ code: 'not_found', reason: 'member_not_found' });

    // Another workspace's custom role reads exactly like a made-up id.
    const other = await createTeam(db);
    const foreign = await other.owner.gw.roles.create({ workspace_id: other.workspace.id, name: 'Triager' });
    const assign = (role_id: string) =>
      failureOf(() =>
        team.admin.gw.members.assignRole({
          workspace_id: team.workspace.id,
          user_id: team.member.id,
          role_id,
        }),
      );
    const foreignRefusal = await assign(foreign.id);
    const randomRefusal = await assign(randomUUID());
    expect(foreignRefusal).toMatchObject({ code: 'not_found', status: 404, reason: 'role_not_found' });
    expect(errorShape(foreignRefusal)).toEqual(errorShape(randomRefusal));
    expect(
      (await team.viewer.gw.members.list(team.workspace.id)).find((m) => m.user_id === team.member.id),
    ).toMatchObject({ role: 'viewer' });
  });

  it('the last owner cannot demote themselves (conflict, last_owner)', async () => {
    const team = await createTeam(db);
    const error = await failureOf(() =>
      team.owner.gw.members.changeRole({
        workspace_id: team.workspace.id,
        user_id: team.owner.id,
        role: 'admin',
      }),
    );
    expect(error).toMatchObject({ code: 'conflict', status: 409, reason: 'last_owner' });
  });

  it('remove is for admins; members cannot remove others', async () => {
    const team = await createTeam(db);
    expect(
      await failureOf(() =>
        team.member.gw.members.remove({ workspace_id: team.workspace.id, user_id: team.viewer.id }),
      ),
    ).toMatchObject({ code: 'forbidden' });
    await team.admin.gw.members.remove({ workspace_id: team.workspace.id, user_id: team.viewer.id });
    expect(await team.viewer.gw.workspaces.list()).toEqual([]);
    expect(
      await failureOf(() =>
        team.admin.gw.members.remove({ workspace_id: team.workspace.id, user_id: team.viewer.id }),
      ),
    ).toMatchObject({ code: 'not_found' });
  });

  it('leave removes the caller; the last owner cannot leave', async () => {
    const team = await createTeam(db);
    await team.member.gw.members.leave(team.workspace.id);
    expect(await team.member.gw.workspaces.list()).toEqual([]);
    expect(await failureOf(() => team.owner.gw.members.leave(team.workspace.id))).toMatchObject({
      code: 'conflict',
      reason: 'last_owner',
    });
    expect(await failureOf(() => team.outsider.gw.members.leave(team.workspace.id))).toMatchObject({
      code: 'not_found',
    });
  });

  it('transferOwnership hands over ownership and keeps the old owner as admin', async () => {
    const team = await createTeam(db);
    expect(
      await failureOf(() =>
        team.admin.gw.members.transferOwnership({
          workspace_id: team.workspace.id,
          new_owner_id: team.admin.id,
        }),
      ),
    ).toMatchObject({ code: 'forbidden', status: 403 });
    await team.owner.gw.members.transferOwnership({
      workspace_id: team.workspace.id,
      new_owner_id: team.member.id,
    });
    const roles = Object.fromEntries(
      (await team.owner.gw.members.list(team.workspace.id)).map((m) => [m.user_id, m.role]),
    );
    expect(roles[team.member.id]).toBe('owner');
    expect(roles[team.owner.id]).toBe('admin');
    expect(
      await failureOf(() =>
        team.member.gw.members.transferOwnership({
          workspace_id: team.workspace.id,
          new_owner_id: team.outsider.id,
        }),
      ),
    ).toMatchObject({ code: 'not_found', reason: 'member_not_found' });
  });
});
