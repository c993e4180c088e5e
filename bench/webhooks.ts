/**
 * Outbound webhooks on the local stack (the repo's own supabase/ project: migrations, seed,
 * the webhook-dispatch function on real Deno, pg_net, pg_cron), to a receiver in this process
 * that answers 200 at once:
 * - commit→delivery latency: one comment per transaction, one at a time, from the commit's
 *   acknowledgement to the signed request reaching the receiver (target p50 ≤ 50 ms);
 * - sustained deliveries/s: a backlog committed while the endpoint is paused, from letting it go
 *   to the last delivery (target ≥ 1,000/s); the rate of writing events is printed beside it;
 * - memory over a 100k-event burst written in 5,000-event transactions while deliveries run:
 *   proportional set size of the stack's Node process, the dispatcher's Deno process and all of
 *   Postgres' processes, sampled each second (target: flat — the backlog waits in the outbox,
 *   the dispatcher holds a few batches).
 *
 *   npm run bench:webhooks [-- latencySamples=200] [throughputEvents=20000] [burstEvents=100000]
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestStack } from '@groundwork/local-stack/testing';

const latencySamples = Number(process.argv[2] ?? 200);
const throughputEvents = Number(process.argv[3] ?? 20_000);
const burstEvents = Number(process.argv[4] ?? 100_000);
const workdir = new URL('..', import.meta.url).pathname;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const verdict = (ok: boolean) => (ok ? 'meets target' : 'MISSES target');
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

// The receiver: notes when each comment's delivery arrived (the comment body names it).
const arrivals = new Map<string, number>();
let received = 0;
const receiver = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    received += 1;
    const tag = /"body": ?"([^"]+)"/.exec(Buffer.concat(chunks).toString('utf8'))?.[1];
    if (tag) arrivals.set(tag, performance.now());
    response.writeHead(200).end('ok');
  });
});
receiver.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;

/** The PSS figures of one process's smaps_rollup, in KB (Linux only; zeros elsewhere). */
interface Pss {
  total: number;
  /** Private memory: heap, work_mem, after-trigger queues, caches. */
  anon: number;
  /** Shared memory: for Postgres, its shared buffers and WAL buffers (a fixed-size cache). */
  shmem: number;
}

/**
 * Proportional set size (PSS) of one process: shared pages (Postgres' shared buffers, mapped by
 * every backend) are divided among the processes mapping them, so a sum over many backends
 * doesn't count them once per backend as RSS would.
 */
function pssOf(pid: number, rssKb: number): Pss {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
    return { total: field('Pss') || rssKb, anon: field('Pss_Anon'), shmem: field('Pss_Shmem') };
  } catch {
    return { total: rssKb, anon: 0, shmem: 0 }; // not Linux, or the process just ended
  }
}

const POSTGRES_PRIVATE = 'postgres private';
const POSTGRES_SHARED = 'postgres shared memory';

function memoryByCommand(): Record<string, number> {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,comm='], { encoding: 'utf8' });
  const rows = table
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid, rss, comm]) => ({
      pid: Number(pid),
      ppid: Number(ppid),
      rss: Number(rss),
      comm: comm ?? '',
    }));
  const tree = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of rows) {
      if (!tree.has(row.pid) && tree.has(row.ppid)) {
        tree.add(row.pid);
        grew = true;
      }
    }
  }
  const totals: Record<string, number> = {};
  const add = (name: string, kb: number) => {
    totals[name] = (totals[name] ?? 0) + kb;
  };
  for (const row of rows) {
    if (!tree.has(row.pid)) continue;
    const pss = pssOf(row.pid, row.rss);
    if (row.comm.startsWith('postgres')) {
      add('postgres', pss.total);
      add(POSTGRES_PRIVATE, pss.anon);
      add(POSTGRES_SHARED, pss.shmem);
    } else {
      add(row.pid === process.pid ? 'node (stack + bench)' : row.comm, pss.total);
    }
  }
  return totals;
}

console.log(
  `bench/webhooks: ${availableParallelism()} cores, load average ${(loadavg()[0] ?? 0).toFixed(1)} at start (other work on the machine skews figures)`,
);
await using stack = await startTestStack({ workdir });
const db = stack.db;

// A workspace with one endpoint for comment.created, made as its owner through the RPC.
const owner = randomUUID();
await db.query(
  `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
     raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
   values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2, '', now(),
     '{"provider":"email"}', '{"display_name":"Bench"}', now(), now())`,
  [owner, `bench-${owner}@example.test`],
);
await db.query('begin');
await db.query('set local role authenticated');
await db.query(`select set_config('request.jwt.claims', $1, true)`, [
  JSON.stringify({ sub: owner, role: 'authenticated' }),
]);
const { rows: ws } = await db.query(`select id from public.create_workspace('Bench', $1)`, [
  `bench-${owner.slice(0, 8)}`,
]);
const workspaceId = ws[0].id as string;
await db.query(`insert into public.projects (workspace_id, name, key) values ($1, 'Bench', 'BEN')`, [
  workspaceId,
]);
await db.query(
  `insert into public.tasks (project_id, title) select id, 'Bench task' from public.projects where workspace_id = $1`,
  [workspaceId],
);
await db.query(`select public.create_webhook_endpoint($1, $2, '', '{comment.created}')`, [
  workspaceId,
  receiverUrl,
]);
await db.query('commit');
const { rows: task } = await db.query('select id from public.tasks where workspace_id = $1', [workspaceId]);
const taskId = task[0].id as string;
// Plain inserts as the database owner: the triggers (outbox, kick) are the same for any writer.
const insertComments = (from: number, count: number, prefix: string) =>
  db.query(
    `insert into public.comments (task_id, author_id, body)
     select $1, $2, $3 || n from generate_series($4::int, $4::int + $5::int - 1) as n`,
    [taskId, owner, prefix, from, count],
  );

