import type { SupabaseClient } from '@supabase/supabase-js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant, type Tenant, type TestUser, uniqueSuffix } from './support/fixtures.ts';
import { serviceRoleClient, userClient } from './support/rest-personas.ts';
import { connect, queryAs } from './support/sql-identity.ts';

// The trash through the real APIs: a delete moves projects, tasks and comments to the trash,
// where every read path stops showing them; those who may delete restore them within 30 days;
// trash.purge holders delete for good; a pg_cron job purges what stayed longer.

const stack = inject('stack');
let db: pg.Client;
let t: Tenant;
const clients = new Map<string, SupabaseClient>();

async function as(user: TestUser): Promise<SupabaseClient> {
  let client = clients.get(user.id);
  if (!client) {
    client = await userClient(stack, user);
    clients.set(user.id, client);
  }
  return client;
}

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  return (await db.query(sql, params)).rows[0] as T;
}

const freshTask = async (tenant = t, title = 'Trash me') =>
  (
    await one<{ id: string }>(`insert into public.tasks (project_id, title) values ($1, $2) returning id`, [
      tenant.projectId,
      title,
    ])
  ).id;

const freshProject = async (tenant = t) =>
  (
    await one<{ id: string }>(
      `insert into public.projects (workspace_id, name, key) values ($1, 'Doomed', $2) returning id`,
      [tenant.workspaceId, `D${uniqueSuffix().slice(0, 6).toUpperCase()}`],
    )
  ).id;

const commentOn = async (taskId: string, author: TestUser, body = 'hello') =>
  (
    await one<{ id: string }>(
      `insert into public.comments (task_id, author_id, body) values ($1, $2, $3) returning id`,
      [taskId, author.id, body],
    )
  ).id;

const stateOf = (table: 'projects' | 'tasks' | 'comments', id: string) =>
  one<{ deleted_at: Date | null; deleted_by: string | null } | undefined>(
    `select deleted_at, deleted_by from public.${table} where id = $1`,
    [id],
  );

async function accessTokenOf(user: TestUser): Promise<string> {
  const { data } = await (await as(user)).auth.getSession();
  return data.session?.access_token ?? '';
}

beforeAll(async () => {
  db = connect(stack.dbUrl);
  await db.connect();
  t = await createTenant(db, 'pro');
});

afterAll(async () => {
  for (const client of clients.values()) await client.removeAllChannels();
  await db.end();
});

