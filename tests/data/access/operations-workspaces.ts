import { createUser, uniqueSuffix } from '../support/fixtures.ts';
import { BUILTIN_ROLE_IDS, BUILTIN_ROLES } from '../support/permission-catalogue.ts';
import {
  type Cell,
  members,
  needs,
  needsToGive,
  notForServiceRole,
  type Operation,
  one,
  only,
  succeeded,
  touchedRows,
} from './matrix.ts';

const signedIn = ['outsider', 'viewer', 'member', 'admin', 'owner'] as const;
const memberRolePermissions = BUILTIN_ROLES.member;

/** A new person in the tenant's workspace holding `roleId` (a built-in or custom role). */
async function addPerson({ db, tenant }: Cell, roleId: string): Promise<string> {
  const user = await createUser(db);
  await db.query(
    'insert into public.workspace_members (workspace_id, user_id, role_id) values ($1, $2, $3)',
    [tenant.workspaceId, user.id, roleId],
  );
  return user.id;
}

async function customRole({ db, tenant }: Cell, permissions: readonly string[] = []): Promise<string> {
  const { id } = await one<{ id: string }>(
    db,
    'insert into public.roles (workspace_id, name, permissions) values ($1, $2, $3) returning id',
    [tenant.workspaceId, `role-${uniqueSuffix()}`, permissions],
  );
  return id;
}

async function changeRole(cell: Cell, userId: string, change: Record<string, string>) {
  return touchedRows(
    await cell.client
      .from('workspace_members')
      .update(change)
      .eq('workspace_id', cell.tenant.workspaceId)
      .eq('user_id', userId)
      .select('user_id'),
  );
}

async function removeMember(cell: Cell, userId: string) {
  return touchedRows(
    await cell.client
      .from('workspace_members')
      .delete()
      .eq('workspace_id', cell.tenant.workspaceId)
      .eq('user_id', userId)
      .select('user_id'),
  );
}

