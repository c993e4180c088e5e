import { randomBytes } from 'node:crypto';
import { startTestDatabase, type TestDatabase } from '@groundwork/local-stack/testing';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Actor, type BuiltinActor, casesOf, type Operation, permissionsOf } from './access/matrix.ts';
import { apiKeyOperations } from './access/operations-api-keys.ts';
import { auditOperations } from './access/operations-audit.ts';
import { billingOperations } from './access/operations-billing.ts';
import { channelOperations, fileOperations } from './access/operations-files-channels.ts';
import { invitationOperations } from './access/operations-invitations.ts';
import { webhookOperations } from './access/operations-webhooks.ts';
import { workOperations } from './access/operations-work.ts';
import { workspaceOperations } from './access/operations-workspaces.ts';
import { createTenant, createUser, type Tenant, type TestUser, uniqueSuffix } from './support/fixtures.ts';
import {
  BUILTIN_ROLE_IDS,
  BUILTIN_ROLES,
  GRANTABLE,
  impliedBy,
  OWNER_ONLY,
  PERMISSIONS,
  type Permission,
} from './support/permission-catalogue.ts';
import { anonClient, serviceRoleClient, userClient } from './support/rest-personas.ts';
import { connect } from './support/sql-identity.ts';

// Every table, RPC, bucket and channel × every operation × every built-in role, and custom
// roles made for each permission a rule names, through the real APIs (supabase-js over REST,
// Storage and Realtime) against the expected allow/deny. Setup runs as the database owner;
// only the operation under test goes through the API.

const operations: Operation[] = [
  ...workspaceOperations,
  ...invitationOperations,
  ...workOperations,
  ...fileOperations,
  ...channelOperations,
  ...auditOperations,
  ...billingOperations,
  ...apiKeyOperations,
  ...webhookOperations,
];

/** Permissions no operation exercises yet, and the feature that will. */
const reservedFor: Partial<Record<Permission, string>> = {};

const stack = inject('stack');
let db: pg.Client;
let shared: Tenant;
let service: SupabaseClient;
let prober: TestUser;
// One client per user: fresh workspaces reuse the shared tenant's people, so each signs in once.
const clientsByUser = new Map<string, SupabaseClient>();
/** The custom role the prober holds in each workspace, by workspace id. */
const probeRoles = new Map<string, string>();

async function clientOf(user: TestUser): Promise<SupabaseClient> {
  let client = clientsByUser.get(user.id);
  if (!client) {
    client = await userClient(stack, user);
    clientsByUser.set(user.id, client);
  }
  return client;
}

async function builtinClient(tenant: Tenant, name: BuiltinActor): Promise<SupabaseClient> {
  if (name === 'anon') return anonClient(stack);
  if (name === 'service_role') return service;
  return clientOf(tenant.users[name]);
}

/**
 * The prober holds one custom role per workspace; each case rewrites its permissions. That
 * the very next request sees the new set is the instant revocation the design promises.
 */
async function probeWith(tenant: Tenant, permissions: Permission[]): Promise<SupabaseClient> {
  let roleId = probeRoles.get(tenant.workspaceId);
  if (!roleId) {
    const { rows } = await db.query<{ id: string }>(
      `insert into public.roles (workspace_id, name, permissions) values ($1, $2, $3) returning id`,
      [tenant.workspaceId, `Probe ${uniqueSuffix()}`, permissions],
    );
    roleId = (rows[0] as { id: string }).id;
    await db.query(
      'insert into public.workspace_members (workspace_id, user_id, role_id) values ($1, $2, $3)',
      [tenant.workspaceId, prober.id, roleId],
    );
    probeRoles.set(tenant.workspaceId, roleId);
  } else {
    await db.query('update public.roles set permissions = $2 where id = $1', [roleId, permissions]);
  }
  return clientOf(prober);
}

async function clientFor(tenant: Tenant, actor: Actor): Promise<SupabaseClient> {
  return actor.kind === 'custom' ? probeWith(tenant, actor.permissions) : builtinClient(tenant, actor.name);
}

