import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant, createUser, type Tenant, type TestUser, uniqueSuffix } from './support/fixtures.ts';
import { BUILTIN_ROLE_IDS } from './support/permission-catalogue.ts';
import { connect, errorAs, queryAs, serviceRole } from './support/sql-identity.ts';

// Custom roles, the role/role_id pair on memberships and the "nobody grants more than they
// hold" rule, in SQL with PostgREST's identity switch. Who may do what per permission is
// the access matrix's job.

let db: pg.Client;
let t: Tenant;

beforeAll(async () => {
  db = connect(inject('stack').dbUrl);
  await db.connect();
  t = await createTenant(db);
});

afterAll(async () => {
  await db.end();
});

async function role(tenant: Tenant, permissions: string[], name = `role-${uniqueSuffix()}`): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    'insert into public.roles (workspace_id, name, permissions) values ($1, $2, $3) returning id',
    [tenant.workspaceId, name, permissions],
  );
  return (rows[0] as { id: string }).id;
}

async function memberWith(tenant: Tenant, roleId: string): Promise<TestUser> {
  const user = await createUser(db);
  await db.query(
    'insert into public.workspace_members (workspace_id, user_id, role_id) values ($1, $2, $3)',
    [tenant.workspaceId, user.id, roleId],
  );
  return user;
}

async function membership(tenant: Tenant, user: TestUser) {
  const { rows } = await db.query<{ role: string | null; role_id: string }>(
    'select role, role_id from public.workspace_members where workspace_id = $1 and user_id = $2',
    [tenant.workspaceId, user.id],
  );
  return rows[0];
}

describe('custom roles', () => {
  it('keep permissions sorted and unique, and add what writing implies (reading)', async () => {
    const id = await role(t, ['tasks.update', 'comments.create', 'tasks.update']);
    const { rows } = await db.query('select permissions from public.roles where id = $1', [id]);
    expect(rows[0].permissions).toEqual(['comments.create', 'comments.read', 'tasks.read', 'tasks.update']);
  });

  it('refuse unknown and owner-only permissions with invalid_permission', async () => {
    for (const permission of ['tasks.fly', 'owners.manage', 'workspace.delete']) {
      const error = await errorAs(
        db,
        t.users.admin,
        'insert into public.roles (workspace_id, name, permissions) values ($1, $2, $3)',
        [t.workspaceId, `bad-${uniqueSuffix()}`, [permission]],
      );
      expect({ permission, code: error?.code, message: error?.message }).toEqual({
        permission,
        code: '22023',
        message: 'invalid_permission',
      });
    }
  });

  it('have names unique per workspace (case-insensitive) that are not built-in names', async () => {
    await role(t, [], 'Reviewers');
    const duplicate = await errorAs(
      db,
      t.users.admin,
      'insert into public.roles (workspace_id, name) values ($1, $2)',
      [t.workspaceId, 'reviewers'],
    );
    expect(duplicate?.code).toBe('23505');
    const builtinName = await errorAs(
      db,
      t.users.admin,
      'insert into public.roles (workspace_id, name) values ($1, $2)',
      [t.workspaceId, 'Admin'],
    );
    expect(builtinName?.code).toBe('23514');
    // Another workspace may use the same name.
    const other = await createTenant(db);
    await expect(role(other, [], 'Reviewers')).resolves.toBeTypeOf('string');
  });

  it('cannot be deleted while someone holds them (role_in_use), but go with their workspace', async () => {
    const tenant = await createTenant(db);
    const id = await role(tenant, ['tasks.read']);
    await memberWith(tenant, id);
    const error = await errorAs(db, tenant.users.admin, 'delete from public.roles where id = $1', [id]);
    expect({ code: error?.code, message: error?.message }).toEqual({ code: 'PT409', message: 'role_in_use' });
    await queryAs(db, tenant.users.owner, 'delete from public.workspaces where id = $1', [
      tenant.workspaceId,
    ]);
    const { rows } = await db.query('select 1 from public.roles where id = $1', [id]);
    expect(rows).toEqual([]);
  });

  it('built-in roles are fixed, even for the service role (role_builtin)', async () => {
    const update = await errorAs(
      db,
      serviceRole,
      `update public.roles set permissions = '{}' where id = $1`,
      [BUILTIN_ROLE_IDS.viewer],
    );
    expect({ code: update?.code, message: update?.message }).toEqual({
      code: 'PT409',
      message: 'role_builtin',
    });
    const remove = await errorAs(db, serviceRole, 'delete from public.roles where id = $1', [
      BUILTIN_ROLE_IDS.member,
    ]);
    expect(remove?.message).toBe('role_builtin');
  });

  it("are written only within the writer's own permissions", async () => {
    const tenant = await createTenant(db);
    const manager = await memberWith(tenant, await role(tenant, ['roles.manage', 'tasks.read']));
    const insert = (permissions: string[]) =>
      errorAs(db, manager, 'insert into public.roles (workspace_id, name, permissions) values ($1, $2, $3)', [
        tenant.workspaceId,
        `r-${uniqueSuffix()}`,
        permissions,
      ]);
    expect(await insert(['tasks.read'])).toBeUndefined();
    expect((await insert(['tasks.read', 'tasks.delete']))?.code).toBe('42501');
    // Nor can they touch a role that holds more than they do.
    const stronger = await role(tenant, ['tasks.delete']);
    const changed = await queryAs(
      db,
      manager,
      `update public.roles set permissions = '{}' where id = $1 returning 1`,
      [stronger],
    );
    expect(changed).toEqual([]);
  });
});

