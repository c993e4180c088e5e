/**
 * Edge functions through the gateway, on real Deno: cold start (first request after a
 * function's files changed, so Deno must load it again) and warm latency, for a trivial
 * function and for one that imports supabase-js and zod. Deno's npm cache must be warm
 * (run the functions tests once first). Runs once with the runtime's
 * idle spare processes (the default) and once without, so both figures are visible.
 *
 *   npx tsx bench/functions.ts [coldRuns=10] [warmRequests=1000]
 */
import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionsService } from '@groundwork/local-stack';
import { startTestStack } from '@groundwork/local-stack/testing';

const coldRuns = Number(process.argv[2] ?? 10);
const warmRequests = Number(process.argv[3] ?? 1000);
const fixture = new URL('../packages/local-stack/test/fixtures/functions-project', import.meta.url).pathname;
const FUNCTIONS = ['hello', 'supabase-and-zod'];

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const format = (ms: number) => `${ms.toFixed(2)} ms`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(keepSpares: boolean) {
  const workdir = mkdtempSync(join(tmpdir(), 'groundwork-bench-functions-'));
  cpSync(fixture, workdir, { recursive: true });
  // Only the two measured functions, as in a small project (the fixture has a dozen).
  const functionsDir = join(workdir, 'supabase', 'functions');
  for (const entry of readdirSync(functionsDir)) {
    if (!FUNCTIONS.includes(entry) && !entry.startsWith('_'))
      rmSync(join(functionsDir, entry), { recursive: true });
  }
  const stack = await startTestStack({ workdir, services: [functionsService({ keepSpares })] });
  const headers = { authorization: `Bearer ${stack.keys.anonKey}` };
  const call = async (name: string) => {
    const started = performance.now();
    const response = await fetch(`${stack.apiUrl}/functions/v1/${name}`, { headers });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${name} answered ${response.status}`);
    return performance.now() - started;
  };
  try {
    console.log(
      `\n${keepSpares ? 'with idle spare processes (default)' : 'without spares (Deno starts on the first request)'}`,
    );
    // The first request after `groundwork start`, sent a moment after start as a user would.
    await sleep(3_000);
    const first: string[] = [];
    for (const name of FUNCTIONS) first.push(`${name} ${format(await call(name))}`);
    console.log(`  first request after start: ${first.join(', ')}`);
    for (const name of FUNCTIONS) {
      const cold: number[] = [];
      for (let index = 0; index < coldRuns; index += 1) {
        // An edit reloads the function; the wait lets the reload (and a spare) settle, as between edits.
        appendFileSync(join(workdir, 'supabase', 'functions', name, 'index.ts'), `\n// edit ${index}\n`);
        await sleep(1_500);
        cold.push(await call(name));
      }
      for (let index = 0; index < 50; index += 1) await call(name);
      const warm: number[] = [];
      for (let index = 0; index < warmRequests; index += 1) warm.push(await call(name));
      console.log(
        `  ${name.padEnd(17)} cold p50 ${format(percentile(cold, 50))}  max ${format(Math.max(...cold))}` +
          `   warm p50 ${format(percentile(warm, 50))}  p99 ${format(percentile(warm, 99))}  (${coldRuns} cold, ${warmRequests} warm)`,
      );
    }
  } finally {
    await stack.stop();
    rmSync(workdir, { recursive: true, force: true });
  }
}

console.log(
  `bench/functions: ${availableParallelism()} cores, load average ${(loadavg()[0] ?? 0).toFixed(1)} at start (other work on the machine skews figures)`,
);
await run(true);
await run(false);
console.log(`load average ${(loadavg()[0] ?? 0).toFixed(1)} at end`);
