import { randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { Secret, TOTP } from 'otpauth';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant, type Tenant, type TestUser, uniqueSuffix } from './support/fixtures.ts';
import { connect } from './support/sql-identity.ts';

// "Members must use MFA" (workspaces.require_mfa) through the real stack: people sign in
// through Auth, second factors are TOTP codes computed here as an authenticator app would,
// and every read and write goes through PostgREST (and one edge function) as that person.

const stack = inject('stack');
const API_KEY_HEADER = 'Groundwork-Api-Key';
const clientOptions = { auth: { persistSession: false, autoRefreshToken: false } } as const;

let db: pg.Client;
let t: Tenant;
/** Sessions by user id and level, each signed in (and for aal2 enrolled) once. */
const sessions = new Map<string, SupabaseClient>();

async function signedIn(user: TestUser): Promise<SupabaseClient> {
  const client = createClient(stack.apiUrl, stack.anonKey, clientOptions);
  const { error } = await client.auth.signInWithPassword({ email: user.email, password: 'password123' });
  if (error) throw error;
  return client;
}

/** `user` signed in with a password only: the session is at aal1. */
async function aal1(user: TestUser): Promise<SupabaseClient> {
  const key = `${user.id}:aal1`;
  let client = sessions.get(key);
  if (!client) {
    client = await signedIn(user);
    sessions.set(key, client);
  }
  return client;
}

/** `user` with a TOTP factor enrolled and verified on this session: aal2. */
async function aal2(user: TestUser): Promise<SupabaseClient> {
  const key = `${user.id}:aal2`;
  let client = sessions.get(key);
  if (!client) {
    client = await signedIn(user);
    const { data: factor, error } = await client.auth.mfa.enroll({ factorType: 'totp' });
    if (error) throw error;
    if (factor.type !== 'totp') throw new Error('no TOTP factor');
    const code = new TOTP({
      secret: Secret.fromBase32(factor.totp.secret),
      digits: 6,
      period: 30,
    }).generate();
    const verified = await client.auth.mfa.challengeAndVerify({ factorId: factor.id, code });
    if (verified.error) throw verified.error;
    const level = await client.auth.mfa.getAuthenticatorAssuranceLevel();
    expect(level.data?.currentLevel).toBe('aal2');
    sessions.set(key, client);
  }
  return client;
}

async function requireMfa(on: boolean) {
  await db.query('update public.workspaces set require_mfa = $2 where id = $1', [t.workspaceId, on]);
}

async function requireMfaNow(): Promise<boolean> {
  const { rows } = await db.query<{ require_mfa: boolean }>(
    'select require_mfa from public.workspaces where id = $1',
    [t.workspaceId],
  );
  return (rows[0] as { require_mfa: boolean }).require_mfa;
}

beforeAll(async () => {
  db = connect(stack.dbUrl);
  await db.connect();
  t = await createTenant(db, 'pro');
});

afterAll(async () => {
  await db?.end();
});

