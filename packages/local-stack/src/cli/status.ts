import { databaseUrl } from '../processes/database-url.ts';
import { formatStatus, type StatusFormat } from '../status.ts';
import { print } from './print.ts';
import { runningStack } from './running-stack.ts';

/**
 * `groundwork status`: what the running stack wrote when it became ready, in `supabase status -o`'s
 * formats. The human-readable form also lists scheduled jobs when the project uses pg_cron. A
 * process supervision gave up on (it crashed 6 times in a minute) is named as stopped.
 */
export async function statusCommand(at: { stateDir: string }, format: StatusFormat): Promise<void> {
  const { status, processes, dataDir } = runningStack(at, 'status');
  process.stdout.write(formatStatus(status, format));
  // As `supabase status` names its stopped containers: on stderr, so `-o env > .env` stays clean.
  const stopped = (processes ?? []).filter((entry) => entry.state === 'given-up');
  for (const entry of stopped) {
    process.stderr.write(
      `Stopped service: ${entry.failure ?? `${entry.name} stopped`}; restart groundwork\n`,
    );
  }
  if (format === 'pretty') await printCronJobs(Number(new URL(status.DB_URL).port), dataDir);
}

/** Scheduled jobs and their last runs, when the project uses pg_cron. */
async function printCronJobs(port: number, dataDir: string): Promise<void> {
  // Loaded here: the machine-readable formats need no database client.
  const [{ default: pg }, { formatCronJobs, listCronJobs }, { socketDirFor }] = await Promise.all([
    importPg(),
    import('../services/cron/job-summary.ts'),
    import('../processes/data-dir.ts'),
  ]);
  // cron.job shows each role its own jobs only; the status lists everyone's. Through the
  // cluster's Unix socket, where local connections are trusted (as the stack's own cron
  // scheduler connects): no password exchange (SCRAM's key derivation) for one query. Over TCP
  // when the socket is not where this process looks (another TMPDIR than the stack's).
  const admin = { port, user: 'supabase_admin', database: 'postgres' };
  let client = new pg.Client({ ...admin, host: socketDirFor(dataDir) });
  try {
    await client.connect().catch(async () => {
      client = new pg.Client({ connectionString: databaseUrl(port, 'supabase_admin') });
      await client.connect();
    });
    const jobs = await listCronJobs(client);
    if (jobs) process.stdout.write(`\n${formatCronJobs(jobs)}`);
  } catch (error) {
    print(`\nCron jobs: could not be read (${(error as Error).message})`);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * pg checks as it loads whether it runs in a Cloudflare Worker. On Node 20, which has no global
 * `navigator` (Node 21 and later have one), it does so by making a `Response`, which loads
 * undici: some 35 ms of CPU, half of what loading pg costs this command. For that one check pg
 * sees the `navigator` a later Node would show; it is gone again once pg has loaded.
 */
async function importPg(): Promise<typeof import('pg')> {
  if ('navigator' in globalThis) return import('pg');
  const major = process.versions.node.split('.')[0];
  Object.defineProperty(globalThis, 'navigator', {
    value: { userAgent: `Node.js/${major}` },
    configurable: true,
  });
  try {
    return await import('pg');
  } finally {
    Reflect.deleteProperty(globalThis, 'navigator');
  }
}
