import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { realtimeService } from '../../src/services/realtime/index.ts';
import { mintUserToken, startTestStack, type TestStack } from '../../src/testing/index.ts';
import { Inbox, realtimeClient, sleep, subscribed, userRealtimeClient } from './realtime-clients.ts';

const fixture = new URL('./fixtures/realtime-project', import.meta.url).pathname;
const ALICE = '00000000-0000-0000-0000-0000000000a1';
const BOB = '00000000-0000-0000-0000-0000000000b0';

describe('broadcast, presence, private channels and tokens over realtime-js', () => {
  let stack: TestStack;
  const clients: SupabaseClient[] = [];
  const anonClient = (options: Parameters<typeof realtimeClient>[2] = {}) => {
    const client = realtimeClient(stack.apiUrl, stack.keys.anonKey, options);
    clients.push(client);
    return client;
  };
  const tokenClient = async (accessToken: () => Promise<string>) => {
    const client = await userRealtimeClient(stack.apiUrl, stack.keys.anonKey, accessToken);
    clients.push(client);
    return client;
  };
  const userClient = async (id: string) => {
    const token = await mintUserToken(stack.keys, { id });
    return tokenClient(async () => token);
  };

  beforeAll(async () => {
    stack = await startTestStack({ workdir: fixture, services: [realtimeService] });
  });
  afterAll(async () => {
    for (const client of clients) await client.removeAllChannels();
    await stack?.stop();
  });

  describe('broadcast', () => {
    it('reaches other subscribers but not the sender unless self is set', async () => {
      const sender = anonClient();
      const receiver = anonClient();
      const fromSelf = new Inbox<Record<string, unknown>>();
      const received = new Inbox<Record<string, unknown>>();
      const sending = await subscribed(
        sender.channel('room-1').on('broadcast', { event: 'cursor' }, fromSelf.push),
      );
      const receiving = await subscribed(
        receiver.channel('room-1').on('broadcast', { event: 'cursor' }, received.push),
      );
      expect(await sending.send({ type: 'broadcast', event: 'cursor', payload: { x: 1 } })).toBe('ok');
      const [message] = await received.waitFor(1);
      expect(message).toMatchObject({ type: 'broadcast', event: 'cursor', payload: { x: 1 } });
      // Sentinel: the receiver answers. An echo of the sender's own message would have been
      // written to the sender's socket in the same fan-out, so before this reply.
      await receiving.send({ type: 'broadcast', event: 'cursor', payload: { sentinel: true } });
      await fromSelf.waitForItem((item) => (item.payload as { sentinel?: boolean }).sentinel === true);
      expect(fromSelf.items.map((item) => item.payload)).toEqual([{ sentinel: true }]);
    });

    it('echoes to the sender with self and acknowledges with ack', async () => {
      const client = anonClient();
      const inbox = new Inbox<Record<string, unknown>>();
      const channel = await subscribed(
        client
          .channel('room-self', { config: { broadcast: { self: true, ack: true } } })
          .on('broadcast', { event: 'ping' }, inbox.push),
      );
      expect(await channel.send({ type: 'broadcast', event: 'ping', payload: { n: 1 } })).toBe('ok');
      const [echo] = await inbox.waitFor(1);
      expect(echo).toMatchObject({ event: 'ping', payload: { n: 1 } });
    });

    it('carries binary payloads between vsn 2.0.0 clients', async () => {
      const sender = anonClient();
      const receiver = anonClient();
      const inbox = new Inbox<Record<string, unknown>>();
      const channel = await subscribed(sender.channel('bytes'));
      await subscribed(receiver.channel('bytes').on('broadcast', { event: 'blob' }, inbox.push));
      const bytes = new Uint8Array([1, 2, 3, 250]);
      await channel.send({ type: 'broadcast', event: 'blob', payload: bytes.buffer });
      const [message] = await inbox.waitFor(1);
      expect(new Uint8Array(message?.payload as ArrayBuffer)).toEqual(bytes);
    });

    it('accepts REST broadcasts (httpSend and the batch endpoint) for subscribers', async () => {
      const receiver = anonClient();
      const inbox = new Inbox<Record<string, unknown>>();
      await subscribed(receiver.channel('rest-room').on('broadcast', { event: '*' }, inbox.push));
      const sender = anonClient();
      const outside = sender.channel('rest-room');
      await expect(outside.httpSend('single', { a: 1 })).resolves.toEqual({ success: true });
      const batch = await fetch(`${stack.apiUrl}/realtime/v1/api/broadcast`, {
        method: 'POST',
        headers: { apikey: stack.keys.anonKey, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ topic: 'rest-room', event: 'batch', payload: { b: 2 } }] }),
      });
      expect(batch.status).toBe(202);
      const messages = await inbox.waitFor(2);
      expect(messages.map((message) => [message.event, message.payload])).toEqual([
        ['single', { a: 1 }],
        ['batch', { b: 2 }],
      ]);
    });

    it('answers bad REST broadcasts with 4xx and a message', async () => {
      const bad = await fetch(`${stack.apiUrl}/realtime/v1/api/broadcast`, {
        method: 'POST',
        headers: { apikey: stack.keys.anonKey, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [] }),
      });
      expect(bad.status).toBe(422);
      expect(await bad.json()).toMatchObject({ message: expect.stringContaining('Invalid broadcast') });
      const noKey = await fetch(`${stack.apiUrl}/realtime/v1/api/broadcast`, { method: 'POST', body: '{}' });
      expect(noKey.status).toBe(401);
    });

    it('sends rows written by realtime.send() and realtime.broadcast_changes()', async () => {
      const anon = anonClient();
      const inbox = new Inbox<Record<string, unknown>>();
      await subscribed(anon.channel('db-news').on('broadcast', { event: 'headline' }, inbox.push));
      await stack.db.query(`select realtime.send('{"title":"hi"}'::jsonb, 'headline', 'db-news', false)`);
      const [news] = await inbox.waitFor(1);
      expect(news).toMatchObject({ type: 'broadcast', event: 'headline', payload: { title: 'hi' } });

      const alice = await userClient(ALICE);
      const changes = new Inbox<Record<string, unknown>>();
      await subscribed(
        alice
          .channel('item-changes', { config: { private: true } })
          .on('broadcast', { event: 'INSERT' }, changes.push),
      );
      await stack.db.query(`insert into public.items (owner_id, body) values ($1, 'via trigger')`, [ALICE]);
      const [change] = await changes.waitFor(1);
      expect(change).toMatchObject({
        event: 'INSERT',
        payload: { operation: 'INSERT', table: 'items', schema: 'public', record: { body: 'via trigger' } },
      });
    });
  });

  describe('presence', () => {
    it('syncs state and reports joins and leaves', async () => {
      const first = anonClient();
      const second = anonClient();
      const joins = new Inbox<{ key: string; newPresences: Record<string, unknown>[] }>();
      const leaves = new Inbox<{ key: string; leftPresences: Record<string, unknown>[] }>();
      const watcher = first
        .channel('lobby', { config: { presence: { key: 'ann' } } })
        .on('presence', { event: 'join' }, joins.push as never)
        .on('presence', { event: 'leave' }, leaves.push as never);
      await subscribed(watcher);
      await watcher.track({ status: 'online' });
      await joins.waitFor(1);

      const other = second.channel('lobby', { config: { presence: { key: 'ben' } } });
      const synced = new Inbox<null>();
      other.on('presence', { event: 'sync' }, () => synced.push(null));
      await subscribed(other);
      await synced.waitFor(1);
      expect(Object.keys(other.presenceState())).toEqual(['ann']);
      expect(other.presenceState().ann?.[0]).toMatchObject({ status: 'online' });

      expect(await other.track({ status: 'away' })).toBe('ok');
      await joins.waitFor(2);
      expect(joins.items[1]).toMatchObject({ key: 'ben', newPresences: [{ status: 'away' }] });
      expect(Object.keys(watcher.presenceState()).sort()).toEqual(['ann', 'ben']);

      await other.untrack();
      const [left] = await leaves.waitFor(1);
      expect(left).toMatchObject({ key: 'ben', leftPresences: [{ status: 'away' }] });
    });

    it('drops the presence of a client that disconnects', async () => {
      const watcherClient = anonClient();
      const leaver = anonClient();
      const joins = new Inbox<{ key: string }>();
      const leaves = new Inbox<{ key: string }>();
      const watcher = watcherClient
        .channel('lobby-2', { config: { presence: { key: 'stay' } } })
        .on('presence', { event: 'join' }, joins.push as never)
        .on('presence', { event: 'leave' }, leaves.push as never);
      await subscribed(watcher);
      const going = await subscribed(leaver.channel('lobby-2', { config: { presence: { key: 'go' } } }));
      await going.track({ here: true });
      const [joined] = await joins.waitFor(1);
      expect(joined?.key).toBe('go');
      expect(Object.keys(watcher.presenceState())).toContain('go');
      leaver.realtime.disconnect();
      const [left] = await leaves.waitFor(1);
      expect(left?.key).toBe('go');
    });
  });

  describe('private channels', () => {
    it('let a user join the room their RLS policy allows', async () => {
      const alice = await userClient(ALICE);
      const inbox = new Inbox<Record<string, unknown>>();
      const channel = await subscribed(
        alice
          .channel(`room:${ALICE}`, { config: { private: true, broadcast: { self: true, ack: true } } })
          .on('broadcast', { event: 'note' }, inbox.push),
      );
      expect(await channel.send({ type: 'broadcast', event: 'note', payload: { ok: true } })).toBe('ok');
      await inbox.waitFor(1);
    });

    it("refuse another user's room with hosted's error", async () => {
      const bob = await userClient(BOB);
      await expect(subscribed(bob.channel(`room:${ALICE}`, { config: { private: true } }))).rejects.toThrow(
        `Unauthorized: You do not have permissions to read from this Channel topic: room:${ALICE}`,
      );
    });

    it('refuse anon, and keep private and public channels of one name apart', async () => {
      const anon = anonClient();
      await expect(subscribed(anon.channel('announcements', { config: { private: true } }))).rejects.toThrow(
        /Unauthorized/,
      );
      const alice = await userClient(ALICE);
      const privateInbox = new Inbox<Record<string, unknown>>();
      await subscribed(
        alice
          .channel('announcements', { config: { private: true } })
          .on('broadcast', { event: '*' }, privateInbox.push),
      );
      const publicSender = await subscribed(
        anonClient().channel('announcements', { config: { broadcast: { ack: true } } }),
      );
      // Acknowledged after the fan-out: a leak into the private channel is on Alice's socket by now.
      expect(await publicSender.send({ type: 'broadcast', event: 'spoof', payload: {} })).toBe('ok');
      // Sentinel: a broadcast that does belong to the private channel, sent after the spoof.
      await stack.db.query(`select realtime.send('{}'::jsonb, 'sentinel', 'announcements', true)`);
      await privateInbox.waitForItem((item) => item.event === 'sentinel');
      expect(privateInbox.items.map((item) => item.event)).toEqual(['sentinel']);
    });

    it('accept REST broadcasts to private topics only from callers allowed to write', async () => {
      const alice = await userClient(ALICE);
      const inbox = new Inbox<Record<string, unknown>>();
      await subscribed(
        alice
          .channel(`room:${ALICE}`, { config: { private: true } })
          .on('broadcast', { event: '*' }, inbox.push),
      );
      const send = async (userId: string) =>
        fetch(
          `${stack.apiUrl}/realtime/v1/api/broadcast/${encodeURIComponent(`room:${ALICE}`)}/events/memo?private=true`,
          {
            method: 'POST',
            headers: {
              apikey: stack.keys.anonKey,
              authorization: `Bearer ${await mintUserToken(stack.keys, { id: userId })}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify({ from: userId }),
          },
        );
      expect((await send(BOB)).status).toBe(403);
      expect((await send(ALICE)).status).toBe(202);
      const [memo] = await inbox.waitFor(1);
      expect(memo).toMatchObject({ event: 'memo', payload: { from: ALICE } });
      expect(inbox.items).toHaveLength(1);
    });

    it('drop broadcasts from members without a write policy', async () => {
      const reader = await userClient(ALICE);
      const writer = await userClient(BOB);
      const inbox = new Inbox<Record<string, unknown>>();
      await subscribed(
        reader
          .channel('announcements', { config: { private: true } })
          .on('broadcast', { event: '*' }, inbox.push),
      );
      const channel = await subscribed(
        writer.channel('announcements', { config: { private: true, broadcast: { ack: true } } }),
      );
      expect(await channel.send({ type: 'broadcast', event: 'x', payload: {} }, { timeout: 1000 })).toBe(
        'timed out',
      );
      expect(inbox.items).toEqual([]);
    });
  });

  describe('tokens', () => {
    it('refuses a join with an expired token', async () => {
      const token = await mintUserToken(stack.keys, { id: ALICE, expiresInSeconds: -5 });
      const client = await tokenClient(async () => token);
      await expect(subscribed(client.channel('expired-join'))).rejects.toThrow(
        /^InvalidJWTToken: Token has expired \d+ seconds ago$/,
      );
    });

    it('closes a channel whose token expires, with a system message', async () => {
      const token = await mintUserToken(stack.keys, { id: ALICE, expiresInSeconds: 2 });
      const client = await tokenClient(async () => token);
      const system = new Inbox<Record<string, unknown>>();
      const statuses = new Inbox<string>();
      const channel = client.channel('short-lived').on('system', {}, system.push);
      channel.subscribe((status) => statuses.push(status));
      await statuses.waitFor(1);
      const [message] = await system.waitFor(1, 5000);
      expect(message).toMatchObject({
        extension: 'system',
        status: 'error',
        channel: 'short-lived',
        message: expect.stringMatching(/^Token has expired \d+ seconds ago$/),
      });
      await statuses.waitFor(2);
      expect(statuses.items).toEqual(['SUBSCRIBED', 'CLOSED']);
    });

    it('keeps a channel open when the client sent a fresh token in time', async () => {
      const expiresAt = Date.now() + 2000;
      let token = await mintUserToken(stack.keys, { id: ALICE, expiresInSeconds: 2 });
      const client = await tokenClient(async () => token);
      const system = new Inbox<Record<string, unknown>>();
      const channel = await subscribed(
        client.channel('refreshed', { config: { broadcast: { ack: true } } }).on('system', {}, system.push),
      );
      token = await mintUserToken(stack.keys, { id: ALICE, expiresInSeconds: 60 });
      await client.realtime.setAuth();
      // What is tested is a deadline: the first token's expiry (the server checks it then).
      await sleep(Math.max(0, expiresAt + 1000 - Date.now()));
      // Sentinel past the deadline: a close at expiry would have reached the client before this ack.
      expect(await channel.send({ type: 'broadcast', event: 'sentinel', payload: {} })).toBe('ok');
      expect(system.items).toEqual([]);
      expect(channel.state).toBe('joined');
    });

    it('closes a private channel when a refreshed token loses read access', async () => {
      const client = await userClient(ALICE);
      const system = new Inbox<Record<string, unknown>>();
      await subscribed(
        client.channel(`room:${ALICE}`, { config: { private: true } }).on('system', {}, system.push),
      );
      await client.realtime.setAuth(await mintUserToken(stack.keys, { id: BOB }));
      const [message] = await system.waitFor(1);
      expect(message).toMatchObject({
        status: 'error',
        message: `You no longer have permission to read from this Channel topic: room:${ALICE}`,
      });
    });

    it('closes the channel when the refreshed token is invalid', async () => {
      const token = await mintUserToken(stack.keys, { id: ALICE });
      const client = await tokenClient(async () => token);
      const system = new Inbox<Record<string, unknown>>();
      await subscribed(client.channel('bad-refresh').on('system', {}, system.push));
      await client.realtime.setAuth('not-a-jwt');
      const [message] = await system.waitFor(1);
      expect(message).toMatchObject({ status: 'error', message: 'The token provided is not a valid JWT' });
    });
  });

  describe('the socket', () => {
    const socketUrl = () => `${stack.apiUrl.replace('http', 'ws')}/realtime/v1/websocket`;
    const rejection = (url: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url);
        ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
      });

    it('requires a valid API key and a known serializer version', async () => {
      expect(await rejection(`${socketUrl()}?vsn=2.0.0`)).toBe(401);
      expect(await rejection(`${socketUrl()}?apikey=wrong&vsn=2.0.0`)).toBe(401);
      expect(await rejection(`${socketUrl()}?apikey=${stack.keys.anonKey}&vsn=9.9.9`)).toBe(400);
      expect(await rejection(`${socketUrl()}?apikey=${stack.keys.publishableKey}&vsn=2.0.0`)).toBe(101);
    });

    it('answers heartbeats and ignores malformed frames', async () => {
      const ws = new WebSocket(`${socketUrl()}?apikey=${stack.keys.anonKey}&vsn=2.0.0`);
      await new Promise((resolve) => ws.on('open', resolve));
      const replies: unknown[] = [];
      ws.on('message', (data) => replies.push(JSON.parse(String(data))));
      const sentinelReply = new Promise((resolve) =>
        ws.on('message', (data) => {
          if ((JSON.parse(String(data)) as unknown[])[1] === '9') resolve(undefined);
        }),
      );
      ws.send('not json');
      ws.send(JSON.stringify([null, '7', 'phoenix', 'heartbeat', {}]));
      ws.send(JSON.stringify([null, '8', 'realtime:never-joined', 'broadcast', {}]));
      // Sentinel: frames are answered in order, so any reply to the malformed one came before this.
      ws.send(JSON.stringify([null, '9', 'phoenix', 'heartbeat', {}]));
      await sentinelReply;
      ws.close();
      expect(replies).toEqual([
        [null, '7', 'phoenix', 'phx_reply', { status: 'ok', response: {} }],
        [
          null,
          '8',
          'realtime:never-joined',
          'phx_reply',
          { status: 'error', response: { reason: 'unmatched topic' } },
        ],
        [null, '9', 'phoenix', 'phx_reply', { status: 'ok', response: {} }],
      ]);
    });
  });
});
