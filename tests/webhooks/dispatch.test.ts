import type { SupabaseClient } from '@supabase/supabase-js';
import type pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant, type Tenant } from '../data/support/fixtures.ts';
import { userClient } from '../data/support/rest-personas.ts';
import { connect, queryAs, runAs } from '../data/support/sql-identity.ts';
import { type ReceivedWebhook, startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

// Delivery through the real stack: a change commits, pg_net kicks the webhook-dispatch edge
// function (real Deno, npm:standardwebhooks), which sends to a real HTTP receiver here. The
// retry schedule is shortened to 1 s steps (private.webhook_settings) for this file.

const stack = inject('stack');
let db: pg.Client;
let t: Tenant;
let admin: SupabaseClient;
let receiver: WebhookReceiver;

interface Endpoint {
  id: string;
  secret: string;
}

async function createEndpoint(path: string, eventTypes: string[] = []): Promise<Endpoint> {
  const { data, error } = await admin.rpc('create_webhook_endpoint', {
    workspace_id: t.workspaceId,
    url: `${receiver.url}${path}`,
    event_types: eventTypes,
  });
  if (error) throw error;
  return data as Endpoint;
}

function verify(
  request: ReceivedWebhook,
  secret: string,
): { type: string; data: { object: Record<string, unknown> } } {
  return new Webhook(secret).verify(request.body, request.headers as Record<string, string>) as {
    type: string;
    data: { object: Record<string, unknown> };
  };
}

async function newComment(body: string): Promise<void> {
  await queryAs(db, t.users.member, 'insert into public.comments (task_id, body) values ($1, $2)', [
    t.taskId,
    body,
  ]);
}

const hasBody = (text: string) => (request: ReceivedWebhook) => request.body.includes(text);

async function deliveryOf(endpointId: string) {
  const { rows } = await db.query(
    `select d.id, d.event_id, d.status::text, d.attempts, d.last_status_code, d.last_response,
       (select array_agg(a.status_code order by a.id) from public.webhook_delivery_attempts as a where a.delivery_id = d.id) as codes
     from public.webhook_deliveries as d where d.endpoint_id = $1 order by d.created_at desc limit 1`,
    [endpointId],
  );
  return rows[0];
}

/** The webhook_endpoint_disabled notifications about an endpoint that each person reads through REST. */
async function disabledNoticesByPersona(endpointId: string) {
  const seen: Record<string, unknown[]> = {};
  for (const persona of ['owner', 'admin', 'member', 'viewer', 'outsider'] as const) {
    const client = persona === 'admin' ? admin : await userClient(stack, t.users[persona]);
    const { data, error } = await client
      .from('notifications')
      .select('type, task_id, details')
      .eq('type', 'webhook_endpoint_disabled')
      .eq('details->>endpoint_id', endpointId);
    if (error) throw error;
    seen[persona] = data;
  }
  return seen;
}

beforeAll(async () => {
  db = connect(stack.dbUrl);
  await db.connect();
  await db.query(`update private.webhook_settings set retry_delays_seconds = '{1,1,1}', jitter = 0`);
  t = await createTenant(db);
  admin = await userClient(stack, t.users.admin);
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await db.query('delete from public.webhook_endpoints where workspace_id = $1', [t.workspaceId]);
  await db.query(`update private.webhook_settings set retry_delays_seconds = default, jitter = default`);
  await db.end();
  await receiver.close();
});

describe('webhook delivery', () => {
  it('signs every delivery as Standard Webhooks, holds each filter, and sends nothing for a rolled-back change', async () => {
    const tasks = await createEndpoint('/tasks', ['task.*']);
    const comments = await createEndpoint('/comments', ['comment.created']);

    await runAs(db, t.users.member, async (c) => {
      await c.query(`insert into public.tasks (project_id, title) values ($1, 'Rolled back')`, [t.projectId]);
      throw Object.assign(new Error('roll back'), { rollback: true });
    }).catch((error) => {
      if (!(error as { rollback?: boolean }).rollback) throw error;
    });
    await queryAs(db, t.users.member, 'update public.tasks set title = $2 where id = $1', [
      t.taskId,
      'Signed',
    ]);
    await newComment('first comment');
    // The sentinels: sent after everything that must (or must not) arrive before them.
    await queryAs(
      db,
      t.users.member,
      `insert into public.tasks (project_id, title) values ($1, 'Sentinel')`,
      [t.projectId],
    );
    await newComment('sentinel comment');
    await receiver.waitFor((r) => r.path === '/tasks' && r.body.includes('Sentinel'));
    await receiver.waitFor((r) => r.path === '/comments' && r.body.includes('sentinel comment'));

    const toTasks = receiver.received.filter((r) => r.path === '/tasks');
    const toComments = receiver.received.filter((r) => r.path === '/comments');
    expect(toTasks.map((r) => verify(r, tasks.secret).type)).toEqual(['task.updated', 'task.created']);
    expect(toComments.map((r) => verify(r, comments.secret).type)).toEqual([
      'comment.created',
      'comment.created',
    ]);
    expect(receiver.received.some(hasBody('Rolled back'))).toBe(false);
    // A wrong secret fails verification.
    expect(() => verify(toTasks[0] as ReceivedWebhook, comments.secret)).toThrow(/signature/i);

    const [first] = toTasks;
    const { rows } = await db.query(
      `select e.id::text, e.payload::text from public.webhook_events as e join public.webhook_deliveries as d
       on d.event_id = e.id where d.endpoint_id = $1 and e.type = 'task.updated'`,
      [tasks.id],
    );
    expect(first?.headers['webhook-id']).toBe(rows[0].id);
    expect(first?.body).toBe(rows[0].payload);
    expect(Math.abs(Number(first?.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(JSON.parse(first?.body ?? '{}')).toMatchObject({
      type: 'task.updated',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
      data: { object: { id: t.taskId, title: 'Signed' }, previous: { title: 'First task' } },
    });
  });

  it('moving to the trash and restoring (trash RPCs and a REST delete) send .deleted and .restored events', async () => {
    const endpoint = await createEndpoint('/trash', ['task.deleted', 'task.restored', 'comment.*']);
    const member = await userClient(stack, t.users.member);
    const task = await queryAs<{ id: string }>(
      db,
      t.users.member,
      `insert into public.tasks (project_id, title) values ($1, 'Trash me') returning id`,
      [t.projectId],
    );
    const taskId = task[0]?.id as string;
    const comment = await queryAs<{ id: string }>(
      db,
      t.users.member,
      `insert into public.comments (task_id, body) values ($1, 'goes with its task') returning id`,
      [taskId],
    );
    const commentId = comment[0]?.id as string;
    const of = (type: string, id: string) => (r: ReceivedWebhook) => {
      if (r.path !== '/trash') return false;
      const event = verify(r, endpoint.secret);
      return event.type === type && event.data.object.id === id;
    };

    const trashed = await member.rpc('move_to_trash', { kind: 'task', id: taskId });
    expect(trashed.error).toBeNull();
    const taskDeleted = verify(await receiver.waitFor(of('task.deleted', taskId)), endpoint.secret);
    expect(taskDeleted.data).toMatchObject({
      object: { id: taskId, deleted_at: expect.any(String), deleted_by: t.users.member.id },
      previous: { deleted_at: null },
    });
    // The task's live comment went to the trash with it.
    expect(
      verify(await receiver.waitFor(of('comment.deleted', commentId)), endpoint.secret).data,
    ).toMatchObject({
      object: { id: commentId, deleted_with_parent: true },
    });

    const restored = await member.rpc('restore_from_trash', { kind: 'task', id: taskId });
    expect(restored.error).toBeNull();
    expect(verify(await receiver.waitFor(of('task.restored', taskId)), endpoint.secret).data).toMatchObject({
      object: { id: taskId, deleted_at: null },
      previous: { deleted_at: expect.any(String) },
    });
    await receiver.waitFor(of('comment.restored', commentId));

    // A plain REST DELETE moves the comment to the trash: `.deleted` again, then back.
    const deleted = await member.from('comments').delete().eq('id', commentId);
    expect(deleted.error).toBeNull();
    await receiver.waitFor(
      (r) =>
        of('comment.deleted', commentId)(r) &&
        receiver.received.filter(of('comment.deleted', commentId)).length >= 2,
    );
    expect((await member.rpc('restore_from_trash', { kind: 'comment', id: commentId })).error).toBeNull();
    await receiver.waitFor(
      (r) =>
        of('comment.restored', commentId)(r) &&
        receiver.received.filter(of('comment.restored', commentId)).length >= 2,
    );

    // Sentinel: a last change after all of the above; then exactly these events, each once.
    await newComment('trash sentinel');
    await receiver.waitFor((r) => r.path === '/trash' && r.body.includes('trash sentinel'));
    const about = (id: string) =>
      receiver.received
        .filter((r) => r.path === '/trash')
        .map((r) => verify(r, endpoint.secret))
        .filter((e) => e.data.object.id === id)
        .map((e) => e.type)
        .sort();
    expect(about(taskId)).toEqual(['task.deleted', 'task.restored']);
    expect(about(commentId)).toEqual([
      'comment.created',
      'comment.deleted',
      'comment.deleted',
      'comment.restored',
      'comment.restored',
    ]);
    await db.query('update public.webhook_endpoints set enabled = false where id = $1', [endpoint.id]);
  });

  it('retries a failing receiver on the schedule until it answers, with the same webhook-id each time', async () => {
    const endpoint = await createEndpoint('/flaky', ['comment.created']);
    receiver.answer('/flaky', (_request, nth) =>
      nth <= 2 ? { status: 503, body: 'down for maintenance' } : { status: 204 },
    );
    await newComment('retry me');
    const third = await receiver.waitFor(
      (r) =>
        r.path === '/flaky' &&
        r.body.includes('retry me') &&
        receiver.received.filter((x) => x.path === '/flaky').length >= 3,
    );
    const sent = receiver.received.filter((r) => r.path === '/flaky');
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((r) => r.headers['webhook-id']))).toEqual(new Set([third.headers['webhook-id']]));
    for (const r of sent) verify(r, endpoint.secret);
    // 1 s steps (the sweep runs each second, so a retry comes 1-3 s after the failure).
    expect((sent[1]?.receivedAt ?? 0) - (sent[0]?.receivedAt ?? 0)).toBeGreaterThanOrEqual(900);
    expect((sent[2]?.receivedAt ?? 0) - (sent[1]?.receivedAt ?? 0)).toBeGreaterThanOrEqual(900);
    await expect
      .poll(() => deliveryOf(endpoint.id))
      .toMatchObject({
        status: 'succeeded',
        attempts: 3,
        codes: [503, 503, 204],
      });
    // Managers read the attempts (time, status, latency, excerpt) through REST.
    const { data } = await admin
      .from('webhook_delivery_attempts')
      .select('status_code, latency_ms, response_excerpt')
      .eq('endpoint_id', endpoint.id)
      .order('id');
    expect(data?.map((a) => [a.status_code, a.response_excerpt])).toEqual([
      [503, 'down for maintenance'],
      [503, 'down for maintenance'],
      [204, ''],
    ]);
    expect(data?.every((a) => typeof a.latency_ms === 'number')).toBe(true);
  });

  it('honours Retry-After on 429', async () => {
    const endpoint = await createEndpoint('/busy', ['comment.created']);
    receiver.answer('/busy', (_request, nth) =>
      nth === 1 ? { status: 429, headers: { 'retry-after': '4' } } : { status: 200 },
    );
    await newComment('slow down');
    await receiver.waitFor(
      (r) => r.path === '/busy' && receiver.received.filter((x) => x.path === '/busy').length >= 2,
    );
    const [first, second] = receiver.received.filter((r) => r.path === '/busy');
    // 4 s, not the schedule's 1 s.
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(3900);
    await expect
      .poll(() => deliveryOf(endpoint.id))
      .toMatchObject({ status: 'succeeded', codes: [429, 200] });
  });

  it('disables an endpoint that answers 410 Gone', async () => {
    const endpoint = await createEndpoint('/gone', ['comment.created']);
    receiver.answer('/gone', () => ({ status: 410, body: 'unsubscribed' }));
    await newComment('to a gone endpoint');
    await expect
      .poll(
        async () =>
          (
            await db.query('select enabled, disabled_reason from public.webhook_endpoints where id = $1', [
              endpoint.id,
            ])
          ).rows[0],
      )
      .toEqual({ enabled: false, disabled_reason: 'The receiver answered 410 Gone' });
    expect(await deliveryOf(endpoint.id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_status_code: 410,
    });
    // Its managers (owner and admin hold webhooks.manage) are told; nobody else sees it.
    const notice = {
      type: 'webhook_endpoint_disabled',
      task_id: null,
      details: {
        endpoint_id: endpoint.id,
        url: `${receiver.url}/gone`,
        description: '',
        reason: 'The receiver answered 410 Gone',
        disabled_at: expect.any(String),
      },
    };
    expect(await disabledNoticesByPersona(endpoint.id)).toEqual({
      owner: [notice],
      admin: [notice],
      member: [],
      viewer: [],
      outsider: [],
    });
    // Disabled: later events are not even queued for it.
    await newComment('after gone');
    const { rows } = await db.query(
      'select count(*)::int as n from public.webhook_deliveries where endpoint_id = $1',
      [endpoint.id],
    );
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('dead-letters a delivery whose attempts run out, keeping the last response, and a replay delivers it', async () => {
    const endpoint = await createEndpoint('/broken', ['comment.created']);
    let healthy = false;
    receiver.answer('/broken', () => (healthy ? { status: 200 } : { status: 500, body: 'stack trace here' }));
    await newComment('dead letter');
    await expect
      .poll(() => deliveryOf(endpoint.id), { timeout: 20_000 })
      .toMatchObject({
        status: 'failed',
        attempts: 4,
        last_status_code: 500,
        last_response: 'stack trace here',
        codes: [500, 500, 500, 500],
      });
    const failed = await deliveryOf(endpoint.id);
    healthy = true;
    const since = new Date(Date.now() - 60_000).toISOString();
    const replayed = await admin.rpc('replay_failed_webhook_deliveries', { endpoint_id: endpoint.id, since });
    expect(replayed.data).toBe(1);
    await expect.poll(() => deliveryOf(endpoint.id)).toMatchObject({ status: 'succeeded', attempts: 1 });
    const sent = receiver.received.filter((r) => r.path === '/broken');
    expect(sent).toHaveLength(5);
    expect(sent.at(-1)?.headers['webhook-id']).toBe(failed.event_id);

    // And one delivery on its own, again.
    const again = await admin.rpc('replay_webhook_delivery', { delivery_id: failed.id });
    expect(again.error).toBeNull();
    await receiver.waitFor(
      (r) => r.path === '/broken' && receiver.received.filter((x) => x.path === '/broken').length >= 6,
    );
    expect(receiver.received.filter((r) => r.path === '/broken').at(-1)?.headers['webhook-id']).toBe(
      failed.event_id,
    );
  });

  it('fails redirects (not followed) and disables an endpoint that kept failing past disable_after', async () => {
    // disable_after is 5 days in production; 2 s here, with the 1 s retry steps.
    await db.query(`update private.webhook_settings set disable_after = '2 seconds'`);
    try {
      const endpoint = await createEndpoint('/moved', ['comment.created']);
      receiver.answer('/moved', () => ({ status: 301, headers: { location: `${receiver.url}/elsewhere` } }));
      await newComment('redirected');
      await expect
        .poll(
          async () =>
            (
              await db.query(
                'select enabled, disabled_reason like $2 as says_why from public.webhook_endpoints where id = $1',
                [endpoint.id, 'Every delivery failed since %'],
              )
            ).rows[0],
          { timeout: 20_000 },
        )
        .toEqual({ enabled: false, says_why: true });
      expect((await deliveryOf(endpoint.id)).codes.every((code: number) => code === 301)).toBe(true);
      const notices = await disabledNoticesByPersona(endpoint.id);
      expect(notices.owner).toEqual([
        expect.objectContaining({
          details: expect.objectContaining({
            reason: expect.stringMatching(/^Every delivery failed since /),
          }),
        }),
      ]);
      expect(notices.admin).toEqual(notices.owner);
      expect([notices.member, notices.viewer, notices.outsider]).toEqual([[], [], []]);
      expect(receiver.received.some((r) => r.path === '/elsewhere')).toBe(false);
    } finally {
      await db.query('update private.webhook_settings set disable_after = default');
    }
  });

  it('a manager switching an endpoint off is not notified of it, and switching it on again clears why', async () => {
    const endpoint = await createEndpoint('/switched', ['comment.created']);
    const off = await admin
      .from('webhook_endpoints')
      .update({ enabled: false })
      .eq('id', endpoint.id)
      .select('enabled, disabled_reason');
    expect(off.data).toEqual([{ enabled: false, disabled_reason: 'disabled by a manager' }]);
    expect(Object.values(await disabledNoticesByPersona(endpoint.id)).flat()).toEqual([]);
    const on = await admin
      .from('webhook_endpoints')
      .update({ enabled: true })
      .eq('id', endpoint.id)
      .select('enabled, disabled_reason');
    expect(on.data).toEqual([{ enabled: true, disabled_reason: null }]);
    await db.query('update public.webhook_endpoints set enabled = false where id = $1', [endpoint.id]);
  });

  it('after a rotation signs with both secrets, and "send test event" reaches only that endpoint', async () => {
    const endpoint = await createEndpoint('/rotating', ['comment.created']);
    const rotated = await admin.rpc('rotate_webhook_secret', { endpoint_id: endpoint.id });
    const test = await admin.rpc('send_test_webhook', { endpoint_id: endpoint.id });
    expect(test.error).toBeNull();
    const request = await receiver.waitFor((r) => r.path === '/rotating');
    expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(request, rotated.data.secret)).toMatchObject({
      type: 'webhook.test',
      data: { object: { endpoint_id: endpoint.id } },
    });
    expect(verify(request, endpoint.secret).type).toBe('webhook.test');
    expect(receiver.received.filter((r) => r.body.includes('"webhook.test"'))).toHaveLength(1);
  });

  it('refuses private addresses at send time (loopback is allowed by the local config)', async () => {
    const { data, error } = await admin.rpc('create_webhook_endpoint', {
      workspace_id: t.workspaceId,
      url: 'http://10.20.30.40/hook',
      event_types: ['comment.created'],
    });
    expect(error).toBeNull();
    await newComment('to a private address');
    await expect
      .poll(
        async () =>
          (
            await db.query(
              'select status_code, error from public.webhook_delivery_attempts where endpoint_id = $1',
              [data.id],
            )
          ).rows[0],
      )
      .toEqual({ status_code: null, error: 'Refused to send to 10.20.30.40 (private address)' });
    await db.query('update public.webhook_endpoints set enabled = false where id = $1', [data.id]);
  });

  it('the dispatcher serves only the service role', async () => {
    const member = await userClient(stack, t.users.member);
    const session = (await member.auth.getSession()).data.session;
    const token =
      session?.access_token ??
      (
        member as unknown as { rest: { headers: Record<string, string> } }
      ).rest.headers.Authorization?.replace('Bearer ', '');
    for (const authorization of [`Bearer ${token}`, `Bearer ${stack.anonKey}`]) {
      const response = await fetch(`${stack.apiUrl}/functions/v1/webhook-dispatch`, {
        method: 'POST',
        headers: { authorization, apikey: stack.anonKey },
      });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({
        code: 'forbidden',
        message: 'Only the service role dispatches webhooks',
      });
    }
  });
});
