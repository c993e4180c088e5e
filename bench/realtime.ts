/**
 * Realtime postgres_changes with RLS: commit-to-event latency (p50/p99) with 100
 * subscribers and the sustained change rate fanned out to them.
 *
 * Setup: this repo's supabase/ project on a fresh stack; 100 users, all members of one
 * workspace; each user subscribes with realtime-js to the `tasks` of one project
 * (`project_id=eq.<id>`), so every change is authorized by the tasks SELECT policy
 * for each of the 100 distinct JWTs. Subscribers run in a child process so the
 * server's event loop isn't also decoding 100 sockets' traffic.
 *
 *   npx tsx bench/realtime.ts [subscribers=100] [latencySeconds=10] [throughputSeconds=10]
 *
 * Latency phase: one task update every 20 ms (50 changes/s). Latency = receive time
 * minus the payload's commit_timestamp (Postgres' clock, same machine).
 * Throughput phase: two writers insert 20 rows per transaction, as fast as they can,
 * into a lean table with the same RLS policy as tasks (so the tasks triggers don't cap
 * the write rate); reported is the rate of changes every subscriber received.
 */
import { fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { realtimeService } from '@groundwork/local-stack';
import { mintUserToken, startTestStack } from '@groundwork/local-stack/testing';
import { createClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';

type ToChild = { apiUrl: string; anonKey: string; tokens: string[]; projectId: string };
type FromChild =
  | { kind: 'ready' }
  | {
      kind: 'report';
      latencies: number[];
      received: number[];
      firstAt: number;
      lastAt: number;
      /** CPU seconds the subscribers' process spent since 'start'. */
      cpuSeconds: number;
    };

// Throughput phase: rows per UPDATE statement (one transaction), so the writer isn't the bottleneck.
const ROWS_PER_TRANSACTION = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

// ---- subscriber process -----------------------------------------------------------------

async function runSubscribers() {
  let latencies: number[] = [];
  let received: number[] = [];
  let firstAt = 0;
  let lastAt = 0;
  let recording = false; // nothing counts until the first 'start'
  let cpuAtStart = process.cpuUsage();
  process.on('message', async (message: ToChild | { kind: 'start' | 'report' | 'quit' }) => {
    if ('kind' in message) {
      if (message.kind === 'start') {
        latencies = [];
        received = received.map(() => 0);
        firstAt = 0;
        lastAt = 0;
        recording = true;
        cpuAtStart = process.cpuUsage();
      } else if (message.kind === 'report') {
        const cpu = process.cpuUsage(cpuAtStart);
        const cpuSeconds = (cpu.user + cpu.system) / 1e6;
        process.send?.({
          kind: 'report',
          latencies,
          received,
          firstAt,
          lastAt,
          cpuSeconds,
        } satisfies FromChild);
      } else {
        process.exit(0);
      }
      return;
    }
    const { apiUrl, anonKey, tokens, projectId } = message;
    received = tokens.map(() => 0);
    await Promise.all(
      tokens.map(async (token, index) => {
        const client = createClient(apiUrl, anonKey, {
          auth: { persistSession: false, autoRefreshToken: false },
          accessToken: async () => token,
          realtime: { transport: WebSocket as never },
        });
        await client.realtime.setAuth();
        await new Promise<void>((resolve, reject) => {
          client
            .channel(`board-${index}`)
            .on(
              'postgres_changes',
              { event: 'UPDATE', schema: 'public', table: 'tasks', filter: `project_id=eq.${projectId}` },
              (payload) => {
                if (!recording) return;
                const now = Date.now();
                received[index] = (received[index] ?? 0) + 1;
                latencies.push(now - Date.parse(payload.commit_timestamp));
                if (!firstAt) firstAt = now;
                lastAt = now;
              },
            )
            .on(
              'postgres_changes',
              { event: 'INSERT', schema: 'public', table: 'bench_changes' },
              (payload) => {
                if (!recording) return;
                const now = Date.now();
                received[index] = (received[index] ?? 0) + 1;
                latencies.push(now - Date.parse(payload.commit_timestamp));
                if (!firstAt) firstAt = now;
                lastAt = now;
              },
            )
            .subscribe((status, error) => {
              if (status === 'SUBSCRIBED') resolve();
              else if (status !== 'CLOSED') reject(error ?? new Error(status));
            });
        });
      }),
    );
    process.send?.({ kind: 'ready' } satisfies FromChild);
  });
}

// ---- main process -----------------------------------------------------------------------

async function main() {
  const subscribers = Number(process.argv[2] ?? 100);
  const latencySeconds = Number(process.argv[3] ?? 10);
  const throughputSeconds = Number(process.argv[4] ?? 10);
  const workdir = new URL('..', import.meta.url).pathname;

  const loadBefore = loadavg()[0]?.toFixed(1);
  const stack = await startTestStack({ workdir, services: [realtimeService] });
  const child = fork(new URL(import.meta.url).pathname, ['--subscribers'], {
    execArgv: ['--conditions=@groundwork/source', '--import', 'tsx'],
    stdio: 'inherit',
  });
  const nextMessage = () => new Promise<FromChild>((resolve) => child.once('message', resolve as never));
  try {
    // ---- data: a workspace on an unlimited plan, its members, a project with tasks
    const db = stack.db;
    await db.query(
      `insert into public.plans (id, name, max_members, max_projects, storage_limit_bytes)
       values ('bench', 'Bench', null, null, 0) on conflict do nothing`,
    );
    const ids = Array.from({ length: subscribers }, () => crypto.randomUUID());
    await db.query(
      `insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
       select id, 'authenticated', 'authenticated', 'bench-' || n || '@example.com', '{}', now(), now()
       from unnest($1::uuid[]) with ordinality as u(id, n)`,
      [ids],
    );
    const workspace = await db.query<{ id: string }>(
      `insert into public.workspaces (name, slug, plan) values ('Bench', 'bench', 'bench') returning id`,
    );
    const workspaceId = workspace.rows[0]?.id;
    await db.query(
      `insert into public.workspace_members (workspace_id, user_id, role)
       select $1, id, case when n = 1 then 'owner' else 'member' end::public.workspace_role
       from unnest($2::uuid[]) with ordinality as u(id, n)`,
      [workspaceId, ids],
    );
    const project = await db.query<{ id: string }>(
      `insert into public.projects (workspace_id, name, key) values ($1, 'Board', 'BEN') returning id`,
      [workspaceId],
    );
    const projectId = project.rows[0]?.id as string;
    const tasks = await db.query<{ id: string }>(
      `insert into public.tasks (project_id, workspace_id, title)
       select $1, $2, 'task ' || n from generate_series(1, 200) n returning id`,
      [projectId, workspaceId],
    );
    const taskIds = tasks.rows.map((row) => row.id);
    // The throughput phase writes to a lean table with the same RLS policy as tasks, so
    // what's measured is the fan-out, not the tasks triggers (activity log, search index).
    await db.query(`
      create table public.bench_changes (
        id bigint generated always as identity primary key,
        workspace_id uuid not null,
        n integer not null
      );
      alter table public.bench_changes enable row level security;
      grant select on public.bench_changes to authenticated;
      create policy "Members can read bench changes of their workspaces" on public.bench_changes
        for select to authenticated
        using (workspace_id = any ((select private.current_user_workspace_ids())::uuid[]));
      alter publication supabase_realtime add table public.bench_changes;
    `);

    // ---- subscribers
    const tokens = await Promise.all(
      ids.map((id) => mintUserToken(stack.keys, { id, expiresInSeconds: 3600 })),
    );
    const ready = nextMessage();
    child.send({ apiUrl: stack.apiUrl, anonKey: stack.keys.anonKey, tokens, projectId } satisfies ToChild);
    await ready;
    await sleep(500);

    const writerPool = new pg.Pool({ connectionString: stack.postgres.url(), max: 4 });
    let counter = 0;
    const update = () => {
      counter += 1;
      return writerPool.query('update public.tasks set title = $2 where id = $1', [
        taskIds[counter % taskIds.length],
        `t${counter}`,
      ]);
    };

    // ---- latency at a steady rate
    child.send({ kind: 'start' });
    const latencyEnd = Date.now() + latencySeconds * 1000;
    let written = 0;
    while (Date.now() < latencyEnd) {
      await update();
      written += 1;
      await sleep(20);
    }
    await sleep(1000);
    let reportPromise = nextMessage();
    child.send({ kind: 'report' });
    const latencyReport = (await reportPromise) as Extract<FromChild, { kind: 'report' }>;
    const sorted = [...latencyReport.latencies].sort((a, b) => a - b);
    const expected = written * subscribers;

    // ---- throughput: writers flat out
    child.send({ kind: 'start' });
    const throughputStart = Date.now();
    // CPU the server process spends (realtime service + gateway + the writers' pg client),
    // a figure that holds up better than wall-clock rates on a shared machine.
    const cpuBefore = process.cpuUsage();
    const throughputEnd = throughputStart + throughputSeconds * 1000;
    let committed = 0;
    await Promise.all(
      Array.from({ length: 2 }, async () => {
        while (Date.now() < throughputEnd) {
          await writerPool.query(
            'insert into public.bench_changes (workspace_id, n) select $1, n from generate_series(1, $2) n',
            [workspaceId, ROWS_PER_TRANSACTION],
          );
          committed += ROWS_PER_TRANSACTION;
        }
      }),
    );
    const writeSeconds = (Date.now() - throughputStart) / 1000;
    // Let the pipeline drain, then measure what subscribers got.
    const drainDeadline = Date.now() + 30_000;
    let throughputReport: Extract<FromChild, { kind: 'report' }>;
    for (;;) {
      await sleep(1000);
      reportPromise = nextMessage();
      child.send({ kind: 'report' });
      throughputReport = (await reportPromise) as Extract<FromChild, { kind: 'report' }>;
      const minimum = Math.min(...throughputReport.received);
      if (minimum >= committed || Date.now() > drainDeadline) break;
    }
    const cpu = process.cpuUsage(cpuBefore);
    const serverCpuSeconds = (cpu.user + cpu.system) / 1e6;
    await writerPool.end();
    const deliverSeconds = (throughputReport.lastAt - throughputStart) / 1000;
    const perSubscriberMin = Math.min(...throughputReport.received);
    const totalDelivered = throughputReport.received.reduce((sum, value) => sum + value, 0);

    console.log(
      `\nRealtime postgres_changes, RLS on (tasks policy), ${subscribers} subscribers (distinct users)`,
    );
    console.log(
      `  load average ${loadBefore} before, ${loadavg()[0]?.toFixed(1)} after, ${cpus().length} cores`,
    );
    console.log('latency phase (50 changes/s):');
    console.log(`  changes written           ${written}`);
    console.log(`  events delivered          ${latencyReport.latencies.length} of ${expected}`);
    console.log(`  commit→event p50          ${percentile(sorted, 50)} ms`);
    console.log(`  commit→event p99          ${percentile(sorted, 99)} ms`);
    console.log(`  commit→event max          ${sorted[sorted.length - 1]} ms`);
    console.log(
      `throughput phase (bench_changes, 2 writers, ${ROWS_PER_TRANSACTION} rows per transaction, flat out):`,
    );
    console.log(
      `  changes committed         ${committed} in ${writeSeconds.toFixed(1)} s (${(committed / writeSeconds).toFixed(0)}/s)`,
    );
    console.log(`  every subscriber got      ≥ ${perSubscriberMin} of ${committed}`);
    console.log(`  last event after          ${deliverSeconds.toFixed(1)} s`);
    console.log(
      `  changes/s fanned out      ${(perSubscriberMin / deliverSeconds).toFixed(0)} (to each of ${subscribers} subscribers)`,
    );
    console.log(`  events/s delivered total  ${(totalDelivered / deliverSeconds).toFixed(0)}`);
    console.log(
      `  server CPU                ${serverCpuSeconds.toFixed(1)} s for ${totalDelivered} events (${((serverCpuSeconds * 1e6) / totalDelivered).toFixed(1)} µs/event → ~${(totalDelivered / serverCpuSeconds).toFixed(0)} events/s per core)`,
    );
    console.log(
      `  subscribers' CPU          ${throughputReport.cpuSeconds.toFixed(1)} s (realtime-js decoding in the child process, same 2 cores)`,
    );
  } finally {
    child.send({ kind: 'quit' });
    await stack.stop();
  }
}

if (process.argv.includes('--subscribers')) {
  void runSubscribers();
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
