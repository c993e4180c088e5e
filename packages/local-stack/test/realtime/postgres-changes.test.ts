import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realtimeService } from '../../src/services/realtime/index.ts';
import { mintUserToken, startTestStack, type TestStack } from '../../src/testing/index.ts';
import { Inbox, realtimeClient, subscribed, userRealtimeClient } from './realtime-clients.ts';

const fixture = new URL('./fixtures/realtime-project', import.meta.url).pathname;
const ALICE = '00000000-0000-0000-0000-0000000000a1';
const BOB = '00000000-0000-0000-0000-0000000000b0';

describe('postgres_changes over realtime-js', () => {
  let stack: TestStack;
  const clients: SupabaseClient[] = [];
  const userClient = async (id: string) => {
    const token = await mintUserToken(stack.keys, { id });
    const client = await userRealtimeClient(stack.apiUrl, stack.keys.anonKey, async () => token);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    stack = await startTestStack({ workdir: fixture, services: [realtimeService] });
  });
  afterAll(async () => {
    for (const client of clients) await client.removeAllChannels();
    await stack?.stop();
  });

  it('delivers an insert with the hosted payload shape to the row owner only (RLS)', async () => {
    const alice = await userClient(ALICE);
    const bob = await userClient(BOB);
    const aliceInbox = new Inbox<Record<string, unknown>>();
    const bobInbox = new Inbox<Record<string, unknown>>();
    await subscribed(
      alice
        .channel('alice-items')
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'items' }, aliceInbox.push),
    );
    await subscribed(
      bob
        .channel('bob-items')
        .on('postgres_changes', { event: '*', schema: 'public', table: 'items' }, bobInbox.push),
    );

    await stack.db.query(
      `insert into public.items (owner_id, body, score, tags, data) values ($1, 'hello', 7, '{a,"b c"}', '{"k":1}')`,
      [ALICE],
    );
    const [change] = await aliceInbox.waitFor(1);
    expect(change).toMatchObject({
      schema: 'public',
      table: 'items',
      eventType: 'INSERT',
      errors: null,
      old: {},
      new: { owner_id: ALICE, body: 'hello', score: 7, tags: ['a', 'b c'], data: { k: 1 }, done: false },
    });
    expect(typeof change?.commit_timestamp).toBe('string');
    expect((change?.new as { created_at?: string } | undefined)?.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Sentinel: Bob's own row, committed after Alice's. Changes reach a subscriber in commit
    // order, so had Alice's row leaked, it would be ahead of this one.
    await stack.db.query(`insert into public.items (owner_id, body) values ($1, 'sentinel')`, [BOB]);
    await bobInbox.waitForItem((item) => (item.new as { body?: string }).body === 'sentinel');
    expect(bobInbox.items.map((item) => (item.new as { body?: string }).body)).toEqual(['sentinel']);
  });

  it('sends deletes of RLS tables to every subscriber with only the primary key', async () => {
    const alice = await userClient(ALICE);
    const bob = await userClient(BOB);
    const aliceInbox = new Inbox<Record<string, unknown>>();
    const bobInbox = new Inbox<Record<string, unknown>>();
    await subscribed(
      alice
        .channel('alice-deletes')
        .on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'items' }, aliceInbox.push),
    );
    await subscribed(
      bob
        .channel('bob-deletes')
        .on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'items' }, bobInbox.push),
    );
    const { rows } = await stack.db.query(`insert into public.items (owner_id) values ($1) returning id`, [
      ALICE,
    ]);
    await stack.db.query('delete from public.items where id = $1', [rows[0].id]);
    const [aliceDelete] = await aliceInbox.waitFor(1);
    const [bobDelete] = await bobInbox.waitFor(1);
    expect(aliceDelete).toMatchObject({ eventType: 'DELETE', new: {}, old: { id: Number(rows[0].id) } });
    expect(Object.keys(aliceDelete?.old as object)).toEqual(['id']);
    expect(bobDelete).toMatchObject({ eventType: 'DELETE', old: { id: Number(rows[0].id) } });
  });

  it('applies eq, neq, lt, lte, gt, gte and in filters', async () => {
    const service = realtimeClient(stack.apiUrl, stack.keys.serviceRoleKey);
    clients.push(service);
    const filters = [
      'id=eq.2',
      'id=neq.2',
      'id=lt.2',
      'id=lte.2',
      'id=gt.2',
      'id=gte.2',
      'label=in.(one,three)',
    ];
    const inboxes = filters.map(() => new Inbox<{ new: { id: number } }>());
    const sentinel = new Inbox<Record<string, unknown>>();
    const channel = service.channel('filters');
    filters.forEach((filter, index) => {
      channel.on(
        'postgres_changes',
        { event: 'INSERT', schema: 'public', table: 'open_items', filter },
        (payload) => inboxes[index]?.push(payload as never),
      );
    });
    channel.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'items' }, sentinel.push);
    await subscribed(channel);
    await stack.db.query(
      `insert into public.open_items (id, label) values (1, 'one'), (2, 'two'), (3, 'three')`,
    );
    // Sentinel on the same channel, committed after: once it is here, every match of the rows above is too.
    await stack.db.query(`insert into public.items (owner_id, body) values ($1, 'after the filters')`, [
      ALICE,
    ]);
    await sentinel.waitForItem((item) => (item.new as { body?: string }).body === 'after the filters');
    const ids = inboxes.map((inbox) => inbox.items.map((item) => item.new.id).sort());
    expect(Object.fromEntries(filters.map((filter, index) => [filter, ids[index]]))).toEqual({
      'id=eq.2': [2],
      'id=neq.2': [1, 3],
      'id=lt.2': [1],
      'id=lte.2': [1, 2],
      'id=gt.2': [3],
      'id=gte.2': [2, 3],
      'label=in.(one,three)': [1, 3],
    });
  });

  it('sends the old row of updates on a REPLICA IDENTITY FULL table', async () => {
    const anon = realtimeClient(stack.apiUrl, stack.keys.anonKey);
    clients.push(anon);
    const inbox = new Inbox<Record<string, unknown>>();
    await subscribed(
      anon
        .channel('open-updates')
        .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'open_items' }, inbox.push),
    );
    await stack.db.query(`insert into public.open_items (id, label) values (10, 'before')`);
    await stack.db.query(`update public.open_items set label = 'after' where id = 10`);
    const [update] = await inbox.waitFor(1);
    expect(update).toMatchObject({
      eventType: 'UPDATE',
      old: { id: 10, label: 'before' },
      new: { id: 10, label: 'after' },
    });
  });

  it('confirms the subscription with a system message, and reports unknown tables', async () => {
    const anon = realtimeClient(stack.apiUrl, stack.keys.anonKey);
    clients.push(anon);
    const ok = new Inbox<Record<string, unknown>>();
    await subscribed(
      anon
        .channel('system-ok')
        .on('system', {}, ok.push)
        .on('postgres_changes', { event: '*', schema: 'public', table: 'open_items' }, () => {}),
    );
    const [message] = await ok.waitFor(1);
    expect(message).toMatchObject({
      extension: 'postgres_changes',
      status: 'ok',
      message: 'Subscribed to PostgreSQL',
      channel: 'system-ok',
    });

    const failed = new Inbox<Record<string, unknown>>();
    await subscribed(
      anon
        .channel('system-error')
        .on('system', {}, failed.push)
        .on('postgres_changes', { event: '*', schema: 'public', table: 'no_such_table' }, () => {}),
    );
    const [error] = await failed.waitFor(1);
    expect(error).toMatchObject({ extension: 'postgres_changes', status: 'error' });
    expect(String(error?.message)).toMatch(/^Unable to subscribe to changes with given parameters/);
  });

  it('speaks the v1 JSON serializer too', async () => {
    const legacy = realtimeClient(stack.apiUrl, stack.keys.anonKey, { vsn: '1.0.0' });
    clients.push(legacy);
    const inbox = new Inbox<Record<string, unknown>>();
    await subscribed(
      legacy
        .channel('legacy')
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'open_items' }, inbox.push),
    );
    await stack.db.query(`insert into public.open_items (id, label) values (20, 'v1')`);
    const [insert] = await inbox.waitFor(1);
    expect(insert).toMatchObject({ eventType: 'INSERT', new: { id: 20, label: 'v1' } });
  });
});
