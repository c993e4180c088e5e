import { randomBytes, randomUUID } from 'node:crypto';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Inbox, subscribed, userRealtimeClient } from './realtime-clients.ts';

/**
 * Groundwork's live data on the shared stack (this repo's migrations): task changes
 * reach members of the project's workspace and nobody else, notifications are written
 * by triggers for the right people and reach only them, and project channels are
 * private to members.
 */

const stack = inject('stack');

interface Person {
  id: string;
  token: string;
  client: SupabaseClient;
}

async function signToken(id: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: id, role: 'authenticated', aud: 'authenticated', session_id: randomUUID() })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(stack.jwtSecret));
}

describe('Groundwork live tasks, notifications and project channels', () => {
  const db = new pg.Pool({ connectionString: stack.dbUrl, max: 2 });
  const people: Person[] = [];
  let owner: Person;
  let member: Person;
  let colleague: Person;
  let outsider: Person;
  let workspaceId: string;
  let projectId: string;
  /** The outsider's own project: its tasks are the sentinels of "the outsider heard nothing" tests. */
  let outsiderProjectId: string;

  const person = async (): Promise<Person> => {
    const id = randomUUID();
    await db.query(
      `insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
       values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2, '{}', '{}', now(), now())`,
      [id, `rt-${randomBytes(4).toString('hex')}@example.test`],
    );
    const token = await signToken(id);
    const client = await userRealtimeClient(stack.apiUrl, stack.anonKey, async () => token);
    const created = { id, token, client };
    people.push(created);
    return created;
  };

  /** Runs SQL as a signed-in user, the way PostgREST does. */
  const asUser = async <T extends pg.QueryResultRow>(who: Person, sql: string, values: unknown[] = []) => {
    const client = await db.connect();
    try {
      await client.query('begin');
      await client.query(
        `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
        [JSON.stringify({ sub: who.id, role: 'authenticated' })],
      );
      const result = await client.query<T>(sql, values);
      await client.query('commit');
      return result.rows;
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
  };

  const newTask = async (who: Person, fields: { assignee?: string; project?: string } = {}) => {
    const [task] = await asUser<{ id: string }>(
      who,
      'insert into public.tasks (project_id, title, assignee_id) values ($1, $2, $3) returning id',
      [fields.project ?? projectId, `task ${randomBytes(3).toString('hex')}`, fields.assignee ?? null],
    );
    return (task as { id: string }).id;
  };

  /**
   * Binds the outsider's channel to inserts into their own project, and returns a function that
   * creates such a task and waits for it. Changes reach a socket in commit order, so once this
   * sentinel is in, anything committed before it that the outsider could hear would be too.
   */
  const outsiderSentinel = (channel: RealtimeChannel, inbox: Inbox<Record<string, unknown>>) => {
    channel.on(
      'postgres_changes',
      { event: 'INSERT', schema: 'public', table: 'tasks', filter: `project_id=eq.${outsiderProjectId}` },
      inbox.push,
    );
    return async () => {
      const id = await newTask(outsider, { project: outsiderProjectId });
      await inbox.waitForItem((item) => (item.new as { id?: string }).id === id);
      return id;
    };
  };

  const notificationsOf = async (who: Person) =>
    (
      await db.query<{ type: string; task_id: string; comment_id: string | null; actor_id: string | null }>(
        'select type, task_id, comment_id, actor_id from public.notifications where recipient_id = $1 order by created_at',
        [who.id],
      )
    ).rows;

  beforeAll(async () => {
    owner = await person();
    member = await person();
    colleague = await person();
    outsider = await person();
    const [workspace] = await asUser<{ id: string }>(
      owner,
      'select id from public.create_workspace($1, $2)',
      ['Live', `live-${randomBytes(4).toString('hex')}`],
    );
    workspaceId = (workspace as { id: string }).id;
    await db.query(`update public.workspaces set plan = 'pro' where id = $1`, [workspaceId]);
    await db.query(
      `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'member'), ($1, $3, 'member')`,
      [workspaceId, member.id, colleague.id],
    );
    const [project] = await asUser<{ id: string }>(
      owner,
      `insert into public.projects (workspace_id, name, key) values ($1, 'Board', 'LIVE') returning id`,
      [workspaceId],
    );
    projectId = (project as { id: string }).id;
    const [own] = await asUser<{ id: string }>(outsider, 'select id from public.create_workspace($1, $2)', [
      'Elsewhere',
      `elsewhere-${randomBytes(4).toString('hex')}`,
    ]);
    const [ownProject] = await asUser<{ id: string }>(
      outsider,
      `insert into public.projects (workspace_id, name, key) values ($1, 'Own', 'OWN') returning id`,
      [(own as { id: string }).id],
    );
    outsiderProjectId = (ownProject as { id: string }).id;
  });

  afterAll(async () => {
    for (const { client } of people) await client.removeAllChannels();
    await db.end();
  });

  it('streams task changes of a project to its members and to no outsider', async () => {
    const memberInbox = new Inbox<Record<string, unknown>>();
    const outsiderInbox = new Inbox<Record<string, unknown>>();
    const filter = `project_id=eq.${projectId}`;
    await subscribed(
      member.client
        .channel(`tasks-${projectId}`)
        .on('postgres_changes', { event: '*', schema: 'public', table: 'tasks', filter }, memberInbox.push),
    );
    const outsiderChannel = outsider.client
      .channel(`tasks-${projectId}`)
      .on(
        'postgres_changes',
        { event: 'INSERT', schema: 'public', table: 'tasks', filter },
        outsiderInbox.push,
      );
    const outsiderHearsSentinel = outsiderSentinel(outsiderChannel, outsiderInbox);
    await subscribed(outsiderChannel);
    const taskId = await newTask(owner);
    await asUser(owner, `update public.tasks set status = 'in_progress' where id = $1`, [taskId]);
    const [insert, update] = await memberInbox.waitFor(2);
    expect(insert).toMatchObject({
      eventType: 'INSERT',
      new: { id: taskId, project_id: projectId, status: 'todo' },
    });
    expect(update).toMatchObject({
      eventType: 'UPDATE',
      old: { status: 'todo' },
      new: { id: taskId, status: 'in_progress' },
    });
    const sentinelId = await outsiderHearsSentinel();
    expect(outsiderInbox.items.map((item) => (item.new as { id: string }).id)).toEqual([sentinelId]);
  });

  it('notifies an assignee, but not someone assigning themselves', async () => {
    const taskId = await newTask(owner, { assignee: member.id });
    await newTask(owner, { assignee: owner.id });
    expect(await notificationsOf(member)).toContainEqual(
      expect.objectContaining({
        type: 'task_assigned',
        task_id: taskId,
        comment_id: null,
        actor_id: owner.id,
      }),
    );
    expect((await notificationsOf(owner)).filter((row) => row.type === 'task_assigned')).toEqual([]);

    const reassigned = await newTask(owner);
    await asUser(owner, 'update public.tasks set assignee_id = $2 where id = $1', [reassigned, colleague.id]);
    expect(await notificationsOf(colleague)).toContainEqual(
      expect.objectContaining({ type: 'task_assigned', task_id: reassigned }),
    );
  });

  it('notifies the assignee and the creator of a commented task, once each, never the author', async () => {
    const taskId = await newTask(owner, { assignee: member.id });
    const before = {
      owner: (await notificationsOf(owner)).length,
      member: (await notificationsOf(member)).length,
    };
    const [comment] = await asUser<{ id: string }>(
      colleague,
      'insert into public.comments (task_id, body) values ($1, $2) returning id',
      [taskId, 'Looks good'],
    );
    const commentId = (comment as { id: string }).id;
    const ownerNew = (await notificationsOf(owner)).slice(before.owner);
    const memberNew = (await notificationsOf(member)).slice(before.member);
    expect(ownerNew).toEqual([expect.objectContaining({ type: 'comment_added', comment_id: commentId })]);
    expect(memberNew).toEqual([expect.objectContaining({ type: 'comment_added', comment_id: commentId })]);

    // The assignee commenting notifies the creator only.
    const ownerCount = (await notificationsOf(owner)).length;
    const memberCount = (await notificationsOf(member)).length;
    await asUser(member, 'insert into public.comments (task_id, body) values ($1, $2)', [taskId, 'On it']);
    expect((await notificationsOf(owner)).length).toBe(ownerCount + 1);
    expect((await notificationsOf(member)).length).toBe(memberCount);
  });

  it('notifies members mentioned as <@id> (a mention replaces comment_added), not outsiders', async () => {
    const taskId = await newTask(owner, { assignee: member.id });
    const memberCount = (await notificationsOf(member)).length;
    const [comment] = await asUser<{ id: string }>(
      owner,
      'insert into public.comments (task_id, body) values ($1, $2) returning id',
      [taskId, `<@${member.id}> and <@${colleague.id}> please look; <@${outsider.id}> too`],
    );
    const commentId = (comment as { id: string }).id;
    expect((await notificationsOf(member)).slice(memberCount)).toEqual([
      expect.objectContaining({ type: 'mentioned', comment_id: commentId }),
    ]);
    expect(await notificationsOf(colleague)).toContainEqual(
      expect.objectContaining({ type: 'mentioned', comment_id: commentId }),
    );
    expect(await notificationsOf(outsider)).toEqual([]);

    // An edit notifies only people it newly mentions.
    const colleagueCount = (await notificationsOf(colleague)).length;
    await asUser(owner, 'update public.comments set body = $2 where id = $1', [
      commentId,
      `<@${member.id}> <@${colleague.id}> <@${owner.id}> updated`,
    ]);
    expect((await notificationsOf(colleague)).length).toBe(colleagueCount);
    expect((await notificationsOf(member)).slice(memberCount)).toHaveLength(1);
  });

  it('lets only the recipient read notifications and mark them read', async () => {
    await newTask(owner, { assignee: member.id });
    const mine = await asUser<{ id: string; read_at: string | null }>(
      member,
      'select id, read_at from public.notifications',
    );
    expect(mine.length).toBeGreaterThan(0);
    expect(
      await asUser(outsider, 'select id from public.notifications where recipient_id = $1', [member.id]),
    ).toEqual([]);
    const first = (mine[0] as { id: string }).id;
    // Someone else can't mark them read; the recipient can, but only read_at.
    expect(
      await asUser(owner, 'update public.notifications set read_at = now() where id = $1 returning id', [
        first,
      ]),
    ).toEqual([]);
    await expect(
      asUser(member, 'update public.notifications set type = $2 where id = $1', [first, 'mentioned']),
    ).rejects.toThrow(/permission denied/);
    await expect(asUser(member, 'delete from public.notifications where id = $1', [first])).rejects.toThrow(
      /permission denied/,
    );
    const [marked] = await asUser<{ changed: number }>(
      member,
      'select public.mark_notifications_read($1) as changed',
      [[first]],
    );
    expect(marked?.changed).toBe(1);
    const [rest] = await asUser<{ changed: number }>(
      member,
      'select public.mark_notifications_read() as changed',
    );
    expect(rest?.changed).toBe(mine.length - 1);
    const unread = await asUser(member, 'select id from public.notifications where read_at is null');
    expect(unread).toEqual([]);
  });

  it('delivers new notifications over Realtime to the recipient only', async () => {
    const mineInbox = new Inbox<Record<string, unknown>>();
    const snoopInbox = new Inbox<Record<string, unknown>>();
    await subscribed(
      colleague.client.channel('my-notifications').on(
        'postgres_changes',
        {
          event: 'INSERT',
          schema: 'public',
          table: 'notifications',
          filter: `recipient_id=eq.${colleague.id}`,
        },
        mineInbox.push,
      ),
    );
    const snoopChannel = outsider.client
      .channel('all-notifications')
      .on('postgres_changes', { event: '*', schema: 'public', table: 'notifications' }, snoopInbox.push);
    const outsiderHearsSentinel = outsiderSentinel(snoopChannel, snoopInbox);
    await subscribed(snoopChannel);
    const taskId = await newTask(owner, { assignee: colleague.id });
    // Earlier tests' notifications may still be in flight; look for this task's.
    const forTask = () =>
      mineInbox.items.find((item) => (item.new as { task_id?: string }).task_id === taskId);
    for (let count = 1; !forTask(); count++) await mineInbox.waitFor(count);
    expect(forTask()).toMatchObject({
      eventType: 'INSERT',
      new: { recipient_id: colleague.id, type: 'task_assigned', task_id: taskId, read_at: null },
    });
    const sentinelId = await outsiderHearsSentinel();
    expect(snoopInbox.items.map((item) => [item.table, (item.new as { id: string }).id])).toEqual([
      ['tasks', sentinelId],
    ]);
  });

  it('opens the private project channel (presence) to members and refuses outsiders', async () => {
    const topic = `project:${projectId}`;
    const joins = new Inbox<{ key: string }>();
    const board = member.client
      .channel(topic, { config: { private: true, presence: { key: member.id } } })
      .on('presence', { event: 'join' }, joins.push as never);
    await subscribed(board);
    expect(await board.track({ viewing: true })).toBe('ok');
    const [join] = await joins.waitFor(1);
    expect(join?.key).toBe(member.id);
    await expect(subscribed(outsider.client.channel(topic, { config: { private: true } }))).rejects.toThrow(
      `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`,
    );
  });
});
