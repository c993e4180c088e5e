import type { SupabaseClient } from '@supabase/supabase-js';
import { createClient } from '@supabase/supabase-js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createTenant,
  newInvitationToken,
  type Tenant,
  type TestUser,
  uniqueSuffix,
} from './support/fixtures.ts';
import { serviceRoleClient } from './support/rest-personas.ts';
import { connect, queryAs } from './support/sql-identity.ts';

// The audit log through the REST API: every kind of change leaves one row naming who, what,
// which row and which columns changed (before/after), with the caller's IP and user agent, in
// the same transaction; nobody can change it; audit.read holders filter it.

const stack = inject('stack');
const IP = '203.0.113.7';
const AGENT = `audit-test/${uniqueSuffix()}`;
let db: pg.Client;
let t: Tenant;

interface AuditRow {
  actor_id: string | null;
  actor_type: string;
  action: string;
  target_table: string;
  target_id: string;
  changes: Record<string, { before?: unknown; after?: unknown }>;
  ip: string | null;
  user_agent: string | null;
}

/** A client signed in as `user`, calling through a proxy that names the client's address. */
async function clientBehindProxy(user: TestUser): Promise<SupabaseClient> {
  const auth = createClient(stack.apiUrl, stack.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const { data, error } = await auth.auth.signInWithPassword({ email: user.email, password: 'password123' });
  if (error) throw error;
  return createClient(stack.apiUrl, stack.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: {
      headers: {
        Authorization: `Bearer ${data.session?.access_token}`,
        'x-forwarded-for': `${IP}, 10.0.0.1`,
        'user-agent': AGENT,
      },
    },
  });
}

async function lastAuditId(): Promise<number> {
  const { rows } = await db.query('select coalesce(max(id), 0)::int as id from public.audit_log');
  return rows[0].id;
}

async function auditSince(id: number, workspaceId = t.workspaceId): Promise<AuditRow[]> {
  const { rows } = await db.query<AuditRow>(
    `select actor_id, actor_type, action, target_table, target_id, changes, host(ip) as ip, user_agent
     from public.audit_log where id > $1 and workspace_id = $2 order by id`,
    [id, workspaceId],
  );
  return rows;
}

const clients = new Map<string, SupabaseClient>();
async function as(user: TestUser): Promise<SupabaseClient> {
  let client = clients.get(user.id);
  if (!client) {
    client = await clientBehindProxy(user);
    clients.set(user.id, client);
  }
  return client;
}

beforeAll(async () => {
  db = connect(stack.dbUrl);
  await db.connect();
  t = await createTenant(db);
});

afterAll(async () => {
  await db.end();
});

interface Change {
  name: string;
  by: 'admin' | 'member';
  /** Makes the change through the API; answers the target's key as the log writes it. */
  run: (client: SupabaseClient) => Promise<string>;
  expected: Pick<AuditRow, 'action' | 'target_table'> & { changes: AuditRow['changes'] };
}

async function ok<T>(promise: PromiseLike<{ data: T; error: unknown }>): Promise<NonNullable<T>> {
  const { data, error } = await promise;
  if (error) throw error;
  if (data === null || data === undefined) throw new Error('no data');
  return data;
}

const fresh = {
  task: async () =>
    (
      await db.query(`insert into public.tasks (project_id, title) values ($1, 'Audited') returning id`, [
        t.projectId,
      ])
    ).rows[0].id as string,
  label: async () =>
    (
      await db.query(`insert into public.labels (workspace_id, name) values ($1, $2) returning id`, [
        t.workspaceId,
        `l-${uniqueSuffix()}`,
      ])
    ).rows[0].id as string,
  role: async () =>
    (
      await db.query(`insert into public.roles (workspace_id, name) values ($1, $2) returning id`, [
        t.workspaceId,
        `r-${uniqueSuffix()}`,
      ])
    ).rows[0].id as string,
};

