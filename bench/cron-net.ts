/**
 * Supabase Cron and pg_net on the local stack:
 * - schedule lateness of second-interval jobs: how much later than due each run starts
 *   (a '1 second' job is due one second after its previous run started; measured from
 *   consecutive cron.job_run_details.start_time values);
 * - pg_net throughput: requests queued in one transaction until every response is in
 *   net._http_response, to a local receiver that answers at once;
 * - commit→request latency: from sending a one-request transaction to the receiver
 *   seeing the request, one at a time.
 *
 *   npx tsx bench/cron-net.ts [jobs=5] [cronSeconds=20] [requests=5000] [latencySamples=300]
 */
import http from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { cronService, netService } from '@groundwork/local-stack';
import { startTestStack } from '@groundwork/local-stack/testing';

const jobs = Number(process.argv[2] ?? 5);
const cronSeconds = Number(process.argv[3] ?? 20);
const requests = Number(process.argv[4] ?? 5000);
const latencySamples = Number(process.argv[5] ?? 300);
const fixture = new URL('../packages/local-stack/test/cron-net/fixtures/net-project', import.meta.url)
  .pathname;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const verdict = (ok: boolean) => (ok ? 'meets target' : 'MISSES target');

// The receiver: answers every request at once and notes when each arrived.
const arrivals = new Map<string, number>();
let received = 0;
const receiver = http.createServer((request, response) => {
  arrivals.set(request.url ?? '', performance.now());
  received += 1;
  request.resume();
  request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;

console.log(
  `bench/cron-net: ${availableParallelism()} cores, load average ${(loadavg()[0] ?? 0).toFixed(1)} at start (other work on the machine skews figures)`,
);
const stack = await startTestStack({ workdir: fixture, services: [cronService, netService] });
const db = stack.db;
try {
  // Schedule lateness.
  const ids: string[] = [];
  for (let index = 0; index < jobs; index += 1) {
    const { rows } = await db.query<{ jobid: string }>(
      `select cron.schedule($1, '1 second', 'select 1')::text as jobid`,
      [`bench-tick-${index}`],
    );
    ids.push((rows[0] as { jobid: string }).jobid);
  }
  await sleep(cronSeconds * 1000);
  for (let index = 0; index < jobs; index += 1)
    await db.query('select cron.unschedule($1)', [`bench-tick-${index}`]);
  const { rows: runs } = await db.query<{ jobid: string; start_time: Date }>(
    `select jobid::text, start_time from cron.job_run_details where jobid = any($1::bigint[]) and status = 'succeeded' order by runid`,
    [ids],
  );
  const lateness: number[] = [];
  for (const jobid of ids) {
    const starts = runs.filter((run) => run.jobid === jobid).map((run) => run.start_time.getTime());
    for (let index = 1; index < starts.length; index += 1) {
      lateness.push(Math.max(0, (starts[index] as number) - (starts[index - 1] as number) - 1000));
    }
  }
  const lateP99 = percentile(lateness, 99);
  console.log(
    `schedule lateness, ${jobs} '1 second' jobs for ${cronSeconds} s (${lateness.length} runs): ` +
      `p50 ${ms(percentile(lateness, 50))}  p99 ${ms(lateP99)}   target p99 ≤ 100 ms — ${verdict(lateP99 <= 100)}`,
  );

  // Throughput: one transaction queues every request; done when every response is recorded.
  await db.query('truncate net._http_response');
  const before = received;
  const started = performance.now();
  await db.query(
    `select net.http_post($1 || '/bulk/' || n, '{"n": 1}'::jsonb) from generate_series(1, $2) n`,
    [receiverUrl, requests],
  );
  for (;;) {
    const { rows } = await db.query<{ done: number }>('select count(*)::int as done from net._http_response');
    if ((rows[0]?.done ?? 0) >= requests) break;
    await sleep(10);
  }
  const seconds = (performance.now() - started) / 1000;
  const rate = requests / seconds;
  console.log(
    `pg_net throughput: ${requests} requests (${received - before} received) in ${seconds.toFixed(2)} s = ` +
      `${Math.round(rate)} requests/s   target ≥ 1,000 requests/s — ${verdict(rate >= 1000)}`,
  );

  // Commit→request latency, one request per transaction.
  const latency: number[] = [];
  for (let index = 0; index < latencySamples; index += 1) {
    const path = `/latency/${index}`;
    const sent = performance.now();
    await db.query(`select net.http_get($1)`, [`${receiverUrl}${path}`]);
    while (!arrivals.has(path)) await sleep(1);
    latency.push((arrivals.get(path) as number) - sent);
  }
  const latencyP50 = percentile(latency, 50);
  console.log(
    `commit→request latency (${latencySamples} one-request transactions): p50 ${ms(latencyP50)}  p99 ${ms(percentile(latency, 99))}` +
      `   target p50 ≤ 20 ms — ${verdict(latencyP50 <= 20)}`,
  );
} finally {
  await stack.stop();
  receiver.close();
}
console.log(`load average ${(loadavg()[0] ?? 0).toFixed(1)} at end`);
