import { createHash, randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant, type Tenant, uniqueSuffix } from './support/fixtures.ts';
import { GRANTABLE } from './support/permission-catalogue.ts';
import { userClient } from './support/rest-personas.ts';
import { connect } from './support/sql-identity.ts';

// Workspace API keys through the real stack: keys made with the RPCs by a signed-in owner,
// machines calling PostgREST with the publishable key and the Groundwork-Api-Key header.

const stack = inject('stack');
const HEADER = 'Groundwork-Api-Key';
let db: pg.Client;
let a: Tenant;
let b: Tenant;
let ownerA: SupabaseClient;
let ownerB: SupabaseClient;

interface CreatedKey {
  id: string;
  key: string;
  prefix: string;
  permissions: string[];
}

async function createKey(
  owner: SupabaseClient,
  tenant: Tenant,
  permissions: string[],
  extra: { name?: string; expires_at?: string } = {},
): Promise<CreatedKey> {
  const { data, error } = await owner.rpc('create_api_key', {
    workspace_id: tenant.workspaceId,
    name: extra.name ?? `CI ${uniqueSuffix()}`,
    permissions,
    ...(extra.expires_at ? { expires_at: extra.expires_at } : {}),
  });
  if (error) throw error;
  return data as CreatedKey;
}

function machine(key: string): SupabaseClient {
  return createClient(stack.apiUrl, stack.publishableKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: { [HEADER]: key } },
  });
}