const changes: Change[] = [
  {
    name: 'renaming the workspace',
    by: 'admin',
    run: async (client) => {
      await ok(client.from('workspaces').update({ name: 'Audited Inc' }).eq('id', t.workspaceId).select());
      return t.workspaceId;
    },
    expected: { action: 'update', target_table: 'workspaces', changes: { name: { after: 'Audited Inc' } } },
  },
  {
    name: "changing a member's role",
    by: 'admin',
    run: async (client) => {
      await ok(
        client.from('workspace_members').update({ role: 'member' }).eq('user_id', t.users.viewer.id).select(),
      );
      return t.users.viewer.id;
    },
    expected: {
      action: 'update',
      target_table: 'workspace_members',
      changes: { role: { before: 'viewer', after: 'member' } },
    },
  },
  {
    name: 'creating a custom role',
    by: 'admin',
    run: async (client) => {
      const [row] = await ok(
        client
          .from('roles')
          .insert({ workspace_id: t.workspaceId, name: 'Auditors', permissions: ['audit.read'] })
          .select('id'),
      );
      return (row as { id: string }).id;
    },
    expected: {
      action: 'insert',
      target_table: 'roles',
      changes: { name: { after: 'Auditors' }, permissions: { after: ['audit.read'] } },
    },
  },
  {
    name: 'editing a custom role',
    by: 'admin',
    run: async (client) => {
      const id = await fresh.role();
      await ok(
        client
          .from('roles')
          .update({ permissions: ['tasks.read'] })
          .eq('id', id)
          .select(),
      );
      return id;
    },
    expected: {
      action: 'update',
      target_table: 'roles',
      changes: { permissions: { before: [], after: ['tasks.read'] } },
    },
  },
  {
    name: 'deleting a custom role',
    by: 'admin',
    run: async (client) => {
      const id = await fresh.role();
      await ok(client.from('roles').delete().eq('id', id).select());
      return id;
    },
    expected: { action: 'delete', target_table: 'roles', changes: { permissions: { before: [] } } },
  },
  {
    name: 'inviting someone (the token hash stays out of the log)',
    by: 'admin',
    run: async (client) => {
      const [row] = await ok(
        client
          .from('invitations')
          .insert({
            workspace_id: t.workspaceId,
            email: 'Audited@Example.test',
            token_hash: newInvitationToken().tokenHash,
          })
          .select('id'),
      );
      return (row as { id: string }).id;
    },
    expected: {
      action: 'insert',
      target_table: 'invitations',
      changes: { email: { after: 'audited@example.test' } },
    },
  },
  {
    name: 'creating a project',
    by: 'admin',
    run: async (client) => {
      const [row] = await ok(
        client
          .from('projects')
          .insert({ workspace_id: t.workspaceId, name: 'Audit', key: 'AUD' })
          .select('id'),
      );
      return (row as { id: string }).id;
    },
    expected: {
      action: 'insert',
      target_table: 'projects',
      changes: { key: { after: 'AUD' }, name: { after: 'Audit' } },
    },
  },
  {
    name: 'archiving a project',
    by: 'admin',
    run: async (client) => {
      const [row] = await ok(
        client
          .from('projects')
          .insert({ workspace_id: t.workspaceId, name: 'Old', key: 'OLDA' })
          .select('id'),
      );
      const id = (row as { id: string }).id;
      await ok(client.from('projects').update({ archived: true }).eq('id', id).select());
      return id;
    },
    expected: {
      action: 'update',
      target_table: 'projects',
      changes: { archived: { before: false, after: true } },
    },
  },
  {
    name: 'creating a task',
    by: 'member',
    run: async (client) => {
      const [row] = await ok(
        client.from('tasks').insert({ project_id: t.projectId, title: 'Logged' }).select('id'),
      );
      return (row as { id: string }).id;
    },
    expected: {
      action: 'insert',
      target_table: 'tasks',
      changes: { title: { after: 'Logged' }, status: { after: 'todo' } },
    },
  },
  {
    name: 'moving a task to another column',
    by: 'member',
    run: async (client) => {
      const id = await fresh.task();
      await ok(client.rpc('move_task', { task_id: id, status: 'done' }));
      return id;
    },
    expected: {
      action: 'update',
      target_table: 'tasks',
      changes: { status: { before: 'todo', after: 'done' } },
    },
  },
  {
    name: 'deleting a task (it goes to the trash)',
    by: 'member',
    run: async (client) => {
      const id = await fresh.task();
      const { error } = await client.from('tasks').delete().eq('id', id);
      if (error) throw error;
      return id;
    },
    expected: {
      action: 'trash',
      target_table: 'tasks',
      changes: { deleted_at: { before: null }, deleted_with_parent: { before: false, after: false } },
    },
  },
  {
    name: 'restoring a task from the trash',
    by: 'member',
    run: async (client) => {
      const id = await fresh.task();
      await ok(client.rpc('move_to_trash', { kind: 'task', id }));
      await ok(client.rpc('restore_from_trash', { kind: 'task', id }));
      return id;
    },
    expected: { action: 'restore', target_table: 'tasks', changes: { deleted_at: { after: null } } },
  },
  {
    name: 'deleting a task permanently',
    by: 'admin',
    run: async (client) => {
      const id = await fresh.task();
      await ok(client.rpc('delete_permanently', { kind: 'task', id }));
      return id;
    },
    expected: { action: 'delete', target_table: 'tasks', changes: { title: { before: 'Audited' } } },
  },
  {
    name: 'recolouring a label',
    by: 'member',
    run: async (client) => {
      const id = await fresh.label();
      await ok(client.from('labels').update({ color: '#123456' }).eq('id', id).select());
      return id;
    },
    expected: {
      action: 'update',
      target_table: 'labels',
      changes: { color: { before: '#6b7280', after: '#123456' } },
    },
  },
  {
    name: 'labelling a task',
    by: 'member',
    run: async (client) => {
      const [task, label] = [await fresh.task(), await fresh.label()];
      await ok(client.from('task_labels').insert({ task_id: task, label_id: label }).select());
      return `${task}/${label}`;
    },
    expected: { action: 'insert', target_table: 'task_labels', changes: {} },
  },
  {
    name: 'editing a comment',
    by: 'member',
    run: async (client) => {
      await ok(client.from('comments').update({ body: 'Looks great' }).eq('id', t.commentId).select());
      return t.commentId;
    },
    expected: {
      action: 'update',
      target_table: 'comments',
      changes: { body: { before: 'Looks good', after: 'Looks great' } },
    },
  },
  {
    name: 'attaching a file',
    by: 'member',
    run: async (client) => {
      const path = `${t.workspaceId}/${t.taskId}/${uniqueSuffix()}.txt`;
      await ok(client.storage.from('attachments').upload(path, 'hello', { contentType: 'text/plain' }));
      return (await db.query('select id from public.attachments where object_path = $1', [path])).rows[0].id;
    },
    expected: { action: 'insert', target_table: 'attachments', changes: { size_bytes: { after: 5 } } },
  },
];