describe("a membership's role and role_id", () => {
  it('follow each other whichever a client writes', async () => {
    const person = await memberWith(t, BUILTIN_ROLE_IDS.viewer);
    expect(await membership(t, person)).toEqual({ role: 'viewer', role_id: BUILTIN_ROLE_IDS.viewer });
    await queryAs(
      db,
      t.users.admin,
      `update public.workspace_members set role = 'member' where user_id = $1`,
      [person.id],
    );
    expect(await membership(t, person)).toEqual({ role: 'member', role_id: BUILTIN_ROLE_IDS.member });
    const custom = await role(t, ['tasks.read']);
    await queryAs(db, t.users.admin, 'update public.workspace_members set role_id = $2 where user_id = $1', [
      person.id,
      custom,
    ]);
    expect(await membership(t, person)).toEqual({ role: null, role_id: custom });
  });

  it('must agree when both are written, and a custom role must be of the same workspace', async () => {
    const person = await memberWith(t, BUILTIN_ROLE_IDS.viewer);
    const both = await errorAs(
      db,
      t.users.admin,
      `update public.workspace_members set role = 'member', role_id = $2 where user_id = $1`,
      [person.id, BUILTIN_ROLE_IDS.admin],
    );
    expect({ code: both?.code, message: both?.message }).toEqual({ code: '22023', message: 'invalid_input' });
    const other = await createTenant(db);
    for (const roleId of [await role(other, []), crypto.randomUUID()]) {
      const error = await errorAs(
        db,
        t.users.admin,
        'update public.workspace_members set role_id = $2 where workspace_id = $3 and user_id = $1',
        [person.id, roleId, t.workspaceId],
      );
      expect({ code: error?.code, message: error?.message }).toEqual({
        code: 'PT404',
        message: 'role_not_found',
      });
    }
  });

  it('a member manager gives only roles within their own permissions, and manages only such people', async () => {
    const tenant = await createTenant(db);
    const manager = await memberWith(
      tenant,
      await role(tenant, ['members.manage', ...(await viewerPermissions())]),
    );
    const person = await memberWith(tenant, await role(tenant, []));
    const give = (roleId: string) =>
      queryAs(
        db,
        manager,
        'update public.workspace_members set role_id = $2 where workspace_id = $3 and user_id = $1 returning 1',
        [person.id, roleId, tenant.workspaceId],
      );
    expect(await give(BUILTIN_ROLE_IDS.viewer)).toHaveLength(1);
    const promote = await errorAs(
      db,
      manager,
      'update public.workspace_members set role_id = $2 where workspace_id = $3 and user_id = $1',
      [person.id, BUILTIN_ROLE_IDS.member, tenant.workspaceId],
    );
    expect(promote?.code).toBe('42501');
    // The tenant's member holds more than the manager: untouchable for them.
    const removed = await queryAs(
      db,
      manager,
      'delete from public.workspace_members where workspace_id = $1 and user_id = $2 returning 1',
      [tenant.workspaceId, tenant.users.member.id],
    );
    expect(removed).toEqual([]);
  });

  it('the last owner cannot be moved to a custom role either', async () => {
    const tenant = await createTenant(db);
    const error = await errorAs(
      db,
      tenant.users.owner,
      'update public.workspace_members set role_id = $2 where workspace_id = $3 and user_id = $1',
      [tenant.users.owner.id, await role(tenant, []), tenant.workspaceId],
    );
    expect(error?.message).toBe('last_owner');
  });

  it("when the owner's account goes, a built-in role outranks a custom one in succession", async () => {
    const tenant = await createTenant(db);
    await db.query('delete from public.workspace_members where workspace_id = $1 and user_id <> $2', [
      tenant.workspaceId,
      tenant.users.owner.id,
    ]);
    const strong = await memberWith(tenant, await role(tenant, ['tasks.delete']));
    const viewer = await memberWith(tenant, BUILTIN_ROLE_IDS.viewer);
    await db.query('delete from auth.users where id = $1', [tenant.users.owner.id]);
    expect(await membership(tenant, viewer)).toEqual({ role: 'owner', role_id: BUILTIN_ROLE_IDS.owner });
    expect((await membership(tenant, strong))?.role).toBeNull();
  });

  it('a custom role change is in the activity feed with role names', async () => {
    const tenant = await createTenant(db);
    const custom = await role(tenant, [], 'Guests');
    await queryAs(
      db,
      tenant.users.admin,
      'update public.workspace_members set role_id = $2 where user_id = $1',
      [tenant.users.viewer.id, custom],
    );
    const { rows } = await db.query(
      `select payload from public.activity where workspace_id = $1 and action = 'role_changed' and entity_id = $2`,
      [tenant.workspaceId, tenant.users.viewer.id],
    );
    expect(rows.map((r) => r.payload)).toEqual([{ from: 'viewer', to: 'Guests' }]);
  });
});

