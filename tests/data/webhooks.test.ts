import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant, type Tenant } from './support/fixtures.ts';
import { userClient } from './support/rest-personas.ts';
import { connect, queryAs, runAs } from './support/sql-identity.ts';

// Webhook endpoints, their secrets and the outbox, through the database and REST: who sees and
// manages what, events written in the change's transaction (and not at all on rollback),
// filters, payload limits. Sending is tests/webhooks/dispatch.test.ts's job; these endpoints
// point at a port nothing listens on and are disabled before the dispatcher could matter.

const stack = inject('stack');
let db: pg.Client;
let t: Tenant;
let other: Tenant;
let admin: SupabaseClient;
let member: SupabaseClient;
let outsider: SupabaseClient;

interface CreatedEndpoint {
  id: string;
  workspace_id: string;
  url: string;
  event_types: string[];
  enabled: boolean;
  secret: string;
}

async function createEndpoint(
  client: SupabaseClient,
  workspaceId: string,
  eventTypes: string[] = [],
): Promise<CreatedEndpoint> {
  const { data, error } = await client.rpc('create_webhook_endpoint', {
    workspace_id: workspaceId,
    url: 'http://127.0.0.1:9/hooks',
    description: 'schema test',
    event_types: eventTypes,
  });
  if (error) throw error;
  return data as CreatedEndpoint;
}

async function eventsOf(
  workspaceId: string,
): Promise<
  { type: string; payload: { type: string; data: Record<string, unknown> & { previous?: unknown } } }[]
> {
  const { rows } = await db.query(
    'select type, payload from public.webhook_events where workspace_id = $1 order by occurred_at, type',
    [workspaceId],
  );
  return rows;
}

beforeAll(async () => {
  db = connect(stack.dbUrl);
  await db.connect();
  t = await createTenant(db);
  other = await createTenant(db);
  [admin, member, outsider] = await Promise.all([
    userClient(stack, t.users.admin),
    userClient(stack, t.users.member),
    userClient(stack, t.users.outsider),
  ]);
});

afterAll(async () => {
  // Nothing here should ever be sent.
  await db.query('delete from public.webhook_endpoints where workspace_id = any($1)', [
    [t.workspaceId, other.workspaceId],
  ]);
  await db.end();
});