describe('every kind of change is in the audit log', () => {
  it.each(changes)('$name', async ({ by, run, expected }) => {
    const user = t.users[by];
    const since = await lastAuditId();
    const targetId = await run(await as(user));
    const rows = (await auditSince(since)).filter(
      (row) => row.target_table === expected.target_table && row.target_id === targetId,
    );
    const row = rows.find((r) => r.action === expected.action);
    expect(row, JSON.stringify(rows)).toMatchObject({
      actor_id: user.id,
      actor_type: 'user',
      action: expected.action,
      target_table: expected.target_table,
      target_id: targetId,
      changes: expected.changes,
      ...(expected.target_table === 'attachments' ? {} : { ip: IP, user_agent: AGENT }),
    });
    expect(JSON.stringify(row?.changes)).not.toMatch(/token_hash|updated_at|search_vector/);
  });

  it('a reorder within a column (position only) writes nothing', async () => {
    const [first, second] = [await fresh.task(), await fresh.task()];
    const since = await lastAuditId();
    await ok((await as(t.users.member)).rpc('move_task', { task_id: second, before_task_id: first }));
    expect((await auditSince(since)).filter((r) => r.target_id === second)).toEqual([]);
  });

  it('a failed change leaves no trace: the log is written in the same transaction', async () => {
    const since = await lastAuditId();
    const client = await as(t.users.member);
    // The second row breaks a check: the whole insert, and its audit rows, roll back.
    const { error } = await client.from('tasks').insert([
      { project_id: t.projectId, title: 'fine' },
      { project_id: t.projectId, title: ' ' },
    ]);
    expect(error?.code).toBe('23514');
    expect(await auditSince(since)).toEqual([]);
  });

  it('names the service role and the database itself as actors', async () => {
    const since = await lastAuditId();
    await ok(
      serviceRoleClient(stack)
        .from('projects')
        .update({ description: 'by the back office' })
        .eq('id', t.projectId)
        .select(),
    );
    await db.query(`update public.projects set description = 'by a migration' where id = $1`, [t.projectId]);
    const rows = (await auditSince(since)).map(({ actor_id, actor_type, changes }) => ({
      actor_id,
      actor_type,
      description: changes.description?.after,
    }));
    expect(rows).toEqual([
      { actor_id: null, actor_type: 'service_role', description: 'by the back office' },
      { actor_id: null, actor_type: 'system', description: 'by a migration' },
    ]);
  });
});