describe('has_permission and my_permissions', () => {
  it('answer for the caller, and the same for a foreign workspace as for one that does not exist', async () => {
    const check = (as: TestUser, workspaceId: string, permission: string) =>
      queryAs<{ ok: boolean }>(db, as, 'select public.has_permission($1, $2) as ok', [
        workspaceId,
        permission,
      ]);
    expect(await check(t.users.member, t.workspaceId, 'tasks.delete')).toEqual([{ ok: true }]);
    expect(await check(t.users.viewer, t.workspaceId, 'tasks.delete')).toEqual([{ ok: false }]);
    expect(await check(t.users.outsider, t.workspaceId, 'tasks.read')).toEqual([{ ok: false }]);
    expect(await check(t.users.outsider, crypto.randomUUID(), 'tasks.read')).toEqual([{ ok: false }]);
    const unknown = await errorAs(db, t.users.member, 'select public.has_permission($1, $2)', [
      t.workspaceId,
      'x.y',
    ]);
    expect(unknown?.message).toBe('invalid_permission');
    const [mine] = await queryAs<{ p: string[] }>(
      db,
      t.users.viewer,
      'select public.my_permissions($1) as p',
      [t.workspaceId],
    );
    expect(mine?.p).toEqual(await viewerPermissions());
    for (const workspaceId of [t.workspaceId, crypto.randomUUID()]) {
      const error = await errorAs(db, t.users.outsider, 'select public.my_permissions($1)', [workspaceId]);
      expect(error?.message).toBe('workspace_not_found');
    }
  });
});

describe('renaming and archiving a project are different permissions', () => {
  it('a renamer cannot archive, an archiver cannot rename', async () => {
    const tenant = await createTenant(db);
    const renamer = await memberWith(tenant, await role(tenant, ['projects.update']));
    const archiver = await memberWith(tenant, await role(tenant, ['projects.archive']));
    const set = (as: TestUser, assignment: string) =>
      errorAs(db, as, `update public.projects set ${assignment} where id = $1`, [tenant.projectId]);
    expect(await set(renamer, `name = 'Renamed'`)).toBeUndefined();
    expect((await set(renamer, 'archived = true'))?.message).toBe('forbidden');
    expect(await set(archiver, 'archived = true')).toBeUndefined();
    expect((await set(archiver, `name = 'Again'`))?.message).toBe('forbidden');
  });
});

async function viewerPermissions(): Promise<string[]> {
  const { rows } = await db.query('select permissions from public.roles where id = $1', [
    BUILTIN_ROLE_IDS.viewer,
  ]);
  return rows[0].permissions;
}