/** A raw REST call as a machine makes it (fetch, no supabase-js), to see status, headers and body. */
function rest(path: string, key: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${stack.apiUrl}/rest/v1/${path}`, {
    ...init,
    headers: {
      apikey: stack.publishableKey,
      [HEADER]: key,
      'content-type': 'application/json',
      ...(init.headers as Record<string, string> | undefined),
    },
  });
}

beforeAll(async () => {
  db = connect(stack.dbUrl);
  await db.connect();
  a = await createTenant(db, 'pro');
  b = await createTenant(db, 'pro');
  ownerA = await userClient(stack, a.users.owner);
  ownerB = await userClient(stack, b.users.owner);
});

afterAll(async () => {
  await db.end();
});

describe('a key is a principal of one workspace with exactly its permissions', () => {
  it('a key with tasks.read reads the workspace’s tasks and can’t write them', async () => {
    const { key } = await createKey(ownerA, a, ['tasks.read']);
    const client = machine(key);
    const read = await client.from('tasks').select('id, workspace_id');
    expect(read.error).toBeNull();
    expect((read.data ?? []).map((t) => t.id)).toContain(a.taskId);
    expect(new Set((read.data ?? []).map((t) => t.workspace_id))).toEqual(new Set([a.workspaceId]));

    const update = await client
      .from('tasks')
      .update({ title: 'changed by a key' })
      .eq('id', a.taskId)
      .select('id');
    expect(update.data).toEqual([]);
    const insert = await client.from('tasks').insert({ project_id: a.projectId, title: 'from a key' });
    // Without projects.read the project is not there for the key, as for a member holding only tasks.read.
    expect(insert.error?.message).toBe('project_not_found');
    // PostgREST answers 42501 with 401 when the request carried no JWT, as a key's does; the
    // message (forbidden) is what tells it apart from a refused key.
    const move = await client.rpc('move_task', { task_id: a.taskId, status: 'done' });
    expect(move.status).toBe(401);
    expect(move.error?.message).toBe('forbidden');
    const inserted = await db.query(`select 1 from public.tasks where title = 'from a key'`);
    expect(inserted.rows).toEqual([]);
    const { rows } = await db.query('select title, status from public.tasks where id = $1', [a.taskId]);
    expect(rows[0]).toEqual({ title: 'First task', status: 'todo' });

    // has_permission answers for the key as for a member holding exactly tasks.read.
    const may = await client.rpc('has_permission', { workspace_id: a.workspaceId, permission: 'tasks.read' });
    expect(may.data).toBe(true);
    const mayNot = await client.rpc('has_permission', {
      workspace_id: a.workspaceId,
      permission: 'tasks.update',
    });
    expect(mayNot.data).toBe(false);
    const mine = await client.rpc('my_permissions', { workspace_id: a.workspaceId });
    expect(mine.data).toEqual(['tasks.read']);
  });

  it('a key holding tasks.create and tasks.update writes, and the audit log names the key as actor', async () => {
    const created = await createKey(ownerA, a, ['tasks.create', 'tasks.update']);
    expect(created.permissions).toEqual(['tasks.create', 'tasks.read', 'tasks.update']);
    const client = machine(created.key);
    const insert = await client
      .from('tasks')
      .insert({ project_id: a.projectId, title: 'Filed by CI', assignee_id: a.users.member.id })
      .select('id, created_by')
      .single();
    expect(insert.error).toBeNull();
    expect(insert.data?.created_by).toBe(created.id);
    const move = await client.rpc('move_task', { task_id: insert.data?.id, status: 'done' });
    expect(move.error).toBeNull();

    const { rows } = await db.query(
      `select actor_id, actor_type, action from public.audit_log
       where workspace_id = $1 and target_table = 'tasks' and target_id = $2 order by id`,
      [a.workspaceId, insert.data?.id],
    );
    expect(rows).toEqual([
      { actor_id: created.id, actor_type: 'api_key', action: 'insert' },
      { actor_id: created.id, actor_type: 'api_key', action: 'update' },
    ]);
    // The assignee is notified of the assignment; a notification's actor is a person, so none.
    const notified = await db.query('select actor_id from public.notifications where task_id = $1', [
      insert.data?.id,
    ]);
    expect(notified.rows).toEqual([{ actor_id: null }]);
  });

  it("a key's move to the trash and back is audited with the key as actor (actor_type api_key)", async () => {
    const created = await createKey(ownerA, a, ['tasks.create', 'tasks.delete']);
    const client = machine(created.key);
    const insert = await client
      .from('tasks')
      .insert({ project_id: a.projectId, title: 'Trashed by CI' })
      .select('id')
      .single();
    expect(insert.error).toBeNull();
    const id = insert.data?.id as string;
    // A plain REST DELETE is a soft delete (the trash), as for a member.
    const deleted = await rest(`tasks?id=eq.${id}`, created.key, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(deleted.headers.get('groundwork-trashed')).toBe('1');
    const restored = await client.rpc('restore_from_trash', { kind: 'task', id });
    expect(restored.error).toBeNull();

    const { rows } = await db.query(
      `select actor_id, actor_type, action from public.audit_log
       where workspace_id = $1 and target_table = 'tasks' and target_id = $2 order by id`,
      [a.workspaceId, id],
    );
    expect(rows).toEqual([
      { actor_id: created.id, actor_type: 'api_key', action: 'insert' },
      { actor_id: created.id, actor_type: 'api_key', action: 'trash' },
      { actor_id: created.id, actor_type: 'api_key', action: 'restore' },
    ]);
    // A person's trash move is still 'user'.
    const member = await userClient(stack, a.users.owner);
    const again = await member.rpc('move_to_trash', { kind: 'task', id });
    expect(again.error).toBeNull();
    const last = await db.query(
      `select actor_id, actor_type, action from public.audit_log
       where target_table = 'tasks' and target_id = $1 order by id desc limit 1`,
      [id],
    );
    expect(last.rows).toEqual([{ actor_id: a.users.owner.id, actor_type: 'user', action: 'trash' }]);
  });

  it('a key of workspace A sees nothing of B through every table and every workspace RPC', async () => {
    const { key } = await createKey(
      ownerA,
      a,
      [...GRANTABLE].filter((p) => p !== 'api_keys.manage'),
    );
    const client = machine(key);
    const { rows: tables } = await db.query<{ table_name: string }>(
      `select c.table_name from information_schema.columns as c
       join information_schema.tables as t using (table_schema, table_name)
       where c.table_schema = 'public' and c.column_name = 'workspace_id' and t.table_type = 'BASE TABLE'
         and has_table_privilege('authenticated', format('%I.%I', c.table_schema, c.table_name), 'SELECT')`,
    );
    expect(tables.length).toBeGreaterThan(8);
    for (const { table_name } of tables) {
      const { data, error } = await client.from(table_name).select('workspace_id');
      expect(error, table_name).toBeNull();
      expect(
        // Built-in roles (workspace_id null) are shared by every workspace.
        (data as { workspace_id: string | null }[]).filter(
          (row) =>
            row.workspace_id !== a.workspaceId && !(table_name === 'roles' && row.workspace_id === null),
        ),
        table_name,
      ).toEqual([]);
    }
    const workspaces = await client.from('workspaces').select('id');
    expect(workspaces.data).toEqual([{ id: a.workspaceId }]);
    const profiles = await client.from('profiles').select('id');
    const membersOfA = Object.entries(a.users)
      .filter(([persona]) => persona !== 'outsider')
      .map(([, user]) => user.id);
    expect((profiles.data ?? []).map((p) => p.id).sort()).toEqual(membersOfA.sort());

    // Every RPC taking a workspace id answers for B exactly as for a workspace that does not exist.
    const { rows: rpcs } = await db.query<{ name: string; args: string[] }>(
      `select p.proname as name, array(select unnest(p.proargnames)) as args
       from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace
       where n.nspname = 'public' and 'workspace_id' = any (p.proargnames)
         and has_function_privilege('authenticated', p.oid, 'execute')`,
    );
    expect(rpcs.map((r) => r.name)).toEqual(expect.arrayContaining(['workspace_usage', 'my_permissions']));
    const answerFor = async (rpc: { name: string; args: string[] }, workspaceId: string) => {
      const args = Object.fromEntries(
        rpc.args.map((arg) => [arg, arg === 'workspace_id' ? workspaceId : null]),
      );
      const res = await client.rpc(rpc.name, args);
      return { status: res.status, data: res.data, message: res.error?.message ?? null };
    };
    for (const rpc of rpcs) {
      const forB = await answerFor(rpc, b.workspaceId);
      expect(forB.status, rpc.name).toBeLessThan(500);
      expect(forB, rpc.name).toEqual(await answerFor(rpc, randomUUID()));
    }
  });

  it('a key managing keys is refused: keys are made by people', async () => {
    const { key } = await createKey(ownerA, a, ['tasks.read']);
    const res = await machine(key).rpc('create_api_key', {
      workspace_id: a.workspaceId,
      name: 'minted by a key',
      permissions: ['tasks.read'],
    });
    expect(res.status).toBe(401);
    expect(res.error?.message).toBe('forbidden');
  });

  it('current_api_key tells a machine which key it is', async () => {
    const created = await createKey(ownerA, a, ['projects.read'], { name: 'Zapier' });
    const res = await machine(created.key).rpc('current_api_key');
    expect(res.data).toEqual({
      id: created.id,
      workspace_id: a.workspaceId,
      name: 'Zapier',
      prefix: created.prefix,
      permissions: ['projects.read'],
      expires_at: null,
    });
  });
});

describe('refused keys', () => {
  it('an unknown key is api_key_invalid (401)', async () => {
    const res = await rest('tasks?select=id', `gw_000000000000_${'x'.repeat(43)}`);
    expect(res.status).toBe(401);
    expect((await res.json()).message).toBe('api_key_invalid');
  });

  it('a revoked key fails on its very next request, with an answer that names no workspace', async () => {
    const keyA = await createKey(ownerA, a, ['tasks.read']);
    const keyB = await createKey(ownerB, b, ['tasks.read']);
    expect((await rest('tasks?select=id', keyA.key)).status).toBe(200);
    const revoked = await ownerA.rpc('revoke_api_key', { key_id: keyA.id });
    expect(revoked.error).toBeNull();
    await ownerB.rpc('revoke_api_key', { key_id: keyB.id });

    const resA = await rest('tasks?select=id', keyA.key);
    expect(resA.status).toBe(401);
    const bodyA = await resA.text();
    expect(JSON.parse(bodyA).message).toBe('api_key_revoked');
    expect(bodyA).not.toContain(a.workspaceId);
    expect(bodyA).not.toContain(keyA.id);
    const resB = await rest('tasks?select=id', keyB.key);
    expect(await resB.text(), 'the same answer for a key of any workspace').toBe(bodyA);
  });

  it('an expired key fails immediately', async () => {
    const created = await createKey(ownerA, a, ['tasks.read'], {
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect((await rest('tasks?select=id', created.key)).status).toBe(200);
    await db.query(`update private.api_keys set expires_at = now() - interval '1 second' where id = $1`, [
      created.id,
    ]);
    const res = await rest('tasks?select=id', created.key);
    expect(res.status).toBe(401);
    expect((await res.json()).message).toBe('api_key_expired');
  });

  it('a key sent with a user session is refused (400 api_key_with_session)', async () => {
    const { key } = await createKey(ownerA, a, ['tasks.read']);
    const { data } = await ownerA.auth.getSession();
    const res = await rest('tasks?select=id', key, {
      headers: { authorization: `Bearer ${data.session?.access_token}` },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toBe('api_key_with_session');
  });

  it("past the plan's requests per minute a key is answered 429 with Retry-After", async () => {
    const plan = `rl_${uniqueSuffix()}`;
    await db.query(
      `insert into public.plans (id, name, storage_limit_bytes, api_requests_per_minute) values ($1, 'Tiny', 1073741824, 3)`,
      [plan],
    );
    const tenant = await createTenant(db, 'pro', a.users);
    await db.query('update public.workspaces set plan = $2 where id = $1', [tenant.workspaceId, plan]);
    const { key } = await createKey(ownerA, tenant, ['tasks.read']);
    // The count is per calendar minute: start early in one, so the four requests share it.
    const { rows } = await db.query<{ s: number }>('select extract(second from now())::int as s');
    if ((rows[0] as { s: number }).s > 50)
      await new Promise((r) => setTimeout(r, (61 - (rows[0] as { s: number }).s) * 1000));

    const call = () => rest('rpc/current_api_key', key, { method: 'POST', body: '{}' });
    for (let i = 0; i < 3; i++) expect((await call()).status).toBe(200);
    const limited = await call();
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await limited.json()).toMatchObject({ code: 'PT429', message: 'api_key_rate_limited' });
    // Reads are refused too once the minute is spent.
    const read = await rest('tasks?select=id', key);
    expect(read.status).toBe(429);
  });
});

describe('reads count too', () => {
  it('GET and HEAD requests count toward the minute’s budget and update the key’s last use', async () => {
    const plan = `rl_${uniqueSuffix()}`;
    await db.query(
      `insert into public.plans (id, name, storage_limit_bytes, api_requests_per_minute) values ($1, 'Tiny', 1073741824, 3)`,
      [plan],
    );
    const tenant = await createTenant(db, 'pro', a.users);
    await db.query('update public.workspaces set plan = $2 where id = $1', [tenant.workspaceId, plan]);
    const created = await createKey(ownerA, tenant, ['tasks.read']);
    const { rows } = await db.query<{ s: number }>('select extract(second from now())::int as s');
    if ((rows[0] as { s: number }).s > 50)
      await new Promise((r) => setTimeout(r, (61 - (rows[0] as { s: number }).s) * 1000));

    // Reads only: two GETs and a HEAD spend the three requests of the minute.
    const first = await rest('tasks?select=id', created.key);
    expect(first.status).toBe(200);
    expect((await first.json()).map((t: { id: string }) => t.id)).toEqual([tenant.taskId]);
    expect((await rest('tasks?select=id', created.key, { method: 'HEAD' })).status).toBe(200);
    expect((await rest('projects?select=id', created.key)).status).toBe(200);
    const usage = await db.query<{ request_count: number; last_used_at: Date | null }>(
      'select request_count, last_used_at from private.api_key_usage where key_id = $1',
      [created.id],
    );
    expect(usage.rows[0]?.request_count).toBe(3);
    expect(usage.rows[0]?.last_used_at).toBeInstanceOf(Date);
    const limited = await rest('tasks?select=id', created.key);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ code: 'PT429', message: 'api_key_rate_limited' });
    // A write is refused as well: the budget is the key's, whatever the method.
    const write = await rest('rpc/current_api_key', created.key, { method: 'POST', body: '{}' });
    expect(write.status).toBe(429);
  });

  it('when the counting session cannot be had, a read is checked but not counted, and the session waits before retrying', async () => {
    const created = await createKey(ownerA, a, ['tasks.read']);
    const session = connect(stack.dbUrl);
    await session.connect();
    try {
      await session.query('begin');
      // Visible to this transaction only: the counter's connection settings now lead nowhere.
      await session.query(
        `select vault.create_secret('host=127.0.0.1 port=1 connect_timeout=2', 'api_key_request_counter_conninfo')`,
      );
      const first = await session.query<{ used: number | null }>(
        'select private.count_api_key_request_outside($1, null) as used',
        [created.id],
      );
      expect(first.rows[0]?.used).toBeNull();
      const failedAt = await session.query<{ at: string }>(
        `select current_setting('groundwork.request_counter_failed_at', true) as at`,
      );
      expect(failedAt.rows[0]?.at).not.toBe('');
      const usage = await session.query('select 1 from private.api_key_usage where key_id = $1', [
        created.id,
      ]);
      expect(usage.rows).toEqual([]);
      // Within the minute this session does not try again: no count, and no new failure recorded.
      const again = await session.query<{ used: number | null }>(
        'select private.count_api_key_request_outside($1, null) as used',
        [created.id],
      );
      expect(again.rows[0]?.used).toBeNull();
      const stillAt = await session.query<{ at: string }>(
        `select current_setting('groundwork.request_counter_failed_at', true) as at`,
      );
      expect(stillAt.rows[0]?.at).toBe(failedAt.rows[0]?.at);
      await session.query('rollback');
    } finally {
      await session.end();
    }
    // Everyone else still counts through the real settings.
    expect((await rest('tasks?select=id', created.key)).status).toBe(200);
    const { rows } = await db.query('select request_count from private.api_key_usage where key_id = $1', [
      created.id,
    ]);
    expect(rows).toEqual([{ request_count: 1 }]);
  });

  it('the counting session can only count, and the API cannot reach dblink', async () => {
    const { rows } = await db.query(
      `select has_table_privilege('groundwork_request_counter', 'private.api_keys', 'select') as keys,
              has_table_privilege('groundwork_request_counter', 'private.api_key_usage', 'select,insert,update') as usage,
              has_table_privilege('groundwork_request_counter', 'public.tasks', 'select') as tasks,
              has_function_privilege('groundwork_request_counter', 'private.count_api_key_request(uuid, inet)', 'execute') as count`,
    );
    expect(rows[0]).toEqual({ keys: false, usage: false, tasks: false, count: true });
    const client = machine((await createKey(ownerA, a, ['tasks.read'])).key);
    const call = await client.rpc('dblink_get_connections' as never);
    expect(call.error?.code).toBe('PGRST202');
  });
});

describe('managing keys', () => {
  it('the key is shown once; only its sha256 is stored; list shows prefix, name, permissions, creator, last use, expiry', async () => {
    const created = await createKey(ownerA, a, ['tasks.read'], { name: 'Nightly export' });
    expect(created.key).toMatch(/^gw_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.key.slice(0, 15));
    await rest('rpc/current_api_key', created.key, {
      method: 'POST',
      body: '{}',
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });

    const { rows } = await db.query<{ row: string; secret_hash: Buffer }>(
      'select to_jsonb(k)::text as row, secret_hash from private.api_keys as k where id = $1',
      [created.id],
    );
    const stored = rows[0] as { row: string; secret_hash: Buffer };
    expect(stored.secret_hash.toString('hex')).toBe(createHash('sha256').update(created.key).digest('hex'));
    const secretPart = created.key.slice(16);
    const { rows: anywhere } = await db.query(
      `select count(*)::int as n from private.api_keys k left join private.api_key_usage u on u.key_id = k.id
       where to_jsonb(k)::text like '%' || $1 || '%' or to_jsonb(u)::text like '%' || $1 || '%'`,
      [secretPart],
    );
    expect(stored.row).not.toContain(secretPart);
    expect(anywhere).toEqual([{ n: 0 }]);

    const list = await ownerA.rpc('list_api_keys', { workspace_id: a.workspaceId });
    expect(list.error).toBeNull();
    const listed = (list.data as Record<string, unknown>[]).find((k) => k.id === created.id);
    expect(listed).toMatchObject({
      name: 'Nightly export',
      prefix: created.prefix,
      permissions: ['tasks.read'],
      created_by: a.users.owner.id,
      expires_at: null,
      revoked_at: null,
      last_used_ip: '203.0.113.7',
    });
    expect(typeof listed?.last_used_at).toBe('string');
    expect(JSON.stringify(list.data)).not.toContain(secretPart);
    expect(Object.keys(listed ?? {})).not.toContain('key');
  });

  it('creating needs api_keys.manage; a non-member gets the answer of a workspace that does not exist', async () => {
    const member = await userClient(stack, a.users.member);
    const denied = await member.rpc('create_api_key', {
      workspace_id: a.workspaceId,
      name: 'x',
      permissions: [],
    });
    expect(denied.status).toBe(403);
    expect(denied.error?.message).toBe('forbidden');
    const outsider = await userClient(stack, a.users.outsider);
    const forA = await outsider.rpc('create_api_key', {
      workspace_id: a.workspaceId,
      name: 'x',
      permissions: [],
    });
    const forNone = await outsider.rpc('create_api_key', {
      workspace_id: randomUUID(),
      name: 'x',
      permissions: [],
    });
    expect(forA.error?.message).toBe('workspace_not_found');
    expect({ status: forA.status, error: forA.error }).toEqual({
      status: forNone.status,
      error: forNone.error,
    });
    const list = await outsider.rpc('list_api_keys', { workspace_id: a.workspaceId });
    expect(list.error?.message).toBe('workspace_not_found');
  });

  it('nobody gives a key more than they hold, and a key never holds owner-only permissions or api_keys.manage', async () => {
    const admin = await userClient(stack, a.users.admin);
    const ownerOnly = await admin.rpc('create_api_key', {
      workspace_id: a.workspaceId,
      name: 'x',
      permissions: ['workspace.delete'],
    });
    expect(ownerOnly.error?.message).toBe('invalid_permission');
    const manage = await ownerA.rpc('create_api_key', {
      workspace_id: a.workspaceId,
      name: 'x',
      permissions: ['api_keys.manage'],
    });
    expect(manage.error?.message).toBe('invalid_permission');
    const unknown = await ownerA.rpc('create_api_key', {
      workspace_id: a.workspaceId,
      name: 'x',
      permissions: ['tasks.fly'],
    });
    expect(unknown.error?.message).toBe('invalid_permission');

    const { rows } = await db.query<{ id: string }>(
      `insert into public.roles (workspace_id, name, permissions) values ($1, $2, '{api_keys.manage,tasks.read}') returning id`,
      [a.workspaceId, `Key keeper ${uniqueSuffix()}`],
    );
    const tenant = await createTenant(db, 'pro');
    await db.query(
      'insert into public.workspace_members (workspace_id, user_id, role_id) values ($1, $2, $3)',
      [a.workspaceId, tenant.users.owner.id, (rows[0] as { id: string }).id],
    );
    const keeper = await userClient(stack, tenant.users.owner);
    const beyond = await keeper.rpc('create_api_key', {
      workspace_id: a.workspaceId,
      name: 'x',
      permissions: ['tasks.update'],
    });
    expect(beyond.status).toBe(403);
    expect(beyond.error?.message).toBe('forbidden');
    const within = await keeper.rpc('create_api_key', {
      workspace_id: a.workspaceId,
      name: 'x',
      permissions: ['tasks.read'],
    });
    expect(within.error).toBeNull();
  });

  it('revoking a key of another workspace answers as for a key that does not exist', async () => {
    const keyB = await createKey(ownerB, b, ['tasks.read']);
    const other = await ownerA.rpc('revoke_api_key', { key_id: keyB.id });
    const none = await ownerA.rpc('revoke_api_key', { key_id: randomUUID() });
    expect(other.error?.message).toBe('api_key_not_found');
    expect({ status: other.status, error: other.error }).toEqual({ status: none.status, error: none.error });
    expect((await rest('tasks?select=id', keyB.key)).status).toBe(200);
  });
});