function selfOf(tenant: Tenant, actor: Actor): TestUser | undefined {
  if (actor.kind === 'custom') return prober;
  return actor.name === 'anon' || actor.name === 'service_role' ? undefined : tenant.users[actor.name];
}

beforeAll(async () => {
  db = connect(stack.dbUrl);
  await db.connect();
  service = serviceRoleClient(stack);
  shared = await createTenant(db, 'pro');
  // The cases add hundreds of people to the shared workspace: no seat limit for it.
  await db.query(
    `insert into public.plans (id, name, storage_limit_bytes) values ('matrix', 'Matrix', 1099511627776)
     on conflict (id) do nothing`,
  );
  await db.query(`update public.workspaces set plan = 'matrix' where id = $1`, [shared.workspaceId]);
  prober = await createUser(db, { email: `prober-${uniqueSuffix()}@example.test` });
  await createTenant(db, 'pro'); // a neighbour whose rows must never show up
});

afterAll(async () => {
  for (const client of clientsByUser.values()) await client.removeAllChannels();
  await db.end();
});

describe.each(operations)('$subject $op', (operation) => {
  it.each(casesOf(operation.rule))('$name', async ({ actor, allowed }) => {
    const tenant = operation.fresh ? await createTenant(db, 'pro', shared.users) : shared;
    const client = await clientFor(tenant, actor);
    const outcome = await operation.run({ client, tenant, self: selfOf(tenant, actor), actor, db, service });
    expect(outcome.status, 'never a server error').toBeLessThan(500);
    expect(outcome.allowed ? 'allowed' : 'denied').toBe(allowed ? 'allowed' : 'denied');
  });
});

// Workspace API keys as personas: every read of the matrix made with a key (docs/api-keys.md)
// holding exactly what the rule asks for (allowed), every permission a key may hold but one the
// rule needs (denied), and a key of the neighbouring workspace holding all of them (denied).
const KEY_GRANTABLE: Permission[] = GRANTABLE.filter((p) => p !== 'api_keys.manage');

interface KeyCase {
  name: string;
  permissions: Permission[];
  neighbour: boolean;
  allowed: boolean;
}

function keyCasesOf(rule: Operation['rule']): KeyCase[] {
  const neighbour = {
    name: 'a key of another workspace with every permission a key may hold',
    permissions: KEY_GRANTABLE,
    neighbour: true,
    allowed: false,
  };
  if (rule.kind === 'fixed') return [];
  if (rule.kind === 'membership') {
    return [
      { name: 'a key without permissions', permissions: [], neighbour: false, allowed: true },
      neighbour,
    ];
  }
  const cases: KeyCase[] = [neighbour];
  for (const set of rule.anyOf) {
    if (set.some((p) => !KEY_GRANTABLE.includes(p))) continue;
    cases.push({
      name: `a key holding [${set.join(', ')}]`,
      permissions: set,
      neighbour: false,
      allowed: true,
    });
    for (const p of set) {
      const rest = KEY_GRANTABLE.filter((q) => q !== p && !impliedBy(q).includes(p));
      cases.push({
        name: `a key holding every permission but ${p}`,
        permissions: rest,
        neighbour: false,
        allowed: false,
      });
    }
  }
  return cases;
}

let neighbourKeyTenant: Tenant | undefined;

/** A key stored as create_api_key stores it, and a supabase-js client calling with it. */
async function keyClient(workspaceId: string, permissions: Permission[]): Promise<SupabaseClient> {
  const prefix = `gw_${randomBytes(6).toString('hex')}`;
  const key = `${prefix}_${randomBytes(32).toString('base64url')}`;
  await db.query(
    `insert into private.api_keys (workspace_id, name, prefix, secret_hash, permissions)
     values ($1, 'Matrix key', $2, sha256(convert_to($3, 'UTF8')), private.api_key_permission_set($4))`,
    [workspaceId, prefix, key, permissions],
  );
  return createClient(stack.apiUrl, stack.publishableKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: { 'Groundwork-Api-Key': key } },
  });
}

