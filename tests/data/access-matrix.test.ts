import type { SupabaseClient } from '@supabase/supabase-js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createTenant,
  createUser,
  newInvitationToken,
  type Tenant,
  uniqueSuffix,
} from './support/fixtures.ts';
import { anonClient, serviceRoleClient, userClient } from './support/rest-personas.ts';
import { connect } from './support/sql-identity.ts';

// Every table and RPC × every operation × every persona, through the REST API with
// supabase-js, against the expected allow/deny. Setup runs as the database owner;
// only the operation under test goes through PostgREST.

const actors = ['anon', 'outsider', 'viewer', 'member', 'admin', 'owner', 'service_role'] as const;
type Actor = (typeof actors)[number];

interface Cell {
  client: SupabaseClient;
  tenant: Tenant;
  actor: Actor;
}

interface Outcome {
  allowed: boolean;
  status: number;
}

interface Operation {
  subject: string;
  op: string;
  allowed: readonly Actor[];
  /** Needs a workspace of its own per persona (the operation changes membership or deletes it). */
  fresh?: boolean;
  run: (cell: Cell) => Promise<Outcome>;
}

interface Response {
  data: unknown;
  error: unknown;
  status: number;
}

/** Allowed when the call succeeded and touched (or returned) at least one row. */
function touchedRows(res: Response): Outcome {
  const rows = Array.isArray(res.data) ? res.data.length : res.data ? 1 : 0;
  return { allowed: !res.error && rows > 0, status: res.status };
}

function succeeded(res: Response): Outcome {
  return { allowed: !res.error, status: res.status };
}

const viewerUp = ['viewer', 'member', 'admin', 'owner', 'service_role'] as const;
const memberUp = ['member', 'admin', 'owner', 'service_role'] as const;
const adminUp = ['admin', 'owner', 'service_role'] as const;
const signedIn = ['outsider', 'viewer', 'member', 'admin', 'owner'] as const;

let db: pg.Client;

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await db.query(sql, params);
  return rows[0] as T;
}

const freshTask = (t: Tenant) =>
  one<{ id: string }>(`insert into public.tasks (project_id, title) values ($1, 'target') returning id`, [
    t.projectId,
  ]);

