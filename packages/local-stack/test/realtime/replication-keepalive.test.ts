import type { SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPERUSER } from '../../src/processes/postgres.ts';
import { REPLICATION_SLOT, realtimeService } from '../../src/services/realtime/index.ts';
import { startTestStack, type TestStack } from '../../src/testing/index.ts';
import { Inbox, realtimeClient, sleep, subscribed } from './realtime-clients.ts';

const fixture = new URL('./fixtures/realtime-project', import.meta.url).pathname;

describe('the replication connection while idle', () => {
  let stack: TestStack;
  let client: SupabaseClient;
  let admin: pg.Client;

  beforeAll(async () => {
    stack = await startTestStack({ workdir: fixture, services: [realtimeService] });
    client = realtimeClient(stack.apiUrl, stack.keys.serviceRoleKey);
    admin = new pg.Client({ connectionString: stack.postgres.url(SUPERUSER) });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await client?.removeAllChannels();
    await stack?.stop();
  });

  const walSender = async () =>
    (
      await admin.query<{ active_pid: number | null }>(
        'select active_pid from pg_catalog.pg_replication_slots where slot_name = $1',
        [REPLICATION_SLOT],
      )
    ).rows[0]?.active_pid ?? null;

  it('answers keepalives, so Postgres does not cut it after wal_sender_timeout', async () => {
    // Postgres asks for a reply at half the timeout and drops a receiver that stays silent
    // for the whole of it; at 1 s, four idle seconds are several chances to be dropped.
    await admin.query(`alter system set wal_sender_timeout = '1s'`);
    await admin.query('select pg_catalog.pg_reload_conf()');
    const inbox = new Inbox<{ new: { id: number } }>();
    await subscribed(
      client
        .channel('idle')
        .on(
          'postgres_changes',
          { event: 'INSERT', schema: 'public', table: 'open_items' },
          inbox.push as never,
        ),
    );
    const before = await walSender();
    expect(before).not.toBeNull();

    await sleep(4000);

    expect(await walSender()).toBe(before);
    const senders = await admin.query<{ n: string }>(
      `select count(*)::text as n from pg_catalog.pg_stat_activity where backend_type = 'walsender'`,
    );
    expect(senders.rows[0]?.n).toBe('1');
    // And it still streams.
    await stack.db.query(`insert into public.open_items values (1, 'after idling')`);
    await inbox.waitFor(1);
    expect(await walSender()).toBe(before);
  });
});