describe.each(operations.filter((o) => o.op === 'select' && !o.fresh && keyCasesOf(o.rule).length > 0))(
  '$subject $op with an API key',
  (operation) => {
    it.each(keyCasesOf(operation.rule))('$name', async ({ permissions, neighbour, allowed }) => {
      neighbourKeyTenant ??= await createTenant(db, 'pro');
      const client = await keyClient(
        neighbour ? neighbourKeyTenant.workspaceId : shared.workspaceId,
        permissions,
      );
      const actor: Actor = { kind: 'custom', permissions };
      const outcome = await operation.run({ client, tenant: shared, self: undefined, actor, db, service });
      expect(outcome.status, 'never a server error').toBeLessThan(500);
      expect(outcome.allowed ? 'allowed' : 'denied').toBe(allowed ? 'allowed' : 'denied');
    });
  },
);

// Workspaces requiring MFA (workspaces.require_mfa): every operation about a workspace, by a
// built-in role the rule allows, is refused in a workspace with the setting on while the
// session is at aal1 — but for these — and allowed again with the same person's aal2 token.
const allowedBelowAal2: Record<string, string> = {
  'workspaces select': 'the row says require_mfa, so the app can ask for a second factor',
  'rpc workspace_mfa_status': 'says why the workspace refuses the session',
  'rpc leave_workspace (sole owner stays)': 'anyone may leave, whatever their session',
  "profiles select a co-member's":
    "the matrix's workspaces share their people: co-members in the shared one too",
};
const workspaceRoles = ['owner', 'admin', 'member', 'viewer'] as const;

/** The first built-in role (owner first) the rule lets do the operation. */
function allowedRoleOf(rule: Operation['rule']): (typeof workspaceRoles)[number] | undefined {
  const allowed = casesOf(rule).filter((c) => c.actor.kind === 'builtin' && c.allowed);
  return workspaceRoles.find((role) =>
    allowed.some((c) => c.actor.kind === 'builtin' && c.actor.name === role),
  );
}

/** `user` as Auth signs them after a verified second factor (aal2), on a fresh client. */
async function aal2ClientOf(user: TestUser): Promise<SupabaseClient> {
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({
    aud: 'authenticated',
    sub: user.id,
    email: user.email,
    role: 'authenticated',
    aal: 'aal2',
    amr: [
      { method: 'password', timestamp: now },
      { method: 'totp', timestamp: now },
    ],
    session_id: crypto.randomUUID(),
    is_anonymous: false,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(stack.jwtSecret));
  return createClient(stack.apiUrl, stack.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: { Authorization: `Bearer ${token}` } },
    accessToken: async () => token,
  });
}

let mfaTenant: Tenant | undefined;

/** A workspace of the shared people with require_mfa on (a new one for `fresh` operations). */
async function mfaTenantFor(operation: Operation): Promise<Tenant> {
  const lock = async (tenant: Tenant) => {
    await db.query(`update public.workspaces set require_mfa = true, plan = 'matrix' where id = $1`, [
      tenant.workspaceId,
    ]);
    return tenant;
  };
  if (operation.fresh) return lock(await createTenant(db, 'pro', shared.users));
  mfaTenant ??= await lock(await createTenant(db, 'pro', shared.users));
  return mfaTenant;
}

