import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { startTestStack, type TestStack } from '../../src/testing/index.ts';

const fixture = new URL('./fixtures/cron-project', import.meta.url).pathname;
const logLines: string[] = [];
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    workdir: fixture,
    log: createLogger('stack', (line) => logLines.push(line)),
  });
});
afterAll(() => stack?.stop());

const query = async <Row extends pg.QueryResultRow>(sql: string, values: unknown[] = []) =>
  (await stack.db.query<Row>(sql, values)).rows;

interface Run {
  status: string;
  return_message: string | null;
  start_time: Date | null;
  end_time: Date | null;
  username: string;
  database: string;
}

const runsOf = (jobid: string) =>
  query<Run>(
    `select status, return_message, start_time, end_time, username, database
       from cron.job_run_details where jobid = $1 order by runid`,
    [jobid],
  );

const finishedRuns = async (jobid: string) =>
  (await runsOf(jobid)).filter((run) => run.status === 'succeeded' || run.status === 'failed');

async function schedule(sql: string, values: unknown[] = []): Promise<string> {
  const [row] = await query<{ jobid: string }>(`select ${sql} as jobid`, values);
  return (row as { jobid: string }).jobid;
}

/** As the superuser: only a superuser schedules a job for another role, on hosted as here. */
async function asSuperuser<Row extends pg.QueryResultRow>(
  sql: string,
  values: unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: stack.postgres.url('supabase_admin') });
  await client.connect();
  try {
    return (await client.query<Row>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** A session acting as `role`, as PostgREST or a migration's SET ROLE would. */
async function asRole<T>(role: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await stack.db.connect();
  try {
    await client.query(`set role ${role}`);
    return await work(client);
  } finally {
    await client.query('reset role').catch(() => {});
    client.release();
  }
}

describe('Supabase Cron (pg_cron) on the local stack', () => {
  it("runs a migration written as Supabase's docs write it: the edge function is called on schedule with the service key from Vault, every run in cron.job_run_details", async () => {
    await expect
      .poll(
        async () =>
          (
            await query<{ calls: number }>(
              `select count(*)::int as calls from net._http_response
                where status_code = 200 and (content::jsonb ->> 'with_service_key')::boolean`,
            )
          )[0]?.calls,
        { timeout: 30_000, interval: 200 },
      )
      .toBeGreaterThanOrEqual(2);
    const [job] = await query<{ jobid: string; username: string; database: string }>(
      `select jobid::text, username, database from cron.job where jobname = 'invoke-cron-target-every-2-seconds'`,
    );
    expect(job).toMatchObject({ username: 'postgres', database: 'postgres' });
    const runs = await finishedRuns((job as { jobid: string }).jobid);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const run of runs.slice(0, 2)) {
      expect(run).toMatchObject({ status: 'succeeded', return_message: '1 row', username: 'postgres' });
    }
    // An interval job is due N seconds after its previous run started, never sooner.
    const starts = runs.map((run) => (run.start_time as Date).getTime());
    for (let index = 1; index < starts.length; index += 1) {
      expect((starts[index] as number) - (starts[index - 1] as number)).toBeGreaterThanOrEqual(1_900);
    }
  });

  it('records a failing run with its error, logs one line naming the job, and keeps the schedule', async () => {
    const jobid = await schedule(`cron.schedule('divides-by-zero', '1 second', 'select 1/0')`);
    await expect
      .poll(async () => (await finishedRuns(jobid)).length, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(2);
    for (const run of (await finishedRuns(jobid)).slice(0, 2)) {
      expect(run).toMatchObject({ status: 'failed', return_message: 'ERROR:  division by zero\n' });
      expect(run.end_time).not.toBeNull();
    }
    expect(await query(`select active from cron.job where jobid = $1`, [jobid])).toEqual([{ active: true }]);
    const lines = logLines.filter((line) => line.includes(`job ${jobid} (divides-by-zero) failed:`));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/warn: job \d+ \(divides-by-zero\) failed: ERROR: {2}division by zero$/);
    await query(`select cron.unschedule('divides-by-zero')`);
  });

  it('runs a job in a new session as the role that scheduled it, in its database, and shows it only its own jobs', async () => {
    await query(`create role cron_reporter login`);
    // postgres may administer the roles it creates; to SET ROLE to one it grants itself it (PostgreSQL 16+).
    await query(`grant cron_reporter to postgres`);
    await query(`grant usage on schema cron to cron_reporter`);
    await query(`grant insert on public.job_identity to cron_reporter`);
    const jobid = await asRole('cron_reporter', async (client) => {
      const { rows } = await client.query<{ jobid: string }>(
        `select cron.schedule('as-reporter', '1 second', $$
           insert into public.job_identity (job, session_user_name, current_user_name, is_superuser, database_name)
           select 'as-reporter', session_user, current_user,
                  (select rolsuper from pg_roles where rolname = session_user), current_database()
         $$) as jobid`,
      );
      const visible = await client.query<{ jobname: string }>('select jobname from cron.job');
      expect(visible.rows).toEqual([{ jobname: 'as-reporter' }]);
      return (rows[0] as { jobid: string }).jobid;
    });
    await expect
      .poll(
        () =>
          query(
            `select session_user_name, current_user_name, is_superuser, database_name from public.job_identity where job = 'as-reporter'`,
          ),
        { timeout: 15_000 },
      )
      .toContainEqual({
        session_user_name: 'cron_reporter',
        current_user_name: 'cron_reporter',
        is_superuser: false,
        database_name: 'postgres',
      });
    expect(await query(`select username from cron.job where jobid = $1`, [jobid])).toEqual([
      { username: 'cron_reporter' },
    ]);

    // Another database, through schedule_in_database (granted to postgres, as on hosted).
    await query('create database reports');
    const elsewhere = await schedule(
      `cron.schedule_in_database('in-reports', '1 second', 'select current_database()', 'reports')`,
    );
    await expect
      .poll(async () => (await finishedRuns(elsewhere))[0], { timeout: 15_000 })
      .toMatchObject({
        status: 'succeeded',
        database: 'reports',
        return_message: '1 row',
      });

    // Someone else's jobs: not theirs to change.
    const [docsJob] = await query<{ jobid: string }>(
      `select jobid::text from cron.job where jobname = 'invoke-cron-target-every-2-seconds'`,
    );
    await asRole('cron_reporter', async (client) => {
      await expect(
        client.query(`select cron.unschedule('invoke-cron-target-every-2-seconds')`),
      ).rejects.toThrow("could not find valid entry for job 'invoke-cron-target-every-2-seconds'");
      await expect(client.query('select cron.unschedule($1::bigint)', [docsJob?.jobid])).rejects.toThrow(
        'permission denied for table job',
      );
      await expect(
        client.query('select cron.alter_job($1, active := false)', [docsJob?.jobid]),
      ).rejects.toThrow('permission denied for function alter_job');
      expect((await client.query(`select cron.unschedule('as-reporter') as done`)).rows).toEqual([
        { done: true },
      ]);
    });
    await query(`select cron.unschedule('in-reports')`);
  });

  it('records a run whose role cannot log in as failed with "connection failed", naming the cause in the log', async () => {
    await query('create role cron_no_login nologin');
    const [scheduled] = await asSuperuser<{ jobid: string }>(
      `select cron.schedule_in_database('cannot-log-in', '1 second', 'select 1', 'postgres', 'cron_no_login') as jobid`,
    );
    const jobid = (scheduled as { jobid: string }).jobid;
    await expect
      .poll(async () => (await finishedRuns(jobid))[0], { timeout: 15_000 })
      .toMatchObject({
        status: 'failed',
        return_message: 'connection failed',
        username: 'cron_no_login',
      });
    expect(
      logLines.some((line) => line.includes(`job ${jobid} (cannot-log-in) failed: connection failed (`)),
    ).toBe(true);
    await asSuperuser(`select cron.unschedule($1::bigint)`, [jobid]);
  });

  it('runs a slow job at most once at a time: the run due meanwhile starts when the previous one ends', async () => {
    const jobid = await schedule(`cron.schedule('slow', '1 second', 'select pg_sleep(1.6)')`);
    await expect
      .poll(async () => (await finishedRuns(jobid)).length, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(3);
    await query(`select cron.unschedule('slow')`);
    const runs = await runsOf(jobid);
    for (let index = 1; index < runs.length; index += 1) {
      const previous = runs[index - 1] as Run;
      const run = runs[index] as Run;
      expect((run.start_time as Date).getTime()).toBeGreaterThanOrEqual(
        (previous.end_time as Date).getTime(),
      );
    }
  });

  it('validates schedules as pg_cron does and manages jobs by name: replace, deactivate, unschedule', async () => {
    for (const invalid of ['61 * * * *', '60 seconds', '* * * *', '5/10 * * * *', 'every minute']) {
      await expect(query(`select cron.schedule('bad', $1, 'select 1')`, [invalid])).rejects.toMatchObject({
        message: `invalid schedule: ${invalid}`,
        hint: "Use cron format (e.g. 5 4 * * *), or interval format '[1-59] seconds'",
      });
    }
    for (const valid of ['0 0 $ * *', '*/5 9-17 * jan-jun mon-fri', '@hourly', '30 seconds', '0 12 * * 7']) {
      expect(await schedule(`cron.schedule('valid-schedule', $1, 'select 1')`, [valid])).toMatch(/^\d+$/);
    }
    // The same name again replaces the job's schedule and command.
    const first = await schedule(`cron.schedule('ticker', '1 second', 'select 1')`);
    const again = await schedule(`cron.schedule('ticker', '1 second', 'select 2')`);
    expect(again).toBe(first);
    expect(await query(`select command from cron.job where jobid = $1`, [first])).toEqual([
      { command: 'select 2' },
    ]);

    // Deactivated: no run starts after the change commits, while another job keeps running (the sentinel).
    await expect
      .poll(async () => (await finishedRuns(first)).length, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(1);
    await query(`select cron.alter_job($1, active := false)`, [first]);
    const [{ deactivated } = { deactivated: new Date() }] = await query<{ deactivated: Date }>(
      'select now() as deactivated',
    );
    const sentinel = await schedule(`cron.schedule('sentinel', '1 second', 'select 1')`);
    await expect
      .poll(async () => (await finishedRuns(sentinel)).length, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(2);
    const startedAfter = (await runsOf(first)).filter((run) => (run.start_time as Date) > deactivated);
    expect(startedAfter).toEqual([]);

    expect(await query(`select cron.unschedule('ticker') as done`)).toEqual([{ done: true }]);
    await expect(query(`select cron.unschedule('ticker')`)).rejects.toThrow(
      "could not find valid entry for job 'ticker'",
    );
    await query(`select cron.unschedule('sentinel'), cron.unschedule('valid-schedule')`);
  });
});
