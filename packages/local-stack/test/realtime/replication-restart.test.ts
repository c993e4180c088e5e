import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
// Brings in the `inject('stack')` typing the shared test stack provides.
import type {} from '../../../../tests/global-setup.ts';
import { silentLogger } from '../../src/logger.ts';
import {
  type ReplicatedTransaction,
  startReplicationConsumer,
} from '../../src/services/realtime/replication-consumer.ts';
import { startTestDatabase } from '../../src/testing/index.ts';

const workdir = new URL('../../../../', import.meta.url).pathname;
const SLOT = 'restart_probe';

// A reset recreates the database (the stream is cut, the slot gone) and then asks Realtime to
// stream again while the reconnect the cut stream scheduled may be under way. Creating a logical
// slot waits for open transactions, so the first connect can still be creating the slot when the
// second finds it: the two must end as one stream that is heard, not one streaming unheard that
// holds the slot while the other retries for ever (seen as a reset taking 10 s, then no changes).
describe('the replication consumer, restarted while a reconnect creates the slot', () => {
  it('ends with one stream that delivers, and both restarts return', async () => {
    await using copy = await startTestDatabase({ dbUrl: inject('stack').dbUrl, workdir, services: [] });
    const db = new pg.Pool({ connectionString: copy.status.DB_URL, max: 4 });
    const blocker = new pg.Client({ connectionString: copy.status.DB_URL });
    await blocker.connect();
    try {
      await db.query(`create table public.restart_probe (id int primary key);
                      create publication restart_probe for table public.restart_probe`);
      const received: ReplicatedTransaction[] = [];
      const consumer = startReplicationConsumer({
        connectionString: copy.status.DB_URL,
        db,
        slotName: SLOT,
        publications: ['restart_probe'],
        log: silentLogger,
        deliver: async (batch) => {
          received.push(...batch);
        },
      });
      try {
        await consumer.ready;
        // As a reset does: the stream cut and its slot gone.
        await db.query(
          `select pg_terminate_backend(pid) from pg_stat_activity
            where backend_type = 'walsender' and datname = current_database()`,
        );
        await expect
          .poll(
            async () =>
              (
                await db.query('select 1 from pg_replication_slots where slot_name = $1 and not active', [
                  SLOT,
                ])
              ).rowCount,
          )
          .toBe(1);
        await db.query('select pg_drop_replication_slot($1)', [SLOT]);
        // An open transaction holds the slot's creation until it ends.
        await blocker.query('begin');
        await blocker.query('insert into public.restart_probe values (0)');
        const first = consumer.restart();
        await expect
          .poll(
            async () =>
              (await db.query('select 1 from pg_replication_slots where slot_name = $1', [SLOT])).rowCount,
          )
          .toBe(1);
        const second = consumer.restart();
        await new Promise((resolve) => setTimeout(resolve, 300));
        await blocker.query('rollback');
        const restarted = await Promise.race([
          Promise.all([first, second]).then(() => 'streaming'),
          new Promise((resolve) => setTimeout(resolve, 5_000, 'still waiting after 5 s')),
        ]);
        expect(restarted).toBe('streaming');
        const walsenders = await db.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
            where backend_type = 'walsender' and datname = current_database()`,
        );
        expect(walsenders.rows).toEqual([{ n: 1 }]);
        await db.query('insert into public.restart_probe values (1)');
        await expect
          .poll(() => received.flatMap((transaction) => transaction.changes).length, { timeout: 5_000 })
          .toBe(1);
      } finally {
        await consumer.close();
      }
    } finally {
      await blocker.end();
      await db.end();
    }
  });
});