describe.each(
  operations
    .filter((o) => o.rule.kind !== 'fixed' && allowedRoleOf(o.rule) !== undefined)
    .map((o) => ({ ...o, role: allowedRoleOf(o.rule) as (typeof workspaceRoles)[number] })),
)('$subject $op in a workspace requiring MFA', (operation) => {
  const belowAal2 = `${operation.subject} ${operation.op}` in allowedBelowAal2 ? 'allowed' : 'refused';
  it(`the ${operation.role} at aal1 is ${belowAal2}, and allowed at aal2`, async () => {
    const tenant = await mfaTenantFor(operation);
    const user = tenant.users[operation.role];
    const actor: Actor = { kind: 'builtin', name: operation.role };
    const atAal1 = await operation.run({
      client: await clientOf(user),
      tenant,
      self: user,
      actor,
      db,
      service,
    });
    expect(atAal1.status, 'never a server error').toBeLessThan(500);
    expect(atAal1.allowed ? 'allowed' : 'refused').toBe(belowAal2);
    const again = operation.fresh ? await mfaTenantFor(operation) : tenant;
    const atAal2 = await operation.run({
      client: await aal2ClientOf(again.users[operation.role]),
      tenant: again,
      self: again.users[operation.role],
      actor,
      db,
      service,
    });
    expect(atAal2.status, 'never a server error').toBeLessThan(500);
    expect(atAal2.allowed ? 'allowed' : 'refused').toBe('allowed');
  });
});

describe('the catalogue', () => {
  it('the database holds exactly the documented permissions, owner-only ones marked, with what they imply', async () => {
    const { rows } = await db.query<{ id: Permission; owner_only: boolean; implies: string[] }>(
      'select id, owner_only, implies from public.permissions order by id',
    );
    expect(rows.map((r) => r.id)).toEqual([...PERMISSIONS]);
    expect(rows.filter((r) => r.owner_only).map((r) => r.id)).toEqual([...OWNER_ONLY].sort());
    expect(rows.map((r) => [r.id, r.implies])).toEqual(PERMISSIONS.map((p) => [p, impliedBy(p)]));
  });

  it('the built-in roles are the documented permission sets, with their fixed ids', async () => {
    const { rows } = await db.query<{ id: string; builtin: string; permissions: string[] }>(
      'select id, builtin, permissions from public.roles where builtin is not null',
    );
    const actual = Object.fromEntries(rows.map((r) => [r.builtin, { id: r.id, permissions: r.permissions }]));
    const expected = Object.fromEntries(
      Object.entries(BUILTIN_ROLES).map(([role, permissions]) => [
        role,
        { id: BUILTIN_ROLE_IDS[role as keyof typeof BUILTIN_ROLE_IDS], permissions: [...permissions].sort() },
      ]),
    );
    expect(actual).toEqual(expected);
  });

  it('every permission is exercised by some operation, or reserved for the feature that adds it', () => {
    const exercised = new Set(operations.flatMap((o) => permissionsOf(o.rule)));
    const unexercised = PERMISSIONS.filter((p) => !exercised.has(p));
    expect(unexercised.sort()).toEqual(Object.keys(reservedFor).sort());
  });
});