describe('webhook endpoints', () => {
  it('are created with a whsec_ secret shown once, kept only encrypted in Vault', async () => {
    const endpoint = await createEndpoint(admin, t.workspaceId);
    await db.query('update public.webhook_endpoints set enabled = false where id = $1', [endpoint.id]);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(endpoint).toMatchObject({
      workspace_id: t.workspaceId,
      url: 'http://127.0.0.1:9/hooks',
      enabled: true,
    });

    const { data: read } = await admin.from('webhook_endpoints').select('*').eq('id', endpoint.id).single();
    expect(read).not.toHaveProperty('secret');
    expect(JSON.stringify(read)).not.toContain(endpoint.secret);
    // Vault stores ciphertext; only postgres and the service role decrypt it.
    const { rows } = await db.query(
      `select v.secret, d.decrypted_secret from private.webhook_endpoint_secrets as s
       join vault.secrets as v on v.id = s.secret_id join vault.decrypted_secrets as d on d.id = s.secret_id
       where s.endpoint_id = $1`,
      [endpoint.id],
    );
    expect(rows[0].decrypted_secret).toBe(endpoint.secret);
    expect(rows[0].secret).not.toContain(endpoint.secret.slice(6));
    await expect(
      queryAs(db, t.users.admin, 'select * from private.webhook_endpoint_secrets'),
    ).rejects.toThrow(/permission denied/);
  });

  it('rotation answers a new secret once and keeps the old one signing for the overlap', async () => {
    const endpoint = await createEndpoint(admin, t.workspaceId);
    await db.query('update public.webhook_endpoints set enabled = false where id = $1', [endpoint.id]);
    const { data, error } = await admin.rpc('rotate_webhook_secret', { endpoint_id: endpoint.id });
    expect(error).toBeNull();
    expect(data.secret).toMatch(/^whsec_/);
    expect(data.secret).not.toBe(endpoint.secret);
    const { rows } = await db.query(
      `select cur.decrypted_secret as current, prev.decrypted_secret as previous,
         s.previous_expires_at > now() + interval '23 hours' as overlapping
       from private.webhook_endpoint_secrets as s
       join vault.decrypted_secrets as cur on cur.id = s.secret_id
       join vault.decrypted_secrets as prev on prev.id = s.previous_secret_id
       where s.endpoint_id = $1`,
      [endpoint.id],
    );
    expect(rows).toEqual([{ current: data.secret, previous: endpoint.secret, overlapping: true }]);
  });

  it('members without webhooks.manage and other workspaces see no endpoints, deliveries or events', async () => {
    const endpoint = await createEndpoint(admin, t.workspaceId);
    await queryAs(db, t.users.member, 'insert into public.comments (task_id, body) values ($1, $2)', [
      t.taskId,
      'seen by webhooks only',
    ]);
    await db.query('update public.webhook_endpoints set enabled = false where id = $1', [endpoint.id]);
    const otherAdmin = await userClient(stack, other.users.admin);
    for (const client of [member, outsider, otherAdmin]) {
      for (const table of [
        'webhook_endpoints',
        'webhook_deliveries',
        'webhook_events',
        'webhook_delivery_attempts',
      ]) {
        const { data, error } = await client.from(table).select('*').eq('workspace_id', t.workspaceId);
        expect(error).toBeNull();
        expect(data).toEqual([]);
      }
    }
    const { data: seen } = await admin
      .from('webhook_deliveries')
      .select('event_type')
      .eq('endpoint_id', endpoint.id);
    expect(seen).toEqual([{ event_type: 'comment.created' }]);
  });

  it('are created only by holders of webhooks.manage, with the same answer for a real workspace and none', async () => {
    for (const [client, workspaceId] of [
      [member, t.workspaceId],
      [outsider, t.workspaceId],
      [outsider, randomUUID()],
    ] as const) {
      const { error, status } = await client
        .rpc('create_webhook_endpoint', { workspace_id: workspaceId, url: 'https://example.com/hook' })
        .then((r) => ({ error: r.error, status: r.status }));
      expect(status).toBe(403);
      expect(error).toMatchObject({
        message: 'forbidden',
        details: 'Managing webhooks needs webhooks.manage',
      });
    }
    // Nor can anyone insert rows directly (no secret would exist).
    const direct = await admin
      .from('webhook_endpoints')
      .insert({ workspace_id: t.workspaceId, url: 'https://x.test' });
    expect(direct.status).toBe(403);
  });

  it('rotate, test and replay answer not-found alike for a hidden endpoint and a random id', async () => {
    const endpoint = await createEndpoint(admin, t.workspaceId);
    await db.query('update public.webhook_endpoints set enabled = false where id = $1', [endpoint.id]);
    for (const client of [member, outsider]) {
      for (const id of [endpoint.id, randomUUID()]) {
        for (const [fn, args] of [
          ['rotate_webhook_secret', { endpoint_id: id }],
          ['send_test_webhook', { endpoint_id: id }],
          ['replay_failed_webhook_deliveries', { endpoint_id: id, since: '2020-01-01T00:00:00Z' }],
          ['replay_webhook_delivery', { delivery_id: id }],
        ] as const) {
          const { error, status } = await client.rpc(fn, args).then((r) => r);
          expect(status).toBe(404);
          expect(error?.message).toBe(
            fn === 'replay_webhook_delivery' ? 'webhook_delivery_not_found' : 'webhook_endpoint_not_found',
          );
        }
      }
    }
    // Members can't change or delete what they can't see.
    const update = await member
      .from('webhook_endpoints')
      .update({ enabled: true })
      .eq('id', endpoint.id)
      .select();
    expect(update.data).toEqual([]);
    const { rows } = await db.query('select enabled from public.webhook_endpoints where id = $1', [
      endpoint.id,
    ]);
    expect(rows).toEqual([{ enabled: false }]);
  });

  it('refuse bad URLs and unknown event types with stable codes', async () => {
    for (const url of [
      'ftp://example.com/x',
      'not a url',
      'http://user:pw@example.com/',
      `https://x.test/${'a'.repeat(2100)}`,
    ]) {
      const { error, status } = await admin
        .rpc('create_webhook_endpoint', { workspace_id: t.workspaceId, url })
        .then((r) => r);
      expect(status).toBe(400);
      expect(error?.message).toBe('invalid_webhook_url');
    }
    const { error, status } = await admin
      .rpc('create_webhook_endpoint', {
        workspace_id: t.workspaceId,
        url: 'https://x.test/',
        event_types: ['task.exploded'],
      })
      .then((r) => r);
    expect(status).toBe(400);
    expect(error).toMatchObject({
      message: 'invalid_event_type',
      details: 'Unknown event type task.exploded (see webhook_event_types)',
    });
  });
});