describe('moving to the trash', () => {
  it("a member's plain REST DELETE of a task moves it to the trash and says so in Groundwork-Trashed", async () => {
    const id = await freshTask();
    const res = await fetch(`${stack.apiUrl}/rest/v1/tasks?id=eq.${id}`, {
      method: 'DELETE',
      headers: {
        apikey: stack.anonKey,
        Authorization: `Bearer ${await accessTokenOf(t.users.member)}`,
        Prefer: 'return=representation',
      },
    });
    expect(res.status).toBe(200);
    // PostgREST reports the rows the statement removed: none, the row is still there.
    expect(await res.json()).toEqual([]);
    expect(res.headers.get('groundwork-trashed')).toBe('1');
    const state = await stateOf('tasks', id);
    expect(state?.deleted_at).toBeInstanceOf(Date);
    expect(state?.deleted_by).toBe(t.users.member.id);
  });

  it('a soft delete through SQL as the member (as PostgREST runs it) never fails RLS', async () => {
    const id = await freshTask();
    const deleted = await queryAs(db, t.users.member, 'delete from public.tasks where id = $1 returning id', [
      id,
    ]);
    expect(deleted).toEqual([]);
    expect((await stateOf('tasks', id))?.deleted_at).toBeInstanceOf(Date);
  });

  it('move_to_trash answers the entry; a viewer is forbidden; an outsider hears task_not_found as for a random id', async () => {
    const id = await freshTask();
    const viewer = await (await as(t.users.viewer)).rpc('move_to_trash', { kind: 'task', id });
    expect({ status: viewer.status, message: viewer.error?.message }).toEqual({
      status: 403,
      message: 'forbidden',
    });
    const outsider = await as(t.users.outsider);
    const real = await outsider.rpc('move_to_trash', { kind: 'task', id });
    const random = await outsider.rpc('move_to_trash', { kind: 'task', id: crypto.randomUUID() });
    expect([real.status, real.error?.message]).toEqual([404, 'task_not_found']);
    expect([random.status, random.error?.message, random.error?.details]).toEqual([
      real.status,
      real.error?.message,
      real.error?.details,
    ]);
    const { data, error } = await (await as(t.users.member)).rpc('move_to_trash', { kind: 'task', id });
    expect(error).toBeNull();
    expect(data).toMatchObject({ kind: 'task', id, workspace_id: t.workspaceId, title: 'Trash me' });
    expect(new Date(data.purge_after).getTime() - new Date(data.deleted_at).getTime()).toBe(
      30 * 24 * 3600 * 1000,
    );
  });

  it('an unknown kind is invalid_input (400)', async () => {
    const res = await (await as(t.users.member)).rpc('move_to_trash', { kind: 'label', id: t.labelId });
    expect([res.status, res.error?.message]).toEqual([400, 'invalid_input']);
  });

  it("a member trashes their own comment, not someone else's; an admin trashes anyone's", async () => {
    const task = await freshTask();
    const mine = await commentOn(task, t.users.member);
    const theirs = await commentOn(task, t.users.viewer);
    const member = await as(t.users.member);
    expect((await member.rpc('move_to_trash', { kind: 'comment', id: mine })).error).toBeNull();
    expect((await member.rpc('move_to_trash', { kind: 'comment', id: theirs })).error?.message).toBe(
      'forbidden',
    );
    expect(
      (await (await as(t.users.admin)).rpc('move_to_trash', { kind: 'comment', id: theirs })).error,
    ).toBeNull();
  });

  it('trashing twice is harmless', async () => {
    const id = await freshTask();
    const member = await as(t.users.member);
    const first = await member.rpc('move_to_trash', { kind: 'task', id });
    const second = await member.rpc('move_to_trash', { kind: 'task', id });
    expect(second.error).toBeNull();
    expect(second.data.deleted_at).toBe(first.data.deleted_at);
  });
});