describe('turning require_mfa on and off', () => {
  it('every member sees the setting and their session level; it starts off', async () => {
    const viewer = await aal1(t.users.viewer);
    const row = await viewer.from('workspaces').select('id, require_mfa').eq('id', t.workspaceId).single();
    expect(row.error).toBeNull();
    expect(row.data).toEqual({ id: t.workspaceId, require_mfa: false });
    const status = await viewer.rpc('workspace_mfa_status', { workspace_id: t.workspaceId });
    expect(status.error).toBeNull();
    expect(status.data).toEqual({
      workspace_id: t.workspaceId,
      require_mfa: false,
      session_aal: 'aal1',
      mfa_satisfied: true,
    });
  });

  it('an owner at aal1 cannot turn it on, by RPC or by PATCH: mfa_required, nothing changes', async () => {
    const owner = await aal1(t.users.owner);
    const viaRpc = await owner.rpc('set_workspace_require_mfa', {
      workspace_id: t.workspaceId,
      require_mfa: true,
    });
    expect(viaRpc.status).toBe(403);
    expect(viaRpc.error?.message).toBe('mfa_required');
    const viaPatch = await owner
      .from('workspaces')
      .update({ require_mfa: true })
      .eq('id', t.workspaceId)
      .select();
    expect(viaPatch.status).toBe(403);
    expect(viaPatch.error?.message).toBe('mfa_required');
    expect(await requireMfaNow()).toBe(false);
  });

  it('a viewer cannot set it, even at aal2: forbidden; a member neither', async () => {
    for (const client of [await aal2(t.users.viewer), await aal1(t.users.member)]) {
      const result = await client.rpc('set_workspace_require_mfa', {
        workspace_id: t.workspaceId,
        require_mfa: true,
      });
      expect(result.status).toBe(403);
      expect(result.error?.message).toBe('forbidden');
      const patch = await client
        .from('workspaces')
        .update({ require_mfa: true })
        .eq('id', t.workspaceId)
        .select();
      expect(patch.data).toEqual([]);
    }
    expect(await requireMfaNow()).toBe(false);
  });

  it('a non-member learns nothing: the same answers for the workspace as for a random id', async () => {
    const outsider = await aal2(t.users.outsider);
    for (const on of [false, true]) {
      await requireMfa(on);
      const answers = [];
      for (const workspaceId of [t.workspaceId, randomUUID()]) {
        const status = await outsider.rpc('workspace_mfa_status', { workspace_id: workspaceId });
        const set = await outsider.rpc('set_workspace_require_mfa', {
          workspace_id: workspaceId,
          require_mfa: !on,
        });
        const row = await outsider.from('workspaces').select('id, require_mfa').eq('id', workspaceId);
        answers.push({
          status: [status.status, status.error?.message],
          set: [set.status, set.error?.message],
          row: [row.status, row.data],
        });
      }
      expect(answers[0]).toEqual({
        status: [404, 'workspace_not_found'],
        set: [404, 'workspace_not_found'],
        row: [200, []],
      });
      expect(answers[1]).toEqual(answers[0]);
      expect(await requireMfaNow()).toBe(on);
    }
    await requireMfa(false);
  });

  it('the service role may change it (support tooling), and the audit log says so', async () => {
    const service = createClient(stack.apiUrl, stack.serviceRoleKey, clientOptions);
    const on = await service
      .from('workspaces')
      .update({ require_mfa: true })
      .eq('id', t.workspaceId)
      .select('require_mfa');
    expect(on.data).toEqual([{ require_mfa: true }]);
    const { rows } = await db.query(
      `select actor_type from public.audit_log
       where workspace_id = $1 and target_table = 'workspaces' and changes ? 'require_mfa' order by id desc limit 1`,
      [t.workspaceId],
    );
    expect(rows).toEqual([{ actor_type: 'service_role' }]);
    await requireMfa(false);
  });

  it('an owner at aal2 turns it on, and the audit log records who changed it from what to what', async () => {
    const owner = await aal2(t.users.owner);
    const result = await owner.rpc('set_workspace_require_mfa', {
      workspace_id: t.workspaceId,
      require_mfa: true,
    });
    expect(result.error).toBeNull();
    expect(result.data).toEqual({
      workspace_id: t.workspaceId,
      require_mfa: true,
      session_aal: 'aal2',
      mfa_satisfied: true,
    });
    const { rows } = await db.query(
      `select actor_id, actor_type, action, changes from public.audit_log
       where workspace_id = $1 and target_table = 'workspaces' and changes ? 'require_mfa'
       order by id desc limit 1`,
      [t.workspaceId],
    );
    expect(rows).toEqual([
      {
        actor_id: t.users.owner.id,
        actor_type: 'user',
        action: 'update',
        changes: { require_mfa: { before: false, after: true } },
      },
    ]);
    await requireMfa(false);
  });
});