const operations: Operation[] = [
  // workspaces
  {
    subject: 'workspaces',
    op: 'select',
    allowed: viewerUp,
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('workspaces').select('id').eq('id', tenant.workspaceId)),
  },
  {
    subject: 'workspaces',
    op: 'insert',
    allowed: ['service_role'],
    run: async ({ client }) =>
      succeeded(await client.from('workspaces').insert({ name: 'Direct', slug: `direct-${uniqueSuffix()}` })),
  },
  {
    subject: 'workspaces',
    op: 'update',
    allowed: adminUp,
    run: async ({ client, tenant }) =>
      touchedRows(
        await client.from('workspaces').update({ name: 'Renamed' }).eq('id', tenant.workspaceId).select('id'),
      ),
  },
  {
    subject: 'workspaces',
    op: 'delete',
    allowed: ['owner', 'service_role'],
    fresh: true,
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('workspaces').delete().eq('id', tenant.workspaceId).select('id')),
  },
  // workspace_members
  {
    subject: 'workspace_members',
    op: 'select',
    allowed: viewerUp,
    run: async ({ client, tenant }) =>
      touchedRows(
        await client.from('workspace_members').select('user_id').eq('workspace_id', tenant.workspaceId),
      ),
  },
  {
    subject: 'workspace_members',
    op: 'insert',
    allowed: ['service_role'],
    run: async ({ client, tenant }) => {
      const user = await createUser(db);
      return succeeded(
        await client.from('workspace_members').insert({ workspace_id: tenant.workspaceId, user_id: user.id }),
      );
    },
  },
  {
    subject: 'workspace_members',
    op: 'update',
    allowed: adminUp,
    run: async ({ client, tenant }) => {
      const user = await createUser(db);
      await db.query('insert into public.workspace_members (workspace_id, user_id) values ($1, $2)', [
        tenant.workspaceId,
        user.id,
      ]);
      return touchedRows(
        await client
          .from('workspace_members')
          .update({ role: 'viewer' })
          .eq('workspace_id', tenant.workspaceId)
          .eq('user_id', user.id)
          .select('user_id'),
      );
    },
  },
  {
    subject: 'workspace_members',
    op: 'delete',
    allowed: adminUp,
    run: async ({ client, tenant }) => {
      const user = await createUser(db);
      await db.query('insert into public.workspace_members (workspace_id, user_id) values ($1, $2)', [
        tenant.workspaceId,
        user.id,
      ]);
      return touchedRows(
        await client
          .from('workspace_members')
          .delete()
          .eq('workspace_id', tenant.workspaceId)
          .eq('user_id', user.id)
          .select('user_id'),
      );
    },
  },
  // profiles
  {
    subject: 'profiles',
    op: "select a co-member's",
    allowed: viewerUp,
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('profiles').select('id').eq('id', tenant.users.member.id)),
  },
  {
    subject: 'profiles',
    op: 'insert',
    allowed: ['service_role'],
    run: async ({ client }) => {
      const user = await createUser(db);
      await db.query('delete from public.profiles where id = $1', [user.id]);
      return succeeded(await client.from('profiles').insert({ id: user.id, display_name: 'Inserted' }));
    },
  },
  {
    subject: 'profiles',
    op: 'update own',
    allowed: [...signedIn, 'service_role'],
    run: async ({ client, tenant, actor }) => {
      const id =
        actor === 'anon' || actor === 'service_role' ? tenant.users.member.id : tenant.users[actor].id;
      return touchedRows(
        await client.from('profiles').update({ display_name: 'Me' }).eq('id', id).select('id'),
      );
    },
  },
  {
    subject: 'profiles',
    op: "update a co-member's",
    allowed: ['member', 'service_role'],
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
    allowed: ['service_role'],
    run: async ({ client }) => {
      const user = await createUser(db);
      return touchedRows(await client.from('profiles').delete().eq('id', user.id).select('id'));
    },
  },
  // invitations
  {
    subject: 'invitations',
    op: 'select',
    allowed: adminUp,
    run: async ({ client, tenant }) => {
      await db.query(`insert into public.invitations (workspace_id, email, token_hash) values ($1, $2, $3)`, [
        tenant.workspaceId,
        `seen-${uniqueSuffix()}@example.test`,
        newInvitationToken().tokenHash,
      ]);
      return touchedRows(
        await client.from('invitations').select('id').eq('workspace_id', tenant.workspaceId),
      );
    },
  },
  {
    subject: 'invitations',
    op: 'insert',
    allowed: adminUp,
    run: async ({ client, tenant }) =>
      succeeded(
        await client.from('invitations').insert({
          workspace_id: tenant.workspaceId,
          email: `invited-${uniqueSuffix()}@example.test`,
          role: 'member',
          token_hash: newInvitationToken().tokenHash,
        }),
      ),
  },
  {
    subject: 'invitations',
    op: 'update (revoke)',
    allowed: adminUp,
    run: async ({ client, tenant }) => {
      const { id } = await one<{ id: string }>(
        `insert into public.invitations (workspace_id, email, token_hash) values ($1, $2, $3) returning id`,
        [tenant.workspaceId, `revoke-${uniqueSuffix()}@example.test`, newInvitationToken().tokenHash],
      );
      return touchedRows(
        await client
          .from('invitations')
          .update({ revoked_at: new Date().toISOString() })
          .eq('id', id)
          .select('id'),
      );
    },
  },
  {
    subject: 'invitations',
    op: 'delete',
    allowed: adminUp,
    run: async ({ client, tenant }) => {
      const { id } = await one<{ id: string }>(
        `insert into public.invitations (workspace_id, email, token_hash) values ($1, $2, $3) returning id`,
        [tenant.workspaceId, `delete-${uniqueSuffix()}@example.test`, newInvitationToken().tokenHash],
      );
      return touchedRows(await client.from('invitations').delete().eq('id', id).select('id'));
    },
  },
  // projects
  {
    subject: 'projects',
    op: 'select',
    allowed: viewerUp,
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('projects').select('id').eq('id', tenant.projectId)),
  },
  {
    subject: 'projects',
    op: 'insert',
    allowed: adminUp,
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
    op: 'update',
    allowed: adminUp,
    run: async ({ client, tenant }) =>
      touchedRows(
        await client
          .from('projects')
          .update({ description: 'Updated' })
          .eq('id', tenant.projectId)
          .select('id'),
      ),
  },
  {
    subject: 'projects',
    op: 'delete',
    allowed: adminUp,
    run: async ({ client, tenant }) => {
      const { id } = await one<{ id: string }>(
        `insert into public.projects (workspace_id, name, key) values ($1, 'Doomed', $2) returning id`,
        [tenant.workspaceId, `D${uniqueSuffix().slice(0, 6).toUpperCase()}`],
      );
      return touchedRows(await client.from('projects').delete().eq('id', id).select('id'));
    },
  },
  // tasks
  {
    subject: 'tasks',
    op: 'select',
    allowed: viewerUp,
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('tasks').select('id').eq('id', tenant.taskId)),
  },
  {
    subject: 'tasks',
    op: 'insert',
    allowed: memberUp,
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
    allowed: memberUp,
    run: async ({ client, tenant }) =>
      touchedRows(
        await client.from('tasks').update({ priority: 'high' }).eq('id', tenant.taskId).select('id'),
      ),
  },
  {
    subject: 'tasks',
    op: 'delete',
    allowed: memberUp,
    run: async ({ client, tenant }) => {
      const { id } = await freshTask(tenant);
      return touchedRows(await client.from('tasks').delete().eq('id', id).select('id'));
    },
  },
  // labels
  {
    subject: 'labels',
    op: 'select',
    allowed: viewerUp,
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('labels').select('id').eq('id', tenant.labelId)),
  },
  {
    subject: 'labels',
    op: 'insert',
    allowed: memberUp,
    run: async ({ client, tenant }) =>
      succeeded(
        await client.from('labels').insert({ workspace_id: tenant.workspaceId, name: `l-${uniqueSuffix()}` }),
      ),
  },
  {
    subject: 'labels',
    op: 'update',
    allowed: memberUp,
    run: async ({ client, tenant }) =>
      touchedRows(
        await client.from('labels').update({ color: '#000000' }).eq('id', tenant.labelId).select('id'),
      ),
  },
  {
    subject: 'labels',
    op: 'delete',
    allowed: memberUp,
    run: async ({ client, tenant }) => {
      const { id } = await one<{ id: string }>(
        `insert into public.labels (workspace_id, name) values ($1, $2) returning id`,
        [tenant.workspaceId, `gone-${uniqueSuffix()}`],
      );
      return touchedRows(await client.from('labels').delete().eq('id', id).select('id'));
    },
  },
  // task_labels
  {
    subject: 'task_labels',
    op: 'select',
    allowed: viewerUp,
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('task_labels').select('task_id').eq('task_id', tenant.taskId)),
  },
  {
    subject: 'task_labels',
    op: 'insert',
    allowed: memberUp,
    run: async ({ client, tenant }) => {
      const { id } = await freshTask(tenant);
      return succeeded(
        await client
          .from('task_labels')
          .insert({ task_id: id, label_id: tenant.labelId, workspace_id: tenant.workspaceId }),
      );
    },
  },
  {
    subject: 'task_labels',
    op: 'update',
    allowed: ['service_role'],
    run: async ({ client, tenant }) => {
      const { id } = await freshTask(tenant);
      await db.query('insert into public.task_labels (task_id, label_id) values ($1, $2)', [
        id,
        tenant.labelId,
      ]);
      const other = await one<{ id: string }>(
        `insert into public.labels (workspace_id, name) values ($1, $2) returning id`,
        [tenant.workspaceId, `other-${uniqueSuffix()}`],
      );
      return touchedRows(
        await client.from('task_labels').update({ label_id: other.id }).eq('task_id', id).select('task_id'),
      );
    },
  },
  {
    subject: 'task_labels',
    op: 'delete',
    allowed: memberUp,
    run: async ({ client, tenant }) => {
      const { id } = await freshTask(tenant);
      await db.query('insert into public.task_labels (task_id, label_id) values ($1, $2)', [
        id,
        tenant.labelId,
      ]);
      return touchedRows(await client.from('task_labels').delete().eq('task_id', id).select('task_id'));
    },
  },
  // comments
  {
    subject: 'comments',
    op: 'select',
    allowed: viewerUp,
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('comments').select('id').eq('id', tenant.commentId)),
  },
  {
    subject: 'comments',
    op: 'insert',
    allowed: memberUp,
    run: async ({ client, tenant }) =>
      succeeded(
        await client
          .from('comments')
          .insert({ task_id: tenant.taskId, workspace_id: tenant.workspaceId, body: 'Hi' }),
      ),
  },
  {
    subject: 'comments',
    op: "update the member's",
    allowed: ['member', 'service_role'],
    run: async ({ client, tenant }) =>
      touchedRows(
        await client.from('comments').update({ body: 'Edited' }).eq('id', tenant.commentId).select('id'),
      ),
  },
  {
    subject: 'comments',
    op: "delete the member's",
    allowed: memberUp,
    run: async ({ client, tenant }) => {
      const { id } = await one<{ id: string }>(
        `insert into public.comments (task_id, author_id, body) values ($1, $2, 'bye') returning id`,
        [tenant.taskId, tenant.users.member.id],
      );
      return touchedRows(await client.from('comments').delete().eq('id', id).select('id'));
    },
  },
  // activity: readable by members, written by nobody
  {
    subject: 'activity',
    op: 'select',
    allowed: viewerUp,
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('activity').select('id').eq('workspace_id', tenant.workspaceId).limit(1)),
  },
  {
    subject: 'activity',
    op: 'insert',
    allowed: [],
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
    allowed: [],
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
    allowed: [],
    run: async ({ client, tenant }) =>
      touchedRows(await client.from('activity').delete().eq('workspace_id', tenant.workspaceId).select('id')),
  },
  // plans: everyone signed in reads them; only the service role changes them
  {
    subject: 'plans',
    op: 'select',
    allowed: [...signedIn, 'service_role'],
    run: async ({ client }) => touchedRows(await client.from('plans').select('id').eq('id', 'free')),
  },
  {
    subject: 'plans',
    op: 'insert',
    allowed: ['service_role'],
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
    allowed: ['service_role'],
    run: async ({ client }) =>
      touchedRows(await client.from('plans').update({ name: 'Free' }).eq('id', 'free').select('id')),
  },
  {
    subject: 'plans',
    op: 'delete',
    allowed: ['service_role'],
    run: async ({ client }) => {
      const id = `d_${uniqueSuffix()}`;
      await db.query(`insert into public.plans (id, name, storage_limit_bytes) values ($1, 'Doomed', 0)`, [
        id,
      ]);
      return touchedRows(await client.from('plans').delete().eq('id', id).select('id'));
    },
  },
  // RPCs
  {
    subject: 'rpc',
    op: 'create_workspace',
    allowed: signedIn,
    run: async ({ client }) =>
      succeeded(await client.rpc('create_workspace', { name: 'Mine', slug: `mine-${uniqueSuffix()}` })),
  },
  {
    subject: 'rpc',
    op: 'workspace_usage',
    allowed: viewerUp,
    run: async ({ client, tenant }) =>
      touchedRows(await client.rpc('workspace_usage', { workspace_id: tenant.workspaceId })),
  },
  {
    subject: 'rpc',
    op: 'search_tasks',
    allowed: viewerUp,
    run: async ({ client, tenant }) =>
      touchedRows(await client.rpc('search_tasks', { workspace_id: tenant.workspaceId, query: 'first' })),
  },
  {
    subject: 'rpc',
    op: 'move_task',
    allowed: ['member', 'admin', 'owner'],
    run: async ({ client, tenant }) => {
      const { id } = await freshTask(tenant);
      return succeeded(await client.rpc('move_task', { task_id: id, status: 'done' }));
    },
  },
  {
    subject: 'rpc',
    op: 'transfer_ownership',
    allowed: ['owner'],
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
    allowed: ['viewer', 'member', 'admin'],
    fresh: true,
    run: async ({ client, tenant }) =>
      succeeded(await client.rpc('leave_workspace', { workspace_id: tenant.workspaceId })),
  },
  {
    subject: 'rpc',
    op: "accept_invitation (sent to the outsider's address)",
    allowed: ['outsider'],
    fresh: true,
    run: async ({ client, tenant }) => {
      const { token, tokenHash } = newInvitationToken();
      await db.query(`insert into public.invitations (workspace_id, email, token_hash) values ($1, $2, $3)`, [
        tenant.workspaceId,
        tenant.users.outsider.email,
        tokenHash,
      ]);
      return succeeded(await client.rpc('accept_invitation', { token }));
    },
  },
];

