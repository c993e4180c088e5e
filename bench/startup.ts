/**
 * Cold and warm start of the whole local stack for this repo's supabase/ project.
 * Cold: a fresh data folder (initdb, bootstrap, every migration by the real CLI, seed).
 * Warm: the same data folder again. "Up" means every service answers through the gateway.
 *
 *   npx tsx bench/startup.ts [runs=3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestStack, type TestStack } from '@groundwork/local-stack/testing';

const runs = Number(process.argv[2] ?? 3);
const workdir = new URL('..', import.meta.url).pathname;

async function untilAnswering(stack: TestStack) {
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

async function timeStart(stateDir: string): Promise<{ ms: number; steps: Record<string, number> }> {
  const steps: Record<string, number> = {};
  const started = performance.now();
  const stack = await startTestStack({
    workdir,
    stateDir,
    onStep: (name, elapsed) => {
      steps[name] = (steps[name] ?? 0) + elapsed;
    },
  });
  await untilAnswering(stack);
  const ms = performance.now() - started;
  await stack.stop();
  return { ms, steps };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const cold: number[] = [];
const warm: number[] = [];
for (let run = 0; run < runs; run++) {
  const stateDir = mkdtempSync(join(tmpdir(), 'groundwork-bench-'));
  try {
    const coldRun = await timeStart(stateDir);
    const warmRun = await timeStart(stateDir);
    cold.push(coldRun.ms);
    warm.push(warmRun.ms);
    const show = (steps: Record<string, number>) =>
      Object.entries(steps)
        .map(([name, ms]) => `${name} ${Math.round(ms)}`)
        .join(', ');
    console.log(
      `run ${run + 1} steps (ms): cold: ${show(coldRun.steps)}\n              warm: ${show(warmRun.steps)}`,
    );
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}
const format = (values: number[]) =>
  `median ${(median(values) / 1000).toFixed(2)} s  (runs: ${values.map((v) => (v / 1000).toFixed(2)).join(', ')})`;
console.log(`groundwork start, ${runs} runs, this machine:`);
console.log(`  cold start (fresh data folder, migrations + seed): ${format(cold)}   target ≤ 3 s`);
console.log(`  warm start (existing data folder):                 ${format(warm)}   target ≤ 1.5 s`);
