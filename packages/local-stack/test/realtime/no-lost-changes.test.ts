import type { SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realtimeService } from '../../src/services/realtime/index.ts';
import { mintUserToken, startTestStack, type TestStack } from '../../src/testing/index.ts';
import { Inbox, sleep, subscribed, userRealtimeClient } from './realtime-clients.ts';

const fixture = new URL('./fixtures/realtime-project', import.meta.url).pathname;
const ALICE = '00000000-0000-0000-0000-0000000000a1';
const WRITERS = 4;

/** Inserts rows as fast as it can, reconnecting through outages, until stopped. */
function insertLoop(url: string, stopped: () => boolean): Promise<number> {
  return (async () => {
    let attempts = 0;
    while (!stopped()) {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => {});
      try {
        await client.connect();
        while (!stopped()) {
          attempts += 1;
          await client.query(`insert into public.items (owner_id, body) values ($1, 'load')`, [ALICE]);
        }
      } catch {
        await sleep(20);
      } finally {
        await client.end().catch(() => {});
      }
    }
    return attempts;
  })();
}

describe('Realtime under a Postgres crash with inserts in flight', () => {
  let stack: TestStack;
  let client: SupabaseClient;

  beforeAll(async () => {
    stack = await startTestStack({ workdir: fixture, services: [realtimeService] });
    const token = await mintUserToken(stack.keys, { id: ALICE });
    client = await userRealtimeClient(stack.apiUrl, stack.keys.anonKey, async () => token);
  });
  afterAll(async () => {
    await client?.removeAllChannels();
    await stack?.stop();
  });

  it('delivers an event for every committed row after kill -9 of Postgres (duplicates allowed, loss not)', async () => {
    const inbox = new Inbox<{ new: { id: number; body: string } }>();
    // Alice's own rows behind RLS: every event goes through an RLS probe, which is what
    // fails while Postgres is down.
    await subscribed(
      client
        .channel('load')
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'items' }, inbox.push as never),
    );
    const url = stack.postgres.url();
    let stop = false;
    const writers = Array.from({ length: WRITERS }, () => insertLoop(url, () => stop));
    await sleep(1500);
    process.kill(stack.postgres.process.pid as number, 'SIGKILL');
    // Writers keep going through the outage and for a while after Postgres is back.
    let back: pg.Client;
    for (;;) {
      back = new pg.Client({ connectionString: url });
      try {
        await back.connect();
        break;
      } catch {
        await back.end().catch(() => {});
        await sleep(50);
      }
    }
    await sleep(2000);
    stop = true;
    const attempts = (await Promise.all(writers)).reduce((sum, count) => sum + count, 0);

    const committed = await back.query<{ id: string }>(
      `select id::text from public.items where body = 'load'`,
    );
    // Sentinel, committed after every load row: once it is here, every event due before it is too.
    await back.query(`insert into public.items (owner_id, body) values ($1, 'sentinel')`, [ALICE]);
    await back.end();
    await inbox.waitForItem((item) => item.new.body === 'sentinel', 60_000);

    const received = new Set(inbox.items.map((item) => String(item.new.id)));
    const missing = committed.rows.map((row) => row.id).filter((id) => !received.has(id));
    console.info(
      `no-lost-changes: ${attempts} inserts tried, ${committed.rows.length} committed, ${inbox.items.length - 1} events, ${missing.length} missing`,
    );
    expect(committed.rows.length).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  }, 120_000);
});