describe('hidden from every read path', () => {
  let project: string;
  let task: string;
  let comment: string;

  beforeAll(async () => {
    project = await freshProject();
    task = (
      await one<{ id: string }>(
        `insert into public.tasks (project_id, title, assignee_id) values ($1, 'Hidden zebra', $2) returning id`,
        [project, t.users.member.id],
      )
    ).id;
    comment = await commentOn(task, t.users.admin, `zebra <@${t.users.member.id}>`);
    const path = `${t.workspaceId}/${task}/${uniqueSuffix()}.txt`;
    expect((await serviceRoleClient(stack).storage.from('attachments').upload(path, 'x')).error).toBeNull();
    const { error } = await (await as(t.users.admin)).rpc('move_to_trash', { kind: 'project', id: project });
    expect(error).toBeNull();
  });

  it('the project, its tasks and their comments went to the trash together', async () => {
    expect((await stateOf('projects', project))?.deleted_at).toBeInstanceOf(Date);
    expect((await stateOf('tasks', task))?.deleted_at).toBeInstanceOf(Date);
    expect((await stateOf('comments', comment))?.deleted_at).toBeInstanceOf(Date);
  });

  it('REST reads, embeds and exact counts leave them out', async () => {
    const owner = await as(t.users.owner);
    expect((await owner.from('projects').select('id').eq('id', project)).data).toEqual([]);
    expect((await owner.from('tasks').select('id').eq('id', task)).data).toEqual([]);
    expect((await owner.from('comments').select('id').eq('id', comment)).data).toEqual([]);
    const counted = await owner
      .from('tasks')
      .select('id', { count: 'exact', head: true })
      .eq('project_id', project);
    expect(counted.count).toBe(0);
    const embedded = await owner.from('tasks').select('id, comments(id)').eq('id', t.taskId).single();
    expect(embedded.data?.comments.map((c: { id: string }) => c.id)).not.toContain(comment);
  });

  it('search_tasks, move_task and workspace_usage leave them out, for the service role too', async () => {
    const owner = await as(t.users.owner);
    expect((await owner.rpc('search_tasks', { workspace_id: t.workspaceId, query: 'zebra' })).data).toEqual(
      [],
    );
    const service = serviceRoleClient(stack);
    expect((await service.rpc('search_tasks', { workspace_id: t.workspaceId, query: 'zebra' })).data).toEqual(
      [],
    );
    expect((await owner.rpc('move_task', { task_id: task, status: 'done' })).error?.message).toBe(
      'task_not_found',
    );
    const live = await one<{ n: number }>(
      `select count(*)::int as n from public.projects where workspace_id = $1 and not archived and deleted_at is null`,
      [t.workspaceId],
    );
    const usage = await owner.rpc('workspace_usage', { workspace_id: t.workspaceId }).single();
    expect((usage.data as { projects: number }).projects).toBe(live.n);
  });

  it('notifications about them, their attachments and the project channel are hidden', async () => {
    const member = await as(t.users.member);
    const { count } = await db
      .query(`select count(*)::int from public.notifications where task_id = $1`, [task])
      .then((r) => ({ count: r.rows[0].count as number }));
    expect(count).toBeGreaterThan(0);
    expect((await member.from('notifications').select('id').eq('task_id', task)).data).toEqual([]);
    const owner = await as(t.users.owner);
    expect((await owner.from('attachments').select('id').eq('task_id', task)).data).toEqual([]);
    const listed = await owner.storage.from('attachments').list(`${t.workspaceId}/${task}`);
    expect(listed.data).toEqual([]);
    const joined = await new Promise<string>((resolve) => {
      const channel = owner.channel(`project:${project}`, { config: { private: true } });
      channel.subscribe((status) => {
        if (status !== 'SUBSCRIBED' && status !== 'CHANNEL_ERROR') return;
        void owner.removeChannel(channel);
        resolve(status);
      });
    });
    expect(joined).toBe('CHANNEL_ERROR');
  });

  it('nothing new goes under them: a task into the project, a comment or label on the task', async () => {
    const admin = await as(t.users.admin);
    const intoProject = await admin.from('tasks').insert({ project_id: project, title: 'late' });
    expect(intoProject.error?.message).toBe('project_not_found');
    const onTask = await admin
      .from('comments')
      .insert({ task_id: task, workspace_id: t.workspaceId, body: 'late' });
    expect(onTask.error?.message).toBe('task_not_found');
    const labelled = await admin
      .from('task_labels')
      .insert({ task_id: task, workspace_id: t.workspaceId, label_id: t.labelId });
    expect(labelled.error?.message).toBe('task_not_found');
  });

  it('Realtime subscribers do not hear of a task going to the trash (a later change arrives)', async () => {
    const id = await freshTask(t, 'Live then gone');
    const sentinel = await freshTask(t, 'Sentinel');
    const owner = await as(t.users.owner);
    const seen: string[] = [];
    const channel = owner
      .channel(`trash-rt-${uniqueSuffix()}`)
      .on(
        'postgres_changes',
        { event: 'UPDATE', schema: 'public', table: 'tasks', filter: `project_id=eq.${t.projectId}` },
        (payload) => seen.push((payload.new as { id: string }).id),
      );
    await new Promise<void>((resolve, reject) =>
      channel.subscribe((status, error) => (status === 'SUBSCRIBED' ? resolve() : error && reject(error))),
    );
    await (await as(t.users.member)).rpc('move_to_trash', { kind: 'task', id });
    await db.query(`update public.tasks set priority = 'high' where id = $1`, [sentinel]);
    await expect.poll(() => seen.includes(sentinel), { timeout: 10_000 }).toBe(true);
    expect(seen).not.toContain(id);
    await owner.removeChannel(channel);
  });
});

