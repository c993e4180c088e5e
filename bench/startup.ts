/**
 * Start, reset and per-test-file database figures for this repo's supabase/ project, each beside
 * its target. "Up" means every service answers through the gateway.
 *
 * - cold start without the template: a fresh data folder; migrations by the real CLI, then seed.
 * - cold start with the template: a fresh data folder from the database template saved by the
 *   first start for these migrations and seed (built here first if there is none): a spare copy
 *   of its cluster renamed into place, made in the background after the previous such start.
 * - warm start: the same data folder again.
 * - reset: `resetDatabase()` (what `groundwork reset` asks a running stack for) until REST answers.
 * - per-file database: `startTestDatabase()` — CREATE DATABASE … TEMPLATE, then its API.
 *
 *   npx tsx --conditions=@groundwork/source bench/startup.ts [runs=3]
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  makeStackTempDir,
  startTestDatabase,
  startTestStack,
  type TestStack,
} from '@groundwork/local-stack/testing';

const runs = Number(process.argv[2] ?? 3);
const workdir = new URL('..', import.meta.url).pathname;

async function untilAnswering(stack: Pick<TestStack, 'apiUrl' | 'keys'>) {
  const headers = { apikey: stack.keys.anonKey };
  const probes = [
    '/rest/v1/',
    '/auth/v1/health',
    '/storage/v1/version',
    '/functions/v1/',
    '/realtime/v1/api/ping',
  ];
  await Promise.all(
    probes.map((path) => fetch(`${stack.apiUrl}${path}`, { headers }).then((r) => r.arrayBuffer())),
  );
}

interface Start {
  ms: number;
  kind: string;
  steps: Record<string, number>;
}

async function timeStart(stateDir: string, databaseTemplate: boolean): Promise<Start> {
  const steps: Record<string, number> = {};
  const started = performance.now();
  const stack = await startTestStack({
    workdir,
    stateDir,
    databaseTemplate,
    onStep: (name, elapsed) => {
      steps[name] = (steps[name] ?? 0) + elapsed;
    },
  });
  await untilAnswering(stack);
  const ms = performance.now() - started;
  await stack.stop();
  return { ms, kind: stack.databaseStart, steps };
}

const show = (start: Start) =>
  `${start.kind}: ${Object.entries(start.steps)
    .map(([name, ms]) => `${name} ${Math.round(ms)}`)
    .join(', ')}`;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const seconds = (values: number[]) =>
  `median ${(median(values) / 1000).toFixed(2)} s  (runs: ${values.map((v) => (v / 1000).toFixed(2)).join(', ')})`;
const millis = (values: number[]) =>
  `median ${Math.round(median(values))} ms  (runs: ${values.map((v) => Math.round(v)).join(', ')})`;

const fresh = () => makeStackTempDir('groundwork-bench-');
/**
 * A cold start with the template renames a spare copy of the template's cluster, and one is made
 * again in the background after it (a detached `cp -a`): between a person's stop and next start
 * it is long ready, so each timed start waits for the copies being made to finish first.
 */
const cache = join(workdir, 'node_modules/.cache/groundwork');
async function spareClustersMade() {
  const making = () =>
    readdirSync(cache)
      .filter((entry) => entry.startsWith('database-') && existsSync(join(cache, entry, 'spares')))
      .some((entry) => readdirSync(join(cache, entry, 'spares')).some((name) => name.startsWith('.making-')));
  while (existsSync(cache) && making()) await new Promise((resolve) => setTimeout(resolve, 50));
}
const coldWithout: number[] = [];
const coldWith: number[] = [];
const warm: number[] = [];
let firstStart: Start | undefined;

for (let run = 0; run < runs; run++) {
  const stateDir = fresh();
  try {
    const untemplated = await timeStart(stateDir, false);
    coldWithout.push(untemplated.ms);
    console.log(`run ${run + 1} (ms) ${show(untemplated)}`);
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
  const templated = fresh();
  try {
    await spareClustersMade();
    let cold = await timeStart(templated, true);
    if (cold.kind === 'first') {
      // No template for these migrations yet: this start made it; time the next one.
      firstStart = cold;
      console.log(`        first start, building the template (ms) ${show(cold)}`);
      rmSync(templated, { recursive: true, force: true });
      // The start after the first copies the template (no spare yet) and has one made.
      const copied = fresh();
      console.log(`        second start, copying the template (ms) ${show(await timeStart(copied, true))}`);
      rmSync(copied, { recursive: true, force: true });
      await spareClustersMade();
      const coldDir = fresh();
      cold = await timeStart(coldDir, true);
      rmSync(coldDir, { recursive: true, force: true });
    }
    coldWith.push(cold.ms);
    const again = await timeStart(templated, true);
    warm.push(again.ms);
    console.log(`        ${show(cold)}\n        warm ${show(again)}`);
  } finally {
    rmSync(templated, { recursive: true, force: true });
  }
}

// Reset and per-file copies, on one stack that stays up.
const resets: number[] = [];
const copies: number[] = [];
const copiesServed: number[] = [];
{
  await using stack = await startTestStack({ workdir, databaseTemplate: true, spareDatabases: 1 });
  // Resets a person makes are seconds apart, time enough to make the next spare: wait for it.
  const spareReady = async () => {
    for (;;) {
      const { rows } = await stack.db.query<{ n: number }>(
        `select count(*)::int as n from pg_database where datname like 'groundwork_spare_%'`,
      );
      if ((rows[0]?.n ?? 0) > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const rest = () =>
    fetch(`${stack.apiUrl}/rest/v1/plans?select=id`, {
      headers: { apikey: stack.keys.serviceRoleKey, authorization: `Bearer ${stack.keys.serviceRoleKey}` },
    });
  for (let run = 0; run < Math.max(runs, 5); run++) {
    // A change the reset must undo.
    await stack.db.query(
      `insert into public.plans (id, name, storage_limit_bytes) values ('bench_${run}', 'Bench', 0)`,
    );
    await spareReady();
    const started = performance.now();
    await stack.resetDatabase();
    const answer = await rest();
    const ms = performance.now() - started;
    const plans = (await answer.json()) as { id: string }[];
    if (answer.status !== 200 || plans.some((plan) => plan.id.startsWith('bench_'))) {
      throw new Error(`after the reset REST answered ${answer.status} ${JSON.stringify(plans)}`);
    }
    resets.push(ms);
  }
  for (let run = 0; run < Math.max(runs, 5); run++) {
    await spareReady();
    const started = performance.now();
    await using copy = await startTestDatabase({ dbUrl: stack.status.DB_URL, workdir });
    await untilAnswering(copy);
    copiesServed.push(performance.now() - started);
    copies.push(copy.copyMs);
  }
}

console.log(`\ngroundwork start, reset and per-file databases, this machine (${runs} runs):`);
console.log(`  cold start without the template (migrations + seed): ${seconds(coldWithout)}   target ≤ 3 s`);
console.log(`  cold start with the template:                        ${seconds(coldWith)}   target ≤ 1 s`);
if (firstStart) {
  console.log(
    `  first start for these migrations (builds the template): ${(firstStart.ms / 1000).toFixed(2)} s   (once)`,
  );
}
console.log(`  warm start (existing data folder):                   ${seconds(warm)}   target ≤ 1.5 s`);
console.log(`  reset while running (until REST answers):            ${millis(resets)}   target ≤ 500 ms`);
console.log(`  per-file database, CREATE DATABASE … TEMPLATE:       ${millis(copies)}   target ≤ 100 ms`);
console.log(`  per-file database, copy + its API answering:         ${millis(copiesServed)}   (no target)`);