async function waitForArrivals(total: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (received < total) {
    if (Date.now() > deadline) throw new Error(`only ${received} of ${total} deliveries arrived`);
    await sleep(5);
  }
}

// Warm-up: the dispatcher's Deno process starts on its first request.
await insertComments(0, 20, 'warm-');
await waitForArrivals(20, 60_000);

// 1. commit→delivery latency, one event at a time.
const latencies: number[] = [];
for (let index = 0; index < latencySamples; index += 1) {
  const tag = `lat-${index}`;
  await insertComments(0, 1, tag);
  const committed = performance.now();
  const before = received;
  await waitForArrivals(before + 1, 30_000);
  latencies.push((arrivals.get(`${tag}0`) ?? Number.NaN) - committed);
}
const p50 = percentile(latencies, 50);
const p99 = percentile(latencies, 99);
console.log(`commit→delivery latency (${latencySamples} one-event transactions, one at a time):`);
console.log(
  `  p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms   (target p50 ≤ 50 ms) ${verdict(p50 <= 50)}`,
);

// 2. sustained deliveries/s: a backlog committed while the endpoint is paused, then let go, so
// the figure is the dispatcher's rate, not the rate at which this one connection writes events.
{
  const base = received;
  const writeStart = performance.now();
  await db.query('begin');
  for (let from = 0; from < throughputEvents; from += 5000) {
    await insertComments(from, Math.min(5000, throughputEvents - from), 'tp-');
  }
  await db.query('update public.webhook_endpoints set enabled = false where workspace_id = $1', [
    workspaceId,
  ]);
  await db.query('commit');
  const writeSeconds = (performance.now() - writeStart) / 1000;
  const start = performance.now();
  await db.query('update public.webhook_endpoints set enabled = true where workspace_id = $1', [workspaceId]);
  await db.query('select private.kick_webhook_dispatcher()');
  await waitForArrivals(base + throughputEvents, 600_000);
  const seconds = (performance.now() - start) / 1000;
  const rate = throughputEvents / seconds;
  console.log(`sustained deliveries (a backlog of ${throughputEvents} events, one endpoint):`);
  console.log(
    `  ${rate.toFixed(0)} deliveries/s over ${seconds.toFixed(1)} s   (target ≥ 1,000/s) ${verdict(rate >= 1000)}`,
  );
  console.log(
    `  (writing them: ${(throughputEvents / writeSeconds).toFixed(0)} events/s through the comment triggers, outbox included)`,
  );
}

// 3. memory over a 100k-event burst.
{
  const samples: Record<string, number>[] = [memoryByCommand()];
  const sampler = setInterval(() => samples.push(memoryByCommand()), 1000);
  const start = performance.now();
  const base = received;
  for (let from = 0; from < burstEvents; from += 5000) await insertComments(from, 5000, 'burst-');
  await waitForArrivals(base + burstEvents, 1_800_000);
  clearInterval(sampler);
  samples.push(memoryByCommand());
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `memory over a ${burstEvents}-event burst (${seconds.toFixed(1)} s, ${(burstEvents / seconds).toFixed(0)} deliveries/s), PSS start / peak / end:`,
  );
  const names = Object.keys(samples[0] ?? {}).filter((name) => !name.startsWith('ps'));
  // Postgres' shared memory is a cache of fixed size: pages of it touched for the first time
  // raise PSS up to that size, which is warming, not growth. Its total is shown; what is judged
  // is its private memory (flat) and its shared memory (within the configured size).
  const { rows: shm } = await db.query<{ kb: string }>(
    `select (pg_size_bytes(current_setting('shared_buffers')) + pg_size_bytes(current_setting('wal_buffers'))) / 1024 as kb`,
  );
  const sharedLimit = Number(shm[0]?.kb ?? 0) + 16 * 1024; // + the lock and proc tables, clog, etc.
  let flat = true;
  for (const name of names) {
    const series = samples.map((sample) => sample[name] ?? 0);
    const first = series[0] ?? 0;
    const peak = Math.max(...series);
    const last = series.at(-1) ?? 0;
    let note: string;
    if (name === 'esbuild') note = '(tooling, not judged: tsx compiling this script)';
    else if (name === 'postgres') note = '(shared buffers warming inside: judged on the next two lines)';
    else if (name === POSTGRES_SHARED) {
      const ok = peak <= sharedLimit;
      flat &&= ok;
      note = `${ok ? 'within' : 'ABOVE'} shared_buffers + wal_buffers + 16 MB (${mb(sharedLimit)})`;
    } else {
      // "Flat": the peak stays within 100 MB of where it started (nothing grows with the backlog).
      const ok = peak - first <= 100 * 1024;
      flat &&= ok;
      note = ok ? 'flat' : 'GROWS';
    }
    console.log(`  ${name.padEnd(22)} ${mb(first)} / ${mb(peak)} / ${mb(last)}   ${note}`);
    // The shape over time (tenths of the run), to tell a plateau from a climb.
    const tenths = Array.from(
      { length: 11 },
      (_, i) => series[Math.round((i * (series.length - 1)) / 10)] ?? 0,
    );
    console.log(`  ${''.padEnd(22)} ${tenths.map((kb) => (kb / 1024).toFixed(0)).join(' ')}`);
  }
  console.log(`  (target: flat, peak within 100 MB of the start) ${verdict(flat)}`);
}
receiver.closeAllConnections();
receiver.close();
