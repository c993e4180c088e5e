import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
// Brings in the `inject('stack')` typing the shared test stack provides.
import type {} from '../../../../tests/global-setup.ts';
import { awaitCommitted } from '../../src/services/realtime/row-visibility.ts';

// A commit reaches the replication stream when its WAL is flushed, a moment before other
// sessions' snapshots see it. RLS probes first wait for the writer to be out of the
// in-progress list; this holds a writer open to show the wait is real. The transaction writes
// nothing and only takes an id, so the shared stack's database serves (no stack of its own).
describe('RLS probes wait for the writing transaction to be visible', () => {
  it('returns only after the transaction commits, and at once for a finished one', async () => {
    const writer = new pg.Client({ connectionString: inject('stack').dbUrl });
    const prober = new pg.Client({ connectionString: inject('stack').dbUrl });
    await writer.connect();
    await prober.connect();
    try {
      await writer.query('begin');
      const { rows } = await writer.query<{ xid: string }>(
        'select (pg_current_xact_id()::text::bigint % 4294967296)::text as xid',
      );
      const xid = Number(rows[0]?.xid);
      // Ordering, not timing: the wait may only end after the writer has committed.
      let committing = false;
      const waited = prober.query(awaitCommitted([xid])).then(() => committing);
      const committed = new Promise((resolve) => setTimeout(resolve, 300)).then(() => {
        committing = true;
        return writer.query('commit');
      });
      expect(await waited).toBe(true);
      await committed;

      // Once committed, the wait ends on its first look instead of looping (which would
      // take over a second and trip this statement timeout).
      await prober.query(`set statement_timeout = '900ms'`);
      await prober.query(awaitCommitted([xid]));
    } finally {
      await writer.end();
      await prober.end();
    }
  });

  it('writes nothing for an empty list', () => {
    expect(awaitCommitted([])).toBe('');
  });
});