describe('while require_mfa is on', () => {
  /** A workspace the member is in too, which does not require MFA. */
  let other: Tenant;
  beforeAll(async () => {
    other = await createTenant(db, 'pro', { ...t.users, owner: t.users.outsider });
    await requireMfa(true);
  });
  afterAll(async () => {
    await requireMfa(false);
  });

  it('a member at aal1 reads nothing of the workspace but its row, which says why', async () => {
    const member = await aal1(t.users.member);
    for (const table of [
      'projects',
      'tasks',
      'comments',
      'labels',
      'task_labels',
      'activity',
      'workspace_members',
    ]) {
      const result = await member.from(table).select('*').eq('workspace_id', t.workspaceId);
      expect({ table, status: result.status, rows: result.data }).toEqual({ table, status: 200, rows: [] });
    }
    const coworker = await member.from('profiles').select('id').eq('id', t.users.owner.id);
    expect(coworker.data).toEqual([]);
    const row = await member.from('workspaces').select('id, require_mfa').eq('id', t.workspaceId);
    expect(row.data).toEqual([{ id: t.workspaceId, require_mfa: true }]);
    const status = await member.rpc('workspace_mfa_status', { workspace_id: t.workspaceId });
    expect(status.data).toMatchObject({ require_mfa: true, session_aal: 'aal1', mfa_satisfied: false });
  });

  it("a member's notifications from it wait until the session is at aal2", async () => {
    const { rows } = await db.query<{ id: string }>(
      `insert into public.notifications (recipient_id, workspace_id, type, task_id, actor_id)
       values ($1, $2, 'task_assigned', $3, $4) returning id`,
      [t.users.member.id, t.workspaceId, t.taskId, t.users.owner.id],
    );
    const id = (rows[0] as { id: string }).id;
    const below = await (await aal1(t.users.member)).from('notifications').select('id').eq('id', id);
    expect([below.status, below.data]).toEqual([200, []]);
    const above = await (await aal2(t.users.member)).from('notifications').select('id').eq('id', id);
    expect(above.data).toEqual([{ id }]);
  });

  it('RPCs answer mfa_required to a member at aal1', async () => {
    const member = await aal1(t.users.member);
    const calls = [
      member.rpc('my_permissions', { workspace_id: t.workspaceId }),
      member.rpc('has_permission', { workspace_id: t.workspaceId, permission: 'tasks.read' }),
      member.rpc('workspace_usage', { workspace_id: t.workspaceId }),
      member.rpc('list_trash', { workspace_id: t.workspaceId }),
    ];
    for (const result of await Promise.all(calls)) {
      expect([result.status, result.error?.message]).toEqual([403, 'mfa_required']);
    }
  });

  it('writes by a member at aal1 are refused: inserts with mfa_required, updates and deletes touch nothing', async () => {
    const member = await aal1(t.users.member);
    const insert = await member.from('tasks').insert({ project_id: t.projectId, title: 'Sneaky' });
    expect([insert.status, insert.error?.message]).toEqual([403, 'mfa_required']);
    const update = await member.from('tasks').update({ title: 'Changed' }).eq('id', t.taskId).select('id');
    expect(update.data).toEqual([]);
    const remove = await member.from('comments').delete().eq('id', t.commentId).select('id');
    expect(remove.data).toEqual([]);
    const { rows } = await db.query(
      `select (select title from public.tasks where id = $1) as title,
              (select deleted_at is null from public.comments where id = $2) as comment_live,
              (select count(*)::int from public.tasks where title = 'Sneaky' and workspace_id = $3) as sneaky`,
      [t.taskId, t.commentId, t.workspaceId],
    );
    expect(rows[0]).toMatchObject({ comment_live: true, sneaky: 0 });
    expect(rows[0].title).not.toBe('Changed');
  });

  it('an admin at aal1 cannot turn it off (mfa_required); at aal2 the member works as before', async () => {
    const admin = await aal1(t.users.admin);
    const off = await admin.rpc('set_workspace_require_mfa', {
      workspace_id: t.workspaceId,
      require_mfa: false,
    });
    expect([off.status, off.error?.message]).toEqual([403, 'mfa_required']);
    expect(await requireMfaNow()).toBe(true);

    const member = await aal2(t.users.member);
    const tasks = await member.from('tasks').select('id').eq('workspace_id', t.workspaceId);
    expect(tasks.data?.map((task) => task.id)).toContain(t.taskId);
    const created = await member
      .from('tasks')
      .insert({ project_id: t.projectId, title: `At aal2 ${uniqueSuffix()}` });
    expect(created.error).toBeNull();
    const permissions = await member.rpc('my_permissions', { workspace_id: t.workspaceId });
    expect(permissions.data).toContain('tasks.create');
  });

  it('a member of two workspaces still uses the other one at aal1', async () => {
    const member = await aal1(t.users.member);
    const tasks = await member.from('tasks').select('workspace_id');
    expect(new Set(tasks.data?.map((task) => task.workspace_id))).toEqual(new Set([other.workspaceId]));
  });

  it('Realtime tells a member at aal1 nothing of the workspace (a change in the other one arrives)', async () => {
    const member = await aal1(t.users.member);
    const seen: string[] = [];
    const channel = member
      .channel(`mfa-rt-${uniqueSuffix()}`)
      .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'tasks' }, (payload) =>
        seen.push((payload.new as { id: string }).id),
      );
    await new Promise<void>((resolve, reject) =>
      channel.subscribe((status, error) => (status === 'SUBSCRIBED' ? resolve() : error && reject(error))),
    );
    await db.query(`update public.tasks set priority = 'urgent' where id = $1`, [t.taskId]);
    await db.query(`update public.tasks set priority = 'urgent' where id = $1`, [other.taskId]);
    await expect.poll(() => seen.includes(other.taskId), { timeout: 10_000 }).toBe(true);
    expect(seen).not.toContain(t.taskId);
    await member.removeChannel(channel);
  });

  it('API keys are not subject to it, and cannot change it', async () => {
    const owner = await aal2(t.users.owner);
    const created = await owner.rpc('create_api_key', {
      workspace_id: t.workspaceId,
      name: `mfa ${uniqueSuffix()}`,
      permissions: ['tasks.read', 'workspace.update'],
    });
    expect(created.error).toBeNull();
    const machine = createClient(stack.apiUrl, stack.publishableKey, {
      ...clientOptions,
      global: { headers: { [API_KEY_HEADER]: (created.data as { key: string }).key } },
    });
    const tasks = await machine.from('tasks').select('id').eq('workspace_id', t.workspaceId);
    expect(tasks.data?.map((task) => task.id)).toContain(t.taskId);
    const status = await machine.rpc('workspace_mfa_status', { workspace_id: t.workspaceId });
    expect(status.data).toEqual({
      workspace_id: t.workspaceId,
      require_mfa: true,
      session_aal: null,
      mfa_satisfied: true,
    });
    const off = await machine.rpc('set_workspace_require_mfa', {
      workspace_id: t.workspaceId,
      require_mfa: false,
    });
    // 401, not 403: PostgREST answers 42501 so to a request without a JWT (docs/api-keys.md).
    expect([off.status, off.error?.message]).toEqual([401, 'forbidden']);
    expect(await requireMfaNow()).toBe(true);
  });

  it('edge functions acting in the workspace answer mfa_required at aal1', async () => {
    const admin = await aal1(t.users.admin);
    const invite = await fetch(`${stack.apiUrl}/functions/v1/invite-member`, {
      method: 'POST',
      headers: {
        apikey: stack.anonKey,
        authorization: `Bearer ${(await admin.auth.getSession()).data.session?.access_token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        workspaceId: t.workspaceId,
        email: `mfa-${uniqueSuffix()}@example.test`,
        role: 'member',
      }),
    });
    expect(invite.status).toBe(403);
    expect(await invite.json()).toMatchObject({ code: 'mfa_required' });
    const { rows } = await db.query(
      'select count(*)::int as n from public.invitations where workspace_id = $1',
      [t.workspaceId],
    );
    expect(rows[0].n).toBe(0);
    const exported = await admin.functions.invoke('audit-export', {
      body: { workspaceId: t.workspaceId, format: 'json' },
    });
    const exportResponse = (exported.error as { context?: Response } | null)?.context;
    expect(exportResponse?.status).toBe(403);
    expect(await exportResponse?.json()).toMatchObject({ code: 'mfa_required' });
  });

  it('an owner at aal2 turns it off, and the aal1 member reads again', async () => {
    const owner = await aal2(t.users.owner);
    const off = await owner.rpc('set_workspace_require_mfa', {
      workspace_id: t.workspaceId,
      require_mfa: false,
    });
    expect(off.error).toBeNull();
    const member = await aal1(t.users.member);
    const tasks = await member.from('tasks').select('id').eq('workspace_id', t.workspaceId);
    expect(tasks.data?.map((task) => task.id)).toContain(t.taskId);
    await requireMfa(true);
  });
});