describe('reading the audit log', () => {
  it('holders of audit.read filter it by actor, action, target and time; others see none of it', async () => {
    const tenant = await createTenant(db);
    const admin = await as(tenant.users.admin);
    const before = (await db.query(`select now() as at`)).rows[0].at.toISOString();
    await ok(admin.from('projects').update({ description: 'v2' }).eq('id', tenant.projectId).select());
    const query = () =>
      admin
        .from('audit_log')
        .select('action, target_table, target_id')
        .eq('workspace_id', tenant.workspaceId);
    expect(await ok(query().eq('actor_id', tenant.users.admin.id).eq('action', 'update'))).toEqual([
      { action: 'update', target_table: 'projects', target_id: tenant.projectId },
    ]);
    expect(await ok(query().eq('target_table', 'tasks').eq('target_id', tenant.taskId))).toEqual([
      { action: 'insert', target_table: 'tasks', target_id: tenant.taskId },
    ]);
    expect(await ok(query().gt('occurred_at', before).eq('target_table', 'projects'))).toHaveLength(1);
    expect(await ok(query().lt('occurred_at', '2000-01-01T00:00:00Z'))).toEqual([]);
    const member = await as(tenant.users.member);
    expect(await ok(member.from('audit_log').select('id').eq('workspace_id', tenant.workspaceId))).toEqual(
      [],
    );
  });

  it('is append-only: not even the service role writes, changes or deletes it through the API', async () => {
    const service = serviceRoleClient(stack);
    const inserted = await service.from('audit_log').insert({
      workspace_id: t.workspaceId,
      actor_type: 'system',
      action: 'forged',
      target_table: 'x',
      target_id: 'x',
    });
    const updated = await service
      .from('audit_log')
      .update({ action: 'forged' })
      .eq('workspace_id', t.workspaceId);
    const deleted = await service.from('audit_log').delete().eq('workspace_id', t.workspaceId);
    expect([inserted, updated, deleted].map((r) => r.error?.code)).toEqual(['42501', '42501', '42501']);
    const rows = await queryAs(
      db,
      t.users.owner,
      `select count(*)::int as n from public.audit_log where action = 'forged'`,
    );
    expect(rows).toEqual([{ n: 0 }]);
  });
});

