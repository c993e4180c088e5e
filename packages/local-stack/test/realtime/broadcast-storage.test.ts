import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { realtimeService } from '../../src/services/realtime/index.ts';
import { mintUserToken, startTestStack, type TestStack } from '../../src/testing/index.ts';
import { Inbox, realtimeClient, sleep, subscribed, userRealtimeClient } from './realtime-clients.ts';

const fixture = new URL('./fixtures/realtime-project', import.meta.url).pathname;
const ALICE = '00000000-0000-0000-0000-0000000000a1';
const ROOM = `room:${ALICE}`;

type Broadcast = { event: string; payload: unknown; meta?: { id?: string; replayed?: boolean } };

describe('stored broadcasts: replay, send_binary and replication_ready over realtime-js', () => {
  let stack: TestStack;
  const clients: SupabaseClient[] = [];
  const alice = async (vsn?: '1.0.0' | '2.0.0') => {
    const token = await mintUserToken(stack.keys, { id: ALICE });
    const client = await userRealtimeClient(
      stack.apiUrl,
      stack.keys.anonKey,
      async () => token,
      vsn ? { vsn } : {},
    );
    clients.push(client);
    return client;
  };
  const send = (payload: object, event: string, topic = ROOM, isPrivate = true) =>
    stack.db.query('select realtime.send($1::jsonb, $2, $3, $4)', [
      JSON.stringify(payload),
      event,
      topic,
      isPrivate,
    ]);

  beforeAll(async () => {
    stack = await startTestStack({ workdir: fixture, services: [realtimeService] });
  });
  afterAll(async () => {
    for (const client of clients) await client.removeAllChannels();
    await stack?.stop();
  });

  it('replays the newest `limit` stored broadcasts since `since` on joining, oldest first, with meta.replayed', async () => {
    // A member already in the room: once message 4 reached it, replication has handed
    // every earlier one out, so none can come live to the channel that joins next.
    const watcher = new Inbox<Broadcast>();
    await subscribed(
      (await alice())
        .channel(ROOM, { config: { private: true } })
        .on('broadcast', { event: 'note' }, watcher.push as never),
    );
    // Not to be replayed: too old, another topic, public, presence.
    await stack.db.query(
      `insert into realtime.messages (topic, extension, event, payload, private, inserted_at)
       values ($1, 'broadcast', 'note', '{"n":0}', true, now() - interval '1 hour')`,
      [ROOM],
    );
    await send({ n: -1 }, 'note', 'room:someone-else');
    await send({ n: -2 }, 'note', ROOM, false);
    await stack.db.query(
      `insert into realtime.messages (topic, extension, private) values ($1, 'presence', true)`,
      [ROOM],
    );
    for (const n of [1, 2]) await send({ n }, 'note', ROOM);
    await stack.db.query(`select realtime.send_binary('\\x0102fe'::bytea, 'blob', $1)`, [ROOM]);
    await send({ n: 4 }, 'note', ROOM);
    await watcher.waitForItem((item) => (item.payload as { n?: number }).n === 4);

    const inbox = new Inbox<Broadcast>();
    await subscribed(
      (await alice())
        .channel(ROOM, {
          config: { private: true, broadcast: { replay: { since: Date.now() - 10 * 60_000, limit: 3 } } },
        })
        .on('broadcast', { event: '*' }, inbox.push as never),
    );
    const replayed = await inbox.waitFor(3);
    expect(replayed.map((item) => item.event)).toEqual(['note', 'blob', 'note']);
    expect(replayed[0]).toMatchObject({ payload: { n: 2 }, meta: { replayed: true } });
    expect(new Uint8Array(replayed[1]?.payload as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 254]));
    expect(replayed[1]?.meta).toMatchObject({ replayed: true });
    expect(replayed[2]).toMatchObject({ payload: { n: 4 }, meta: { replayed: true } });
    const ids = await stack.db.query<{ id: string }>(
      `select id::text from realtime.messages where topic = $1 and private and extension = 'broadcast'
        and inserted_at > now() - interval '10 minutes' order by inserted_at desc limit 3`,
      [ROOM],
    );
    expect(replayed.map((item) => item.meta?.id)).toEqual(ids.rows.map((row) => row.id).reverse());

    // Live from here on, not marked replayed; nothing replayed came twice before it.
    await send({ n: 5 }, 'note', ROOM);
    await inbox.waitForItem((item) => (item.payload as { n?: number }).n === 5);
    expect(inbox.items).toHaveLength(4);
    expect(inbox.items[3]?.meta?.replayed).toBeUndefined();
  });

  it("refuses replay with hosted's reasons: public channel, params that aren't integers", async () => {
    // realtime-js won't even ask on a public channel; another client can, over the socket.
    const ws = new WebSocket(
      `${stack.apiUrl.replace('http', 'ws')}/realtime/v1/websocket?apikey=${stack.keys.anonKey}&vsn=1.0.0`,
    );
    await new Promise((resolve) => ws.on('open', resolve));
    const reply = new Promise<unknown>((resolve) =>
      ws.on('message', (data) => resolve(JSON.parse(String(data)))),
    );
    ws.send(
      JSON.stringify({
        topic: 'realtime:news',
        event: 'phx_join',
        ref: '1',
        join_ref: '1',
        payload: { config: { broadcast: { replay: { since: 0 } } } },
      }),
    );
    expect(await reply).toMatchObject({
      event: 'phx_reply',
      payload: {
        status: 'error',
        response: { reason: 'UnableToReplayMessages: Replay is not allowed for public channels' },
      },
    });
    ws.close();

    await expect(
      subscribed(
        (await alice()).channel(ROOM, {
          config: { private: true, broadcast: { replay: { since: 'yesterday' as never } } },
        }),
      ),
    ).rejects.toThrow('UnableToReplayMessages: Replay params are not valid');
  });

  it('delivers realtime.send_binary() as bytes with meta.id to v2 clients, and skips v1 clients', async () => {
    const v2 = new Inbox<Broadcast>();
    const v1 = new Inbox<Broadcast>();
    await subscribed(
      (await alice())
        .channel(ROOM, { config: { private: true } })
        .on('broadcast', { event: '*' }, v2.push as never),
    );
    await subscribed(
      (await alice('1.0.0'))
        .channel(ROOM, { config: { private: true } })
        .on('broadcast', { event: '*' }, v1.push as never),
    );

    await stack.db.query(`select realtime.send_binary('\\xdeadbeef00ff'::bytea, 'bytes', $1)`, [ROOM]);
    await send({ sentinel: true }, 'after', ROOM);
    await v2.waitForItem((item) => item.event === 'after');
    await v1.waitForItem((item) => item.event === 'after');

    const [blob] = v2.items;
    expect(blob?.event).toBe('bytes');
    expect(new Uint8Array(blob?.payload as ArrayBuffer)).toEqual(
      new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]),
    );
    const stored = await stack.db.query<{ id: string; payload: unknown; binary_payload: Buffer }>(
      `select id::text, payload, binary_payload from realtime.messages where event = 'bytes'`,
    );
    expect(stored.rows).toEqual([
      { id: blob?.meta?.id, payload: null, binary_payload: Buffer.from('deadbeef00ff', 'hex') },
    ]);
    expect(v1.items.map((item) => item.event)).toEqual(['after']);

    // A stored message carries JSON or bytes, never both (hosted's messages_payload_exclusive).
    await expect(
      stack.db.query(
        `insert into realtime.messages (topic, extension, event, payload, binary_payload) values ('x', 'broadcast', 'e', '{}', '\\x00')`,
      ),
    ).rejects.toMatchObject({ code: '23514' });
  });

  it('sends the opt-in replication_ready system message, and only to channels that asked', async () => {
    const client = realtimeClient(stack.apiUrl, stack.keys.anonKey);
    clients.push(client);
    const ready = new Inbox<Record<string, unknown>>();
    const plain = new Inbox<Record<string, unknown>>();
    const plainBroadcasts = new Inbox<Broadcast>();
    await subscribed(
      client
        .channel('ready-1', { config: { broadcast: { replication_ready: true } } })
        .on('system', {}, ready.push),
    );
    const [message] = await ready.waitFor(1);
    expect(message).toEqual({
      extension: 'system',
      status: 'ok',
      message: 'Replication connection established',
      channel: 'ready-1',
    });

    await subscribed(
      client
        .channel('ready-2')
        .on('system', {}, plain.push)
        .on('broadcast', { event: 'sentinel' }, plainBroadcasts.push as never),
    );
    // Sentinel through replication, after the join: a system message would have come first.
    await send({}, 'sentinel', 'ready-2', false);
    await plainBroadcasts.waitFor(1);
    expect(plain.items).toEqual([]);
  });

  it('answers replication_ready and subscribes postgres_changes for a channel joined during a Postgres crash', async () => {
    const client = realtimeClient(stack.apiUrl, stack.keys.serviceRoleKey);
    clients.push(client);
    process.kill(stack.postgres.process.pid as number, 'SIGKILL');
    const system = new Inbox<Record<string, unknown>>();
    const changes = new Inbox<{ new: { id: number } }>();
    await subscribed(
      client
        .channel('ready-after-crash', { config: { broadcast: { replication_ready: true } } })
        .on('system', {}, system.push)
        .on(
          'postgres_changes',
          { event: 'INSERT', schema: 'public', table: 'open_items' },
          changes.push as never,
        ),
    );
    const ready = await system.waitForItem((item) => item.extension === 'system', 60_000);
    expect(ready.find((item) => item.extension === 'system')).toMatchObject({
      status: 'ok',
      message: 'Replication connection established',
    });
    // Once Postgres is back the consumer streams again (the slot is active) and the
    // subscription, made while the database was away, delivers.
    let active = false;
    for (const deadline = Date.now() + 60_000; !active && Date.now() < deadline; ) {
      const slot = await stack.db
        .query<{ active: boolean }>(
          `select active from pg_catalog.pg_replication_slots where slot_name = 'groundwork_realtime'`,
        )
        .catch(() => undefined);
      active = slot?.rows[0]?.active === true;
      if (!active) await sleep(100);
    }
    expect(active).toBe(true);
    await stack.db.query(`insert into public.open_items values (900, 'after the crash')`);
    const [change] = await changes.waitFor(1, 30_000);
    expect(change?.new).toMatchObject({ id: 900 });
  }, 90_000);
});
