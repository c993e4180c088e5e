import type { SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPLICATION_SLOT, realtimeService } from '../../src/services/realtime/index.ts';
import { startTestStack, type TestStack } from '../../src/testing/index.ts';
import { Inbox, realtimeClient, sleep, subscribed } from './realtime-clients.ts';

const fixture = new URL('./fixtures/realtime-project', import.meta.url).pathname;

async function waitForDatabase(url: string, timeoutMs = 30_000): Promise<pg.Client> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('select 1');
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

describe('Realtime across a Postgres crash', () => {
  let stack: TestStack;
  let client: SupabaseClient;

  beforeAll(async () => {
    stack = await startTestStack({ workdir: fixture, services: [realtimeService] });
    client = realtimeClient(stack.apiUrl, stack.keys.serviceRoleKey);
  });
  afterAll(async () => {
    await client?.removeAllChannels();
    await stack?.stop();
  });

  it('keeps a persistent slot and resumes from it: every committed change exactly once', async () => {
    const slots = await stack.db.query(
      'select slot_type, plugin from pg_replication_slots where slot_name = $1',
      [REPLICATION_SLOT],
    );
    expect(slots.rows).toEqual([{ slot_type: 'logical', plugin: 'pgoutput' }]);

    const inbox = new Inbox<{ new: { id: number } }>();
    await subscribed(
      client
        .channel('resume')
        .on(
          'postgres_changes',
          { event: 'INSERT', schema: 'public', table: 'open_items' },
          inbox.push as never,
        ),
    );
    const url = stack.postgres.url();
    const writer = new pg.Client({ connectionString: url });
    await writer.connect();
    for (let id = 1; id <= 20; id++)
      await writer.query('insert into public.open_items values ($1, $2)', [id, 'before']);
    await inbox.waitFor(20);
    await writer.end();

    // Crash: no shutdown checkpoint, so the slot's persisted position may be older than
    // what was acknowledged and Postgres replays from there.
    process.kill(stack.postgres.process.pid as number, 'SIGKILL');
    await sleep(50);
    const after = await waitForDatabase(url);
    // Written as soon as Postgres is back, while the consumer is still reconnecting.
    for (let id = 21; id <= 60; id++) {
      await after.query('insert into public.open_items values ($1, $2)', [id, 'after']);
    }
    await after.end();

    await inbox.waitFor(60, 30_000);
    // Sentinel: a change committed after all the others. A replayed duplicate would come before it.
    const last = await waitForDatabase(url);
    await last.query(`insert into public.open_items values (61, 'sentinel')`);
    await last.end();
    await inbox.waitForItem((item) => item.new.id === 61, 30_000);
    const ids = inbox.items.map((item) => item.new.id);
    expect(ids).toEqual(Array.from({ length: 61 }, (_, index) => index + 1));
  });
});
