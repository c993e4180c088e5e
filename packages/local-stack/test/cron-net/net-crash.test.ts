import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { clusterDirFor } from '../../src/processes/data-dir.ts';
import { netService } from '../../src/services/net/index.ts';
import { freePorts, makeStackTempDir, startTestStack } from '../../src/testing/index.ts';
import { startHttpReceiver } from './http-receiver.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/groundwork.js', import.meta.url).pathname;
const project = makeStackTempDir('groundwork-net-crash-');
cpSync(new URL('./fixtures/net-project', import.meta.url).pathname, project, { recursive: true });
const stateDir = join(project, '.groundwork', 'net-fixture');
afterAll(() => rmSync(project, { recursive: true, force: true }));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitUntilDead(pid: number) {
  for (let tries = 0; isAlive(pid) && tries < 200; tries += 1) await sleep(25);
  expect(isAlive(pid)).toBe(false);
}

it('sends a request committed just before `kill -9` of the stack after the next start, and status lists the cron jobs', async () => {
  await using receiver = await startHttpReceiver();
  const ports = await freePorts();
  const configPath = join(project, 'supabase/config.toml');
  writeFileSync(
    configPath,
    readFileSync(configPath, 'utf8')
      .replace(/^port = 54321$/m, `port = ${ports.api}`)
      .replace(/^port = 54322$/m, `port = ${ports.db}`),
  );
  // Only what this test needs, on ports of its own.
  appendFileSync(
    configPath,
    `\n[local_smtp]\nport = ${ports.mail}\n[auth]\nenabled = false\n[storage]\nenabled = false\n[realtime]\nenabled = false\n`,
  );
  await run(process.execPath, [bin, 'start', '--workdir', project]);
  const state = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as {
    pid: number;
    status: { DB_URL: string };
  };

  const { stdout } = await run(process.execPath, [bin, 'status', '--workdir', project]);
  expect(stdout).toContain(
    "Cron jobs:\n  job 1 (nightly-archive)  '0 3 * * *'  as postgres in postgres  not run yet",
  );

  const db = new pg.Client({ connectionString: state.status.DB_URL });
  await db.connect();
  const { rows } = await db.query<{ id: string }>(
    `select net.http_post($1, '{"order": 42}'::jsonb, timeout_milliseconds := 60000)::text as id`,
    [`${receiver.url}/hold/before-crash`],
  );
  await db.end();
  const id = (rows[0] as { id: string }).id;
  // The request reached the receiver, which keeps it unanswered: in flight when the stack dies.
  await receiver.waitFor((request) => request.path === '/hold/before-crash');
  receiver.stopHolding();

  const postmaster = Number(
    readFileSync(join(clusterDirFor(stateDir), 'postmaster.pid'), 'utf8').split('\n')[0],
  );
  // The whole process group: the stack's Node process, Postgres and PostgREST, as a crash would take them.
  process.kill(-state.pid, 'SIGKILL');
  await waitUntilDead(state.pid);
  await waitUntilDead(postmaster);
  expect(existsSync(join(clusterDirFor(stateDir), 'postmaster.pid'))).toBe(true);

  await using stack = await startTestStack({ workdir: project, stateDir, services: [netService] });
  await expect
    .poll(
      async () =>
        (await stack.db.query('select status_code, content from net._http_response where id = $1', [id]))
          .rows[0],
      { timeout: 15_000 },
    )
    .toEqual({ status_code: 200, content: '{"ok":true}' });
  const sent = receiver.received.filter((request) => request.path === '/hold/before-crash');
  expect(sent.map((request) => request.body)).toEqual(['{"order": 42}', '{"order": 42}']);
  expect((await stack.db.query('select count(*)::int as queued from net.http_request_queue')).rows).toEqual([
    { queued: 0 },
  ]);
}, 120_000);
