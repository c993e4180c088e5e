import { execFile } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePorts, makeStackTempDir, startTestStack } from '@groundwork/local-stack/testing';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { startWebhookReceiver } from './webhook-receiver.ts';

// kill -9 of the whole stack (its Node process, Postgres, PostgREST, Deno) while a burst of
// webhooks is in flight: after the next start every event is delivered at least once, and a
// delivery sent twice carries the same webhook-id and body both times.

const run = promisify(execFile);
const bin = new URL('../../packages/local-stack/bin/groundwork.js', import.meta.url).pathname;
const project = makeStackTempDir('groundwork-webhook-crash-');
cpSync(new URL('../../supabase', import.meta.url).pathname, join(project, 'supabase'), {
  recursive: true,
  filter: (source) => !source.includes('/.groundwork') && !source.endsWith('/.env'),
});
const stateDir = join(project, '.groundwork', 'groundwork');
afterAll(() => rmSync(project, { recursive: true, force: true }));

const EVENTS = 300;
const ALICE = 'a0000000-0000-4000-8000-000000000001';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitUntilDead(pid: number) {
  for (let tries = 0; isAlive(pid) && tries < 400; tries += 1) await sleep(25);
  expect(isAlive(pid)).toBe(false);
}

/** Postgres died with its process group: connections are refused. */
async function waitUntilRefused(url: string) {
  for (let tries = 0; tries < 400; tries += 1) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      await sleep(25);
    } catch {
      return;
    }
  }
  throw new Error('Postgres still accepts connections after kill -9');
}

it('delivers every event at least once after kill -9 of the stack mid-burst, duplicates with the same webhook-id', async () => {
  await using receiver = await startWebhookReceiver();
  // The first 20 are answered; the rest are held open until the crash, so the kill always finds
  // deliveries in flight however fast the machine is; after the restart everything is answered.
  let crashed = false;
  receiver.answer('/burst', (_request, nth) => ({
    status: 200,
    delayMs: crashed || nth <= 20 ? 0 : 120_000,
  }));
  const ports = await freePorts();
  const configPath = join(project, 'supabase/config.toml');
  writeFileSync(
    configPath,
    readFileSync(configPath, 'utf8')
      .replace(/^port = 54321$/m, `port = ${ports.api}`)
      .replace(/^port = 54322$/m, `port = ${ports.db}`)
      .replace(/^port = 54324$/m, `port = ${ports.mail}`)
      .replace(/(\[realtime\]\nenabled = )true/, '$1false'),
  );
  await run(process.execPath, [bin, 'start', '--workdir', project]);
  const state = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as {
    pid: number;
    status: { DB_URL: string };
  };

  const db = new pg.Client({ connectionString: state.status.DB_URL });
  await db.connect();
  // Short leases so deliveries cut off by the crash are claimed again soon after the restart.
  await db.query(
    `update private.webhook_settings set lease_seconds = 2, retry_delays_seconds = '{1,1,1,1,1}'`,
  );
  const { rows: acme } = await db.query(`select id from public.workspaces where slug = 'acme'`);
  const workspaceId = acme[0].id as string;
  await db.query('begin');
  await db.query('set local role authenticated');
  await db.query(`select set_config('request.jwt.claims', $1, true)`, [
    JSON.stringify({ sub: ALICE, role: 'authenticated' }),
  ]);
  await db.query(`select public.create_webhook_endpoint($1, $2, '', '{comment.created}')`, [
    workspaceId,
    `${receiver.url}/burst`,
  ]);
  await db.query('commit');
  const { rows: tasks } = await db.query('select id from public.tasks where workspace_id = $1 limit 1', [
    workspaceId,
  ]);
  for (let batch = 0; batch < EVENTS / 10; batch += 1) {
    await db.query(
      `insert into public.comments (task_id, author_id, body)
       select $1, $2, 'burst ' || n from generate_series($3::int, $3::int + 9) as n`,
      [tasks[0].id, ALICE, batch * 10],
    );
  }
  const { rows: events } = await db.query<{ id: string }>(
    `select id::text from public.webhook_events where workspace_id = $1 and type = 'comment.created'`,
    [workspaceId],
  );
  await db.end();
  expect(events).toHaveLength(EVENTS);

  // Some delivered, the rest in flight (held by the receiver): now the crash.
  await receiver.waitFor(() => receiver.received.length >= 20, 60_000);
  crashed = true;
  process.kill(-state.pid, 'SIGKILL');
  await waitUntilDead(state.pid);
  await waitUntilRefused(state.status.DB_URL);
  const beforeRestart = receiver.received.length;
  expect(beforeRestart).toBeLessThan(EVENTS);

  await using stack = await startTestStack({ workdir: project, stateDir });
  await expect
    .poll(
      async () =>
        (
          await stack.db.query(
            `select status::text, count(*)::int as n from public.webhook_deliveries group by status order by status`,
          )
        ).rows,
      { timeout: 60_000, interval: 500 },
    )
    .toEqual([{ status: 'succeeded', n: EVENTS }]);

  const bodiesById = new Map<string, Set<string>>();
  for (const request of receiver.received) {
    const id = String(request.headers['webhook-id']);
    bodiesById.set(id, (bodiesById.get(id) ?? new Set()).add(request.body));
  }
  expect([...bodiesById.keys()].sort()).toEqual(events.map((e) => e.id).sort());
  // A duplicate is the same message: same id, same body.
  expect([...bodiesById.values()].every((bodies) => bodies.size === 1)).toBe(true);
  expect(existsSync(join(stateDir, 'stack.json'))).toBe(true);
}, 240_000);