describe('restoring', () => {
  it('a project comes back with exactly the tasks and comments that went with it', async () => {
    const project = await freshProject();
    const earlier = (
      await one<{ id: string }>(
        `insert into public.tasks (project_id, title) values ($1, 'earlier') returning id`,
        [project],
      )
    ).id;
    const withIt = (
      await one<{ id: string }>(
        `insert into public.tasks (project_id, title) values ($1, 'with it') returning id`,
        [project],
      )
    ).id;
    const comment = await commentOn(withIt, t.users.member);
    const admin = await as(t.users.admin);
    await admin.rpc('move_to_trash', { kind: 'task', id: earlier });
    await admin.rpc('move_to_trash', { kind: 'project', id: project });
    const restored = await admin.rpc('restore_from_trash', { kind: 'project', id: project });
    expect(restored.error).toBeNull();
    expect(restored.data).toMatchObject({
      kind: 'project',
      id: project,
      deleted_at: null,
      purge_after: null,
    });
    expect((await stateOf('tasks', withIt))?.deleted_at).toBeNull();
    expect((await stateOf('comments', comment))?.deleted_at).toBeNull();
    // Trashed on its own before the project: it stays in the trash.
    expect((await stateOf('tasks', earlier))?.deleted_at).toBeInstanceOf(Date);
    expect((await admin.from('tasks').select('id').eq('id', withIt)).data).toEqual([{ id: withIt }]);
  });

  it('a task whose project is in the trash cannot come back: project_in_trash (409)', async () => {
    const project = await freshProject();
    const task = (
      await one<{ id: string }>(
        `insert into public.tasks (project_id, title) values ($1, 'orphan') returning id`,
        [project],
      )
    ).id;
    const admin = await as(t.users.admin);
    await admin.rpc('move_to_trash', { kind: 'project', id: project });
    const res = await admin.rpc('restore_from_trash', { kind: 'task', id: task });
    expect({ status: res.status, message: res.error?.message }).toEqual({
      status: 409,
      message: 'project_in_trash',
    });
    expect(res.error?.details).toMatch(/restore the project first/);
  });

  it('a comment whose task is in the trash cannot come back: task_in_trash (409)', async () => {
    const task = await freshTask();
    const comment = await commentOn(task, t.users.member);
    const member = await as(t.users.member);
    await member.rpc('move_to_trash', { kind: 'comment', id: comment });
    await member.rpc('move_to_trash', { kind: 'task', id: task });
    const res = await member.rpc('restore_from_trash', { kind: 'comment', id: comment });
    expect({ status: res.status, message: res.error?.message }).toEqual({
      status: 409,
      message: 'task_in_trash',
    });
  });

  it('needs the delete permission (viewer forbidden); past 30 days it is not found', async () => {
    const task = await freshTask();
    const member = await as(t.users.member);
    await member.rpc('move_to_trash', { kind: 'task', id: task });
    const viewer = await (await as(t.users.viewer)).rpc('restore_from_trash', { kind: 'task', id: task });
    expect(viewer.error?.message).toBe('forbidden');
    await db.query(`update public.tasks set deleted_at = now() - interval '31 days' where id = $1`, [task]);
    const late = await member.rpc('restore_from_trash', { kind: 'task', id: task });
    expect([late.status, late.error?.message]).toEqual([404, 'task_not_found']);
  });

  it('restoring a project counts against the plan like unarchiving', async () => {
    const full = await createTenant(db, 'free', t.users);
    // The free plan allows 3 active projects; the tenant has one.
    const [a] = [await freshProject(full), await freshProject(full)];
    const admin = await as(t.users.admin);
    await admin.rpc('move_to_trash', { kind: 'project', id: a });
    await freshProject(full);
    const res = await admin.rpc('restore_from_trash', { kind: 'project', id: a });
    expect([res.status, res.error?.message]).toEqual([402, 'plan_limit_reached']);
  });
});