const stack = inject('stack');
let shared: Tenant;
// One client per user: fresh workspaces reuse the shared tenant's people, so each signs in once.
const clientsByUser = new Map<string, SupabaseClient>();

async function clientFor(tenant: Tenant, actor: Actor): Promise<SupabaseClient> {
  const key = actor === 'anon' || actor === 'service_role' ? actor : tenant.users[actor].id;
  let client = clientsByUser.get(key);
  if (!client) {
    client =
      actor === 'anon'
        ? anonClient(stack)
        : actor === 'service_role'
          ? serviceRoleClient(stack)
          : await userClient(stack, tenant.users[actor]);
    clientsByUser.set(key, client);
  }
  return client;
}

beforeAll(async () => {
  db = connect(stack.dbUrl);
  await db.connect();
  shared = await createTenant(db, 'pro');
  await createTenant(db, 'pro'); // a neighbour whose rows must never show up
});

afterAll(async () => {
  await db.end();
});

describe.each(operations)('$subject $op', (operation) => {
  it.each(actors)(`%s`, async (actor) => {
    const tenant = operation.fresh ? await createTenant(db, 'pro', shared.users) : shared;
    const outcome = await operation.run({ client: await clientFor(tenant, actor), tenant, actor });
    expect(outcome.status, 'never a server error').toBeLessThan(500);
    expect(outcome.allowed ? 'allowed' : 'denied').toBe(
      operation.allowed.includes(actor) ? 'allowed' : 'denied',
    );
  });
});

