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
  const { status, processes } = runningStack(at, 'status');
  process.stdout.write(formatStatus(status, format));
  // As `supabase status` names its stopped containers: on stderr, so `-o env > .env` stays clean.
  const stopped = (processes ?? []).filter((entry) => entry.state === 'given-up');
  for (const entry of stopped) {
    process.stderr.write(
      `Stopped service: ${entry.failure ?? `${entry.name} stopped`}; restart groundwork\n`,
    );
  }
  if (format === 'pretty') await printCronJobs(Number(new URL(status.DB_URL).port));
}

/** Scheduled jobs and their last runs, when the project uses pg_cron. */
async function printCronJobs(port: number): Promise<void> {
  // Loaded here: the machine-readable formats need no database client.
  const [{ default: pg }, { formatCronJobs, listCronJobs }] = await Promise.all([
    import('pg'),
    import('../services/cron/job-summary.ts'),
  ]);
  // cron.job shows each role its own jobs only; the status lists everyone's.
  const client = new pg.Client({ connectionString: databaseUrl(port, 'supabase_admin') });
  try {
    await client.connect();
    const jobs = await listCronJobs(client);
    if (jobs) process.stdout.write(`\n${formatCronJobs(jobs)}`);
  } catch (error) {
    print(`\nCron jobs: could not be read (${(error as Error).message})`);
  } finally {
    await client.end().catch(() => {});
  }
}