describe('the trash list', () => {
  it('shows what the caller may restore or purge, newest first, children of a trashed parent under it', async () => {
    const tenant = await createTenant(db, 'pro', t.users);
    const project = await freshProject(tenant);
    await one(`insert into public.tasks (project_id, title) values ($1, 'inside') returning id`, [project]);
    const task = await freshTask(tenant, 'alone');
    const theirs = await commentOn(tenant.taskId, t.users.admin, 'by the admin');
    const mine = await commentOn(tenant.taskId, t.users.member, 'by the member');
    const admin = await as(t.users.admin);
    await admin.rpc('move_to_trash', { kind: 'comment', id: theirs });
    await admin.rpc('move_to_trash', { kind: 'project', id: project });
    await admin.rpc('move_to_trash', { kind: 'task', id: task });
    await (await as(t.users.member)).rpc('move_to_trash', { kind: 'comment', id: mine });

    const byAdmin = await admin.rpc('list_trash', { workspace_id: tenant.workspaceId });
    expect(byAdmin.data.map((e: { kind: string; title: string }) => `${e.kind}:${e.title}`)).toEqual([
      'comment:by the member',
      'task:alone',
      'project:Doomed',
      'comment:by the admin',
    ]);
    // A member may restore tasks and their own comments, not projects or others' comments.
    const byMember = await (await as(t.users.member)).rpc('list_trash', { workspace_id: tenant.workspaceId });
    expect(byMember.data.map((e: { title: string }) => e.title)).toEqual(['by the member', 'alone']);
    const byViewer = await (await as(t.users.viewer)).rpc('list_trash', { workspace_id: tenant.workspaceId });
    expect(byViewer.data).toEqual([]);
  });

  it('a non-member hears workspace_not_found, as for a workspace that does not exist', async () => {
    const outsider = await as(t.users.outsider);
    const real = await outsider.rpc('list_trash', { workspace_id: t.workspaceId });
    const random = await outsider.rpc('list_trash', { workspace_id: crypto.randomUUID() });
    expect([real.status, real.error?.message]).toEqual([404, 'workspace_not_found']);
    expect([random.status, random.error?.message]).toEqual([real.status, real.error?.message]);
  });
});

describe('deleting permanently', () => {
  it('needs trash.purge: a member is forbidden, an admin deletes a task (trashed or not) with its comments', async () => {
    const live = await freshTask();
    const comment = await commentOn(live, t.users.member);
    const member = await as(t.users.member);
    const refused = await member.rpc('delete_permanently', { kind: 'task', id: live });
    expect([refused.status, refused.error?.message]).toEqual([403, 'forbidden']);
    const admin = await as(t.users.admin);
    const res = await admin.rpc('delete_permanently', { kind: 'task', id: live });
    expect(res.error).toBeNull();
    expect(res.data).toMatchObject({ kind: 'task', id: live });
    expect(await stateOf('tasks', live)).toBeUndefined();
    expect(await stateOf('comments', comment)).toBeUndefined();
    const trashed = await freshTask();
    await member.rpc('move_to_trash', { kind: 'task', id: trashed });
    expect((await admin.rpc('delete_permanently', { kind: 'task', id: trashed })).error).toBeNull();
    expect(await stateOf('tasks', trashed)).toBeUndefined();
  });

  it('empty_trash deletes everything in the trash of that workspace only', async () => {
    const tenant = await createTenant(db, 'pro', t.users);
    const gone = await freshTask(tenant);
    const kept = await freshTask(tenant);
    const elsewhere = await freshTask();
    const member = await as(t.users.member);
    await member.rpc('move_to_trash', { kind: 'task', id: gone });
    await member.rpc('move_to_trash', { kind: 'task', id: elsewhere });
    expect((await member.rpc('empty_trash', { workspace_id: tenant.workspaceId })).error?.message).toBe(
      'forbidden',
    );
    const res = await (await as(t.users.admin)).rpc('empty_trash', { workspace_id: tenant.workspaceId });
    expect(res).toMatchObject({ error: null, data: 1 });
    expect(await stateOf('tasks', gone)).toBeUndefined();
    expect((await stateOf('tasks', kept))?.deleted_at).toBeNull();
    expect((await stateOf('tasks', elsewhere))?.deleted_at).toBeInstanceOf(Date);
  });

  it("the service role's REST DELETE of a row already in the trash deletes it for good", async () => {
    const id = await freshTask();
    const service = serviceRoleClient(stack);
    expect((await service.from('tasks').delete().eq('id', id)).error).toBeNull();
    expect((await stateOf('tasks', id))?.deleted_at).toBeInstanceOf(Date);
    const purged = await service.from('tasks').delete().eq('id', id).select('id');
    expect(purged.data).toEqual([{ id }]);
    expect(await stateOf('tasks', id)).toBeUndefined();
  });
});

