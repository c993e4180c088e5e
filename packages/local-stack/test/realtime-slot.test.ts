import { rmSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { realtimeService } from '../src/services/realtime/index.ts';
import { makeStackTempDir, startTestStack } from '../src/testing/index.ts';

const fixture = new URL('./fixtures/rls-project', import.meta.url).pathname;
const stateDir = makeStackTempDir('groundwork-slot-');
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

const slots = async (stack: { db: { query: (sql: string) => Promise<{ rows: { slot_name: string }[] }> } }) =>
  (await stack.db.query('select slot_name from pg_replication_slots')).rows.map((row) => row.slot_name);

it("drops Realtime's replication slot when [realtime] is switched off, so WAL isn't pinned", async () => {
  {
    await using stack = await startTestStack({ workdir: fixture, stateDir, services: [realtimeService] });
    await expect.poll(() => slots(stack)).toContain('groundwork_realtime');
  }
  await using stack = await startTestStack({
    workdir: fixture,
    stateDir,
    services: [],
    configOverrides: { realtime: { enabled: false } },
  });
  expect(await slots(stack)).not.toContain('groundwork_realtime');
}, 120_000);