describe('instant revocation', () => {
  it('a role change or a removal holds on the very next request with the same token', async () => {
    const tenant = await createTenant(db, 'pro');
    const client = await clientOf(tenant.users.member);
    const write = () => client.from('tasks').update({ priority: 'low' }).eq('id', tenant.taskId).select('id');
    expect((await write()).data).toHaveLength(1);
    await db.query(
      `update public.workspace_members set role = 'viewer' where workspace_id = $1 and user_id = $2`,
      [tenant.workspaceId, tenant.users.member.id],
    );
    expect((await write()).data).toEqual([]);
    await db.query(`delete from public.workspace_members where workspace_id = $1 and user_id = $2`, [
      tenant.workspaceId,
      tenant.users.member.id,
    ]);
    expect((await client.from('tasks').select('id').eq('id', tenant.taskId)).data).toEqual([]);
  });

  it('editing a custom role changes what its holders may do on their next request', async () => {
    const tenant = await createTenant(db, 'pro');
    const client = await probeWith(tenant, ['tasks.read']);
    expect((await client.from('tasks').select('id').eq('id', tenant.taskId)).data).toHaveLength(1);
    await probeWith(tenant, []);
    expect((await client.from('tasks').select('id').eq('id', tenant.taskId)).data).toEqual([]);
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
    'attachments',
    'audit_log',
  ];

  it.each(['outsider', 'viewer', 'member', 'admin', 'owner'] as const)(
    'a %s reads rows of no workspace but their own, whatever they ask for',
    async (actor) => {
      const tenant = await createTenant(db, 'pro');
      const client = await clientOf(tenant.users[actor]);
      const own = actor === 'outsider' ? [] : [tenant.workspaceId];
      for (const table of tenantTables) {
        const { data, error } = await client.from(table).select('workspace_id');
        expect(error, table).toBeNull();
        const foreign = (data as { workspace_id: string }[]).filter((row) => !own.includes(row.workspace_id));
        expect(foreign, table).toEqual([]);
      }
      const { data: workspaces } = await client.from('workspaces').select('id');
      expect((workspaces as { id: string }[]).map((w) => w.id)).toEqual(own);
      const { data: roles } = await client
        .from('roles')
        .select('workspace_id')
        .not('workspace_id', 'is', null);
      expect((roles as { workspace_id: string }[]).filter((r) => !own.includes(r.workspace_id))).toEqual([]);
      const { data: profiles } = await client.from('profiles').select('id');
      const coMembers = actor === 'outsider' ? [tenant.users.outsider.id] : personasOf(tenant);
      expect((profiles as { id: string }[]).map((p) => p.id).sort()).toEqual(coMembers.sort());
    },
  );

  it('a forged filter on another workspace id returns nothing', async () => {
    const other = await createTenant(db, 'pro');
    const client = await clientOf(shared.users.owner);
    const { data } = await client.from('tasks').select('id').eq('workspace_id', other.workspaceId);
    expect(data).toEqual([]);
    const { error } = await client.rpc('workspace_usage', { workspace_id: other.workspaceId });
    expect(error?.message).toBe('workspace_not_found');
  });
});

function personasOf(tenant: Tenant): string[] {
  return (['owner', 'admin', 'member', 'viewer'] as const).map((p) => tenant.users[p].id);
}

// Tables other suites hold the access matrix of.
const coveredElsewhere: Record<string, string> = {
  notifications: 'the realtime and notifications suites (recipient-only rows)',
  webhook_event_types: 'tests/data/webhooks.test.ts (the catalogue: readable by every signed-in user)',
};

// RPCs other suites hold the access matrix of.
const rpcsCoveredElsewhere: Record<string, string> = {};

// Keep the matrix honest: a new table, RPC or bucket must show up here.
describe('coverage', () => {
  const subjects = new Set(operations.map((o) => o.subject));
  // Read off a copy of the migrated database: files running beside this one add buckets and
  // tables of their own to the shared one.
  let migrated: TestDatabase | undefined;
  const query = async <Row extends pg.QueryResultRow>(sql: string) => {
    migrated ??= await startTestDatabase({ dbUrl: stack.dbUrl, services: [] });
    return migrated.db.query<Row>(sql);
  };
  afterAll(async () => {
    await migrated?.stop();
  });

  it('covers every table of the public schema', async () => {
    const { rows } = await query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    );
    const covered = new Set([...subjects, ...Object.keys(coveredElsewhere)]);
    expect(rows.map((r) => r.table_name).filter((t) => !covered.has(t))).toEqual([]);
  });

  it('covers every RPC the API exposes', async () => {
    const { rows } = await query<{ name: string }>(
      `select distinct p.proname as name
       from pg_proc p
       join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = 'public'
         and has_function_privilege('authenticated', p.oid, 'execute')
         -- computed fields (a table row as the only argument) are columns, not RPCs
         and not (p.pronargs = 1 and exists (
           select 1 from pg_class c where c.reltype = p.proargtypes[0] and c.relnamespace = n.oid))`,
    );
    const rpcs = new Set([
      ...operations.filter((o) => o.subject === 'rpc').map((o) => o.op.split(' ')[0]),
      ...Object.keys(rpcsCoveredElsewhere),
    ]);
    expect(rows.map((r) => r.name).filter((name) => !rpcs.has(name))).toEqual([]);
  });

  it('covers every storage bucket', async () => {
    const { rows } = await query<{ id: string }>('select id from storage.buckets');
    expect(rows.map((r) => r.id).filter((id) => !subjects.has(`bucket ${id}`))).toEqual([]);
  });
});