describe('exporting a range (audit-export)', () => {
  const exportAs = async (user: TestUser, body: Record<string, unknown>) => {
    const { data, error } = await (await as(user)).functions.invoke('audit-export', { body });
    const response = (error as { context?: globalThis.Response } | null)?.context;
    return { status: response?.status ?? 201, body: response ? await response.json() : data };
  };

  it('writes CSV or JSON to the private bucket and answers a signed URL for it', async () => {
    const tenant = await createTenant(db);
    const csv = await exportAs(tenant.users.admin, { workspaceId: tenant.workspaceId, format: 'csv' });
    expect(csv.status).toBe(201);
    expect(csv.body).toMatchObject({ format: 'csv', expiresIn: 3600 });
    expect(csv.body.path).toMatch(new RegExp(`^${tenant.workspaceId}/audit-.+\\.csv$`));
    const file = await (await fetch(csv.body.url)).text();
    const lines = file.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'id,occurred_at,actor_id,actor_type,action,target_table,target_id,changes,ip,user_agent',
    );
    expect(lines).toHaveLength(csv.body.rows + 1);
    expect(file).toContain(`"${tenant.taskId}"`);

    const json = await exportAs(tenant.users.owner, {
      workspaceId: tenant.workspaceId,
      format: 'json',
      from: '2000-01-01T00:00:00Z',
    });
    const entries = (await (await fetch(json.body.url)).json()) as {
      target_table: string;
      changes: unknown;
    }[];
    expect(entries).toHaveLength(json.body.rows);
    expect(entries.map((e) => e.target_table)).toContain('comments');
    // The range is honoured: nothing before the year 2000.
    const empty = await exportAs(tenant.users.owner, {
      workspaceId: tenant.workspaceId,
      format: 'json',
      to: '2000-01-01T00:00:00Z',
    });
    expect(empty.body.rows).toBe(0);
  });

  it('needs audit.read; others learn nothing, and bad input is a 400 naming the fields', async () => {
    const tenant = await createTenant(db);
    expect((await exportAs(tenant.users.member, { workspaceId: tenant.workspaceId })).body.code).toBe(
      'forbidden',
    );
    for (const workspaceId of [tenant.workspaceId, crypto.randomUUID()]) {
      const answer = await exportAs(tenant.users.outsider, { workspaceId });
      expect({ status: answer.status, code: answer.body.code }).toEqual({
        status: 404,
        code: 'workspace_not_found',
      });
    }
    const bad = await exportAs(tenant.users.admin, { workspaceId: 'x', format: 'xml', from: 'yesterday' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.fields).sort()).toEqual(['format', 'from', 'workspaceId']);
  });
});

describe('retention per plan, purged nightly by pg_cron', () => {
  it('is scheduled, and its command, run as the job runs it, drops only what the plan no longer keeps', async () => {
    const { rows: jobs } = await db.query(
      `select schedule, command, username, active from cron.job where jobname = 'purge-audit-log'`,
    );
    expect(jobs).toEqual([
      {
        schedule: '17 3 * * *',
        command: 'select private.purge_audit_log()',
        username: 'postgres',
        active: true,
      },
    ]);
    const [free, pro] = [await createTenant(db, 'free'), await createTenant(db, 'pro')];
    const aged = async (workspaceId: string, days: number) =>
      (
        await db.query(
          `insert into public.audit_log (workspace_id, occurred_at, actor_type, action, target_table, target_id)
           values ($1, now() - make_interval(days => $2), 'system', 'update', 'tasks', $3) returning id`,
          [workspaceId, days, `aged-${days}`],
        )
      ).rows[0].id as number;
    const ids = {
      free29: await aged(free.workspaceId, 29),
      free31: await aged(free.workspaceId, 31),
      pro31: await aged(pro.workspaceId, 31),
      pro366: await aged(pro.workspaceId, 366),
    };
    // The job's session: its role, nothing more.
    await db.query('begin');
    await db.query(`set local role ${jobs[0].username}`);
    await db.query(jobs[0].command);
    await db.query('commit');
    const { rows } = await db.query('select id from public.audit_log where id = any($1)', [
      Object.values(ids),
    ]);
    expect(rows.map((r) => r.id).sort()).toEqual([ids.free29, ids.pro31].sort());
  });

  it('no API role can run the purge', async () => {
    for (const role of ['anon', 'authenticated', 'service_role']) {
      await db.query('begin');
      const denied = await db.query(`set local role ${role}; select private.purge_audit_log()`).then(
        () => 'ran',
        (e: Error) => e.message,
      );
      await db.query('rollback');
      expect(denied, role).toMatch(/permission denied/);
    }
  });
});