describe('zero cross-workspace reads', () => {
  const tenantTables = [
    'workspace_members',
    'projects',
    'tasks',
    'labels',
    'task_labels',
    'comments',
    'activity',
    'invitations',
  ];

  it.each(['outsider', 'viewer', 'member', 'admin', 'owner'] as const)(
    'a %s reads rows of no workspace but their own, whatever they ask for',
    async (actor) => {
      const tenant = await createTenant(db, 'pro');
      const client = await clientFor(tenant, actor);
      const own = actor === 'outsider' ? [] : [tenant.workspaceId];
      for (const table of tenantTables) {
        const { data, error } = await client.from(table).select('workspace_id');
        expect(error, table).toBeNull();
        const foreign = (data as { workspace_id: string }[]).filter((row) => !own.includes(row.workspace_id));
        expect(foreign, table).toEqual([]);
      }
      const { data: workspaces } = await client.from('workspaces').select('id');
      expect((workspaces as { id: string }[]).map((w) => w.id)).toEqual(own);
      const { data: profiles } = await client.from('profiles').select('id');
      const coMembers = actor === 'outsider' ? [tenant.users.outsider.id] : personasOf(tenant);
      expect((profiles as { id: string }[]).map((p) => p.id).sort()).toEqual(coMembers.sort());
    },
  );

  it('a forged filter on another workspace id returns nothing', async () => {
    const other = await createTenant(db, 'pro');
    const client = await clientFor(shared, 'owner');
    const { data } = await client.from('tasks').select('id').eq('workspace_id', other.workspaceId);
    expect(data).toEqual([]);
    const { error } = await client.rpc('workspace_usage', { workspace_id: other.workspaceId });
    expect(error?.message).toBe('workspace_not_found');
  });
});

function personasOf(tenant: Tenant): string[] {
  return (['owner', 'admin', 'member', 'viewer'] as const).map((p) => tenant.users[p].id);
}

// Tables other features add, with the suite that holds their access matrix.
const coveredElsewhere: Record<string, string> = {
  attachments: 'the storage access matrix (attachments bucket)',
  notifications: 'the realtime and notifications suites (recipient-only rows)',
};

// Keep the matrix honest: a new table must show up here or in coveredElsewhere.
it('covers every table of the public schema', async () => {
  const { rows } = await db.query(
    `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
  );
  const covered = new Set([...operations.map((o) => o.subject), ...Object.keys(coveredElsewhere)]);
  expect(rows.map((r) => r.table_name).filter((t) => !covered.has(t))).toEqual([]);
});