export const workspaceOperations: Operation[] = [
  {
    subject: 'workspaces',
    op: 'select',
    rule: members(),
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('workspaces').select('id').eq('id', tenant.workspaceId)),
  },
  {
    subject: 'workspaces',
    op: 'insert',
    rule: only(['service_role']),
    run: async ({ client }) =>
      succeeded(await client.from('workspaces').insert({ name: 'Direct', slug: `direct-${uniqueSuffix()}` })),
  },
  {
    subject: 'workspaces',
    op: 'update',
    rule: needs('workspace.update'),
    run: async ({ client, tenant }) =>
      touchedRows(
        await client.from('workspaces').update({ name: 'Renamed' }).eq('id', tenant.workspaceId).select('id'),
      ),
  },
  {
    subject: 'workspaces',
    op: 'delete',
    rule: needs('workspace.delete'),
    fresh: true,
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('workspaces').delete().eq('id', tenant.workspaceId).select('id')),
  },
  // workspace_members
  {
    subject: 'workspace_members',
    op: 'select',
    rule: members(),
    run: async ({ client, tenant }) =>
      touchedRows(
        await client.from('workspace_members').select('user_id').eq('workspace_id', tenant.workspaceId),
      ),
  },
  {
    subject: 'workspace_members',
    op: 'insert',
    rule: only(['service_role']),
    run: async ({ client, tenant, db }) => {
      const user = await createUser(db);
      return succeeded(
        await client.from('workspace_members').insert({ workspace_id: tenant.workspaceId, user_id: user.id }),
      );
    },
  },
  {
    subject: 'workspace_members',
    op: 'update between two custom roles without permissions',
    rule: needs('members.manage'),
    run: async (cell) =>
      changeRole(cell, await addPerson(cell, await customRole(cell)), { role_id: await customRole(cell) }),
  },
  {
    subject: 'workspace_members',
    op: 'update a member to viewer (the current role must be within your permissions)',
    rule: needsToGive(['members.manage'], memberRolePermissions),
    run: async (cell) => changeRole(cell, await addPerson(cell, BUILTIN_ROLE_IDS.member), { role: 'viewer' }),
  },
  {
    subject: 'workspace_members',
    op: 'update a custom-role member to member (the new role must be within your permissions)',
    rule: needsToGive(['members.manage'], memberRolePermissions),
    run: async (cell) =>
      changeRole(cell, await addPerson(cell, await customRole(cell)), { role_id: BUILTIN_ROLE_IDS.member }),
  },
  {
    subject: 'workspace_members',
    op: 'update someone to owner',
    rule: needs('members.manage', 'owners.manage'),
    run: async (cell) => changeRole(cell, await addPerson(cell, BUILTIN_ROLE_IDS.viewer), { role: 'owner' }),
  },
  {
    subject: 'workspace_members',
    op: 'update a second owner to admin',
    rule: needs('members.manage', 'owners.manage'),
    run: async (cell) => changeRole(cell, await addPerson(cell, BUILTIN_ROLE_IDS.owner), { role: 'admin' }),
  },
  {
    subject: 'workspace_members',
    op: 'delete a custom-role member',
    rule: needs('members.manage'),
    run: async (cell) => removeMember(cell, await addPerson(cell, await customRole(cell))),
  },
  {
    subject: 'workspace_members',
    op: 'delete a member',
    rule: needsToGive(['members.manage'], memberRolePermissions),
    run: async (cell) => removeMember(cell, await addPerson(cell, BUILTIN_ROLE_IDS.member)),
  },
  {
    subject: 'workspace_members',
    op: 'delete a second owner',
    rule: needs('members.manage', 'owners.manage'),
    run: async (cell) => removeMember(cell, await addPerson(cell, BUILTIN_ROLE_IDS.owner)),
  },
  // roles
  {
    subject: 'roles',
    op: 'select the built-in roles',
    rule: only([...signedIn, 'service_role'], true),
    run: async ({ client }) =>
      touchedRows(await client.from('roles').select('id').eq('id', BUILTIN_ROLE_IDS.viewer)),
  },
  {
    subject: 'roles',
    op: 'select a custom role',
    rule: members(),
    run: async (cell) =>
      touchedRows(
        await cell.client
          .from('roles')
          .select('id')
          .eq('id', await customRole(cell, ['tasks.read'])),
      ),
  },
  {
    subject: 'roles',
    op: 'insert a role without permissions',
    rule: needs('roles.manage'),
    run: async ({ client, tenant }) =>
      succeeded(
        await client.from('roles').insert({ workspace_id: tenant.workspaceId, name: `r-${uniqueSuffix()}` }),
      ),
  },
  {
    subject: 'roles',
    op: 'insert a role with tasks.delete (only within your permissions)',
    rule: needsToGive(['roles.manage'], ['tasks.delete']),
    run: async ({ client, tenant }) =>
      succeeded(
        await client.from('roles').insert({
          workspace_id: tenant.workspaceId,
          name: `r-${uniqueSuffix()}`,
          permissions: ['tasks.delete'],
        }),
      ),
  },
  {
    subject: 'roles',
    op: 'update a role, adding tasks.delete',
    rule: needsToGive(['roles.manage'], ['tasks.delete']),
    run: async (cell) =>
      touchedRows(
        await cell.client
          .from('roles')
          .update({ permissions: ['tasks.delete'] })
          .eq('id', await customRole(cell))
          .select('id'),
      ),
  },
  {
    subject: 'roles',
    op: 'update a role holding tasks.delete (only within your permissions)',
    rule: needsToGive(['roles.manage'], ['tasks.delete']),
    run: async (cell) =>
      touchedRows(
        await cell.client
          .from('roles')
          .update({ description: 'changed' })
          .eq('id', await customRole(cell, ['tasks.delete']))
          .select('id'),
      ),
  },
  {
    subject: 'roles',
    op: 'update a built-in role',
    rule: only([]),
    run: async ({ client }) =>
      touchedRows(
        await client
          .from('roles')
          .update({ description: 'mine now' })
          .eq('id', BUILTIN_ROLE_IDS.viewer)
          .select('id'),
      ),
  },
  {
    subject: 'roles',
    op: 'delete an unused role',
    rule: needs('roles.manage'),
    run: async (cell) =>
      touchedRows(
        await cell.client
          .from('roles')
          .delete()
          .eq('id', await customRole(cell))
          .select('id'),
      ),
  },
  {
    subject: 'roles',
    op: 'delete a built-in role',
    rule: only([]),
    run: async ({ client }) =>
      touchedRows(await client.from('roles').delete().eq('id', BUILTIN_ROLE_IDS.member).select('id')),
  },
  // permissions: the catalogue, read-only for everyone
  {
    subject: 'permissions',
    op: 'select',
    rule: only([...signedIn, 'service_role'], true),
    run: async ({ client }) =>
      touchedRows(await client.from('permissions').select('id').eq('id', 'tasks.read')),
  },
  {
    subject: 'permissions',
    op: 'insert',
    rule: only([]),
    run: async ({ client }) =>
      succeeded(
        await client.from('permissions').insert({ id: `forged.${uniqueSuffix()}`, description: 'x' }),
      ),
  },
  {
    subject: 'permissions',
    op: 'update',
    rule: only([]),
    run: async ({ client }) =>
      touchedRows(
        await client.from('permissions').update({ owner_only: true }).eq('id', 'tasks.read').select('id'),
      ),
  },
  {
    subject: 'permissions',
    op: 'delete',
    rule: only([]),
    run: async ({ client }) =>
      touchedRows(await client.from('permissions').delete().eq('id', 'tasks.read').select('id')),
  },
  // profiles
  {
    subject: 'profiles',
    op: "select a co-member's",
    rule: members(),
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('profiles').select('id').eq('id', tenant.users.member.id)),
  },
  {
    subject: 'profiles',
    op: 'insert',
    rule: only(['service_role']),
    run: async ({ client, db }) => {
      const user = await createUser(db);
      await db.query('delete from public.profiles where id = $1', [user.id]);
      return succeeded(await client.from('profiles').insert({ id: user.id, display_name: 'Inserted' }));
    },
  },
  {
    subject: 'profiles',
    op: 'update own',
    rule: only([...signedIn, 'service_role'], true),
    run: async ({ client, tenant, self }) =>
      touchedRows(
        await client
          .from('profiles')
          .update({ display_name: 'Me' })
          .eq('id', (self ?? tenant.users.member).id)
          .select('id'),
      ),
  },
  {
    subject: 'profiles',
    op: "update a co-member's",
    // Only the member's own call succeeds: it is their profile.
    rule: only(['member', 'service_role']),
    run: async ({ client, tenant }) =>
      touchedRows(
        await client
          .from('profiles')
          .update({ display_name: 'Changed' })
          .eq('id', tenant.users.member.id)
          .select('id'),
      ),
  },
  {
    subject: 'profiles',
    op: 'delete',
    rule: only(['service_role']),
    run: async ({ client, db }) => {
      const user = await createUser(db);
      return touchedRows(await client.from('profiles').delete().eq('id', user.id).select('id'));
    },
  },
  // plans: everyone signed in reads them; only the service role changes them
  {
    subject: 'plans',
    op: 'select',
    rule: only([...signedIn, 'service_role'], true),
    run: async ({ client }) => touchedRows(await client.from('plans').select('id').eq('id', 'free')),
  },
  {
    subject: 'plans',
    op: 'insert',
    rule: only(['service_role']),
    run: async ({ client }) =>
      succeeded(
        await client
          .from('plans')
          .insert({ id: `p_${uniqueSuffix()}`, name: 'Custom', storage_limit_bytes: 1 }),
      ),
  },
  {
    subject: 'plans',
    op: 'update',
    rule: only(['service_role']),
    run: async ({ client }) =>
      touchedRows(await client.from('plans').update({ name: 'Free' }).eq('id', 'free').select('id')),
  },
  {
    subject: 'plans',
    op: 'delete',
    rule: only(['service_role']),
    run: async ({ client, db }) => {
      const id = `d_${uniqueSuffix()}`;
      await db.query(`insert into public.plans (id, name, storage_limit_bytes) values ($1, 'Doomed', 0)`, [
        id,
      ]);
      return touchedRows(await client.from('plans').delete().eq('id', id).select('id'));
    },
  },
  // RPCs about the workspace and one's place in it
  {
    subject: 'rpc',
    op: 'create_workspace',
    rule: only(signedIn, true),
    run: async ({ client }) =>
      succeeded(await client.rpc('create_workspace', { name: 'Mine', slug: `mine-${uniqueSuffix()}` })),
  },
  {
    subject: 'rpc',
    op: 'workspace_usage',
    rule: members(),
    run: async ({ client, tenant }) =>
      touchedRows(await client.rpc('workspace_usage', { workspace_id: tenant.workspaceId })),
  },
  {
    subject: 'rpc',
    op: 'workspace_storage_usage',
    rule: notForServiceRole(members()),
    run: async ({ client, tenant }) =>
      touchedRows(await client.rpc('workspace_storage_usage', { workspace_id: tenant.workspaceId })),
  },
  {
    subject: 'rpc',
    op: 'my_permissions',
    rule: notForServiceRole(members()),
    run: async ({ client, tenant }) =>
      succeeded(await client.rpc('my_permissions', { workspace_id: tenant.workspaceId })),
  },
  {
    subject: 'rpc',
    op: "has_permission (true for 'tasks.read')",
    rule: notForServiceRole(needs('tasks.read')),
    run: async ({ client, tenant }) => {
      const res = await client.rpc('has_permission', {
        workspace_id: tenant.workspaceId,
        permission: 'tasks.read',
      });
      return { allowed: !res.error && res.data === true, status: res.status };
    },
  },
  {
    subject: 'rpc',
    op: 'transfer_ownership',
    rule: notForServiceRole(needs('owners.manage')),
    fresh: true,
    run: async ({ client, tenant }) =>
      succeeded(
        await client.rpc('transfer_ownership', {
          workspace_id: tenant.workspaceId,
          new_owner_id: tenant.users.member.id,
        }),
      ),
  },
  {
    subject: 'rpc',
    op: 'leave_workspace (sole owner stays)',
    rule: notForServiceRole(members(['owner'])),
    fresh: true,
    run: async ({ client, tenant }) =>
      succeeded(await client.rpc('leave_workspace', { workspace_id: tenant.workspaceId })),
  },
  {
    subject: 'rpc',
    op: 'workspace_mfa_status',
    rule: notForServiceRole(members()),
    run: async ({ client, tenant }) =>
      touchedRows(await client.rpc('workspace_mfa_status', { workspace_id: tenant.workspaceId })),
  },
  {
    // To the value it has: changing it needs a session at aal2 (tests/data/workspace-mfa.test.ts).
    subject: 'rpc',
    op: 'set_workspace_require_mfa (to the value it has)',
    rule: notForServiceRole(needs('workspace.update')),
    run: async ({ client, db, tenant }) => {
      const { require_mfa } = await one<{ require_mfa: boolean }>(
        db,
        'select require_mfa from public.workspaces where id = $1',
        [tenant.workspaceId],
      );
      return touchedRows(
        await client.rpc('set_workspace_require_mfa', { workspace_id: tenant.workspaceId, require_mfa }),
      );
    },
  },
  {
    subject: 'rpc',
    op: 'mark_notifications_read',
    rule: only(signedIn, true),
    run: async ({ client }) => succeeded(await client.rpc('mark_notifications_read', {})),
  },
];
