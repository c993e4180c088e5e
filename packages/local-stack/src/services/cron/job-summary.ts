import type pg from 'pg';
import { describeJob } from './cron-job.ts';

export interface CronJobSummary {
  jobid: string;
  jobname: string | null;
  schedule: string;
  username: string;
  database: string;
  active: boolean;
  last_status: string | null;
  last_start: Date | null;
  last_message: string | null;
}

/** Every job with its latest run, or `undefined` when pg_cron isn't installed. Needs a superuser (RLS). */
export async function listCronJobs(db: pg.Client | pg.Pool): Promise<CronJobSummary[] | undefined> {
  const { rows } = await db.query<{ present: boolean }>(
    `select to_regclass('cron.job') is not null as present`,
  );
  if (!rows[0]?.present) return undefined;
  return (
    await db.query<CronJobSummary>(
      `select job.jobid::text, job.jobname, job.schedule, job.username, job.database, job.active,
              last.status as last_status, last.start_time as last_start, last.return_message as last_message
         from cron.job
         left join lateral (
           select status, start_time, return_message from cron.job_run_details
            where job_run_details.jobid = job.jobid order by runid desc limit 1
         ) last on true
        order by job.jobid`,
    )
  ).rows;
}

/** What `groundwork status` prints under the URLs and keys. */
export function formatCronJobs(jobs: CronJobSummary[]): string {
  if (jobs.length === 0) return 'Cron jobs: none scheduled\n';
  const lines = jobs.map((job) => {
    const last = job.last_status
      ? `last run ${job.last_start?.toISOString() ?? '?'} ${job.last_status}${job.last_message ? ` (${job.last_message.trim().split('\n')[0]})` : ''}`
      : 'not run yet';
    return `  ${describeJob(job)}  '${job.schedule}'  as ${job.username} in ${job.database}${job.active ? '' : '  inactive'}  ${last}`;
  });
  return `Cron jobs:\n${lines.join('\n')}\n`;
}