describe('the outbox', () => {
  let w: Tenant;
  beforeAll(async () => {
    w = await createTenant(db);
  });

  it('writes each change with its event in the same transaction, filtered per endpoint, and nothing on rollback', async () => {
    const adminW = await userClient(stack, w.users.admin);
    const all = await createEndpoint(adminW, w.workspaceId);
    const comments = await createEndpoint(adminW, w.workspaceId, ['comment.*', 'member.role_changed']);
    await runAs(db, w.users.member, async (c) => {
      await c.query(`insert into public.tasks (project_id, title) values ($1, 'Rolled back')`, [w.projectId]);
      throw Object.assign(new Error('roll back'), { rollback: true });
    }).catch((error) => {
      if (!(error as { rollback?: boolean }).rollback) throw error;
    });

    await queryAs(db, w.users.member, 'update public.tasks set title = $2 where id = $1', [
      w.taskId,
      'Renamed',
    ]);
    await queryAs(db, w.users.member, `update public.tasks set status = 'done' where id = $1`, [w.taskId]);
    await queryAs(db, w.users.member, 'insert into public.comments (task_id, body) values ($1, $2)', [
      w.taskId,
      'Hi',
    ]);
    await db.query(
      `update public.workspace_members set role = 'admin' where workspace_id = $1 and user_id = $2`,
      [w.workspaceId, w.users.viewer.id],
    );
    await db.query('update public.webhook_endpoints set enabled = false where workspace_id = $1', [
      w.workspaceId,
    ]);

    const events = await eventsOf(w.workspaceId);
    expect(events.map((e) => e.type)).toEqual([
      'task.updated',
      'task.moved',
      'comment.created',
      'member.role_changed',
    ]);
    expect(events.some((e) => JSON.stringify(e.payload).includes('Rolled back'))).toBe(false);
    const [renamed, moved] = events;
    expect(renamed?.payload).toMatchObject({
      type: 'task.updated',
      data: { object: { id: w.taskId, title: 'Renamed' }, previous: { title: 'First task' } },
    });
    expect(moved?.payload.data.previous).toEqual({ status: 'todo' });
    expect(JSON.stringify(events)).not.toContain('search_vector');

    const { rows } = await db.query(
      'select endpoint_id, event_type from public.webhook_deliveries where workspace_id = $1 order by created_at, event_type',
      [w.workspaceId],
    );
    const byEndpoint = (id: string) =>
      rows
        .filter((r) => r.endpoint_id === id)
        .map((r) => r.event_type)
        .sort();
    expect(byEndpoint(all.id)).toEqual([
      'comment.created',
      'member.role_changed',
      'task.moved',
      'task.updated',
    ]);
    expect(byEndpoint(comments.id)).toEqual(['comment.created', 'member.role_changed']);
  });

  it('stores nothing for a workspace without enabled endpoints', async () => {
    const quiet = await createTenant(db);
    await queryAs(db, quiet.users.member, 'insert into public.comments (task_id, body) values ($1, $2)', [
      quiet.taskId,
      'nobody listens',
    ]);
    expect(await eventsOf(quiet.workspaceId)).toEqual([]);
  });

  it('sends a reference instead of data larger than 20 KB', async () => {
    const big = await createTenant(db);
    const adminB = await userClient(stack, big.users.admin);
    await createEndpoint(adminB, big.workspaceId, ['task.updated']);
    await queryAs(db, big.users.member, 'update public.tasks set description = $2 where id = $1', [
      big.taskId,
      'x'.repeat(30_000),
    ]);
    await db.query('update public.webhook_endpoints set enabled = false where workspace_id = $1', [
      big.workspaceId,
    ]);
    const [event] = await eventsOf(big.workspaceId);
    expect(event?.payload.data).toEqual({
      object: { id: big.taskId, workspace_id: big.workspaceId },
      truncated: true,
      reference: `/rest/v1/tasks?id=eq.${big.taskId}`,
    });
  });
});