describe('the purge schedule', () => {
  it('is a pg_cron job', async () => {
    const job = await one<{ schedule: string; command: string }>(
      `select schedule, command from cron.job where jobname = 'purge-trash'`,
    );
    expect(job).toEqual({ schedule: '41 * * * *', command: 'select private.purge_trash()' });
  });

  it('deletes what has been in the trash for more than 30 days, and nothing else', async () => {
    const old = await freshTask();
    const recent = await freshTask();
    const member = await as(t.users.member);
    await member.rpc('move_to_trash', { kind: 'task', id: old });
    await member.rpc('move_to_trash', { kind: 'task', id: recent });
    await db.query(`update public.tasks set deleted_at = now() - interval '31 days' where id = $1`, [old]);
    await db.query('select private.purge_trash()');
    expect(await stateOf('tasks', old)).toBeUndefined();
    expect((await stateOf('tasks', recent))?.deleted_at).toBeInstanceOf(Date);
    expect((await stateOf('tasks', t.taskId))?.deleted_at).toBeNull();
  });
});

describe('audit log and activity', () => {
  it('trash, restore and permanent delete each leave an audit row and an activity entry naming the actor', async () => {
    const id = await freshTask(t, 'Audited trash');
    const since = (await one<{ id: number }>('select coalesce(max(id), 0)::int as id from public.audit_log'))
      .id;
    const sinceActivity = (
      await one<{ id: number }>('select coalesce(max(id), 0)::int as id from public.activity')
    ).id;
    const member = await as(t.users.member);
    const admin = await as(t.users.admin);
    await member.rpc('move_to_trash', { kind: 'task', id });
    await member.rpc('restore_from_trash', { kind: 'task', id });
    await admin.rpc('delete_permanently', { kind: 'task', id });
    const { rows: audit } = await db.query(
      `select action, actor_id, actor_type, changes from public.audit_log
       where id > $1 and target_table = 'tasks' and target_id = $2 order by id`,
      [since, id],
    );
    expect(audit.map((r) => [r.action, r.actor_id, r.actor_type])).toEqual([
      ['trash', t.users.member.id, 'user'],
      ['restore', t.users.member.id, 'user'],
      ['delete', t.users.admin.id, 'user'],
    ]);
    expect(audit[0].changes.deleted_at.before).toBeNull();
    expect(audit[0].changes.deleted_by).toEqual({ before: null, after: t.users.member.id });
    expect(audit[2].changes.title).toEqual({ before: 'Audited trash' });
    const { rows: activity } = await db.query(
      `select action, actor_id from public.activity where id > $1 and entity_id = $2 order by id`,
      [sinceActivity, id],
    );
    expect(activity.map((r) => [r.action, r.actor_id])).toEqual([
      ['deleted', t.users.member.id],
      ['restored', t.users.member.id],
      ['purged', t.users.admin.id],
    ]);
  });
});
