import type pg from 'pg';
import type { CronJob } from './cron-job.ts';

/**
 * cron.job_run_details, written as pg_cron writes it: one row per run with the job's
 * pid, database, user and command, its status ('running', then 'succeeded' or 'failed'),
 * the return message and the start and end times.
 */
export interface RunLog {
  started(job: CronJob, pid: number | undefined): Promise<string>;
  finished(runid: string, status: 'succeeded' | 'failed', message: string): Promise<void>;
  /** A run that failed before its command could start (no session for the job's user). */
  failedToStart(job: CronJob, message: string): Promise<void>;
  /** Runs a previous process left unfinished, as pg_cron marks them when it starts. */
  failInterrupted(): Promise<void>;
}

export function createRunLog(db: pg.Pool): RunLog {
  return {
    async started(job, pid) {
      const { rows } = await db.query<{ runid: string }>(
        `insert into cron.job_run_details (jobid, job_pid, database, username, command, status, start_time)
         values ($1, $2, $3, $4, $5, 'running', now())
         returning runid`,
        [job.jobid, pid ?? null, job.database, job.username, job.command],
      );
      return (rows[0] as { runid: string }).runid;
    },
    async finished(runid, status, message) {
      await db.query(
        'update cron.job_run_details set status = $2, return_message = $3, end_time = now() where runid = $1',
        [runid, status, message],
      );
    },
    async failedToStart(job, message) {
      await db.query(
        `insert into cron.job_run_details
           (jobid, database, username, command, status, return_message, start_time, end_time)
         values ($1, $2, $3, $4, 'failed', $5, now(), now())`,
        [job.jobid, job.database, job.username, job.command, message],
      );
    },
    async failInterrupted() {
      await db.query(
        `update cron.job_run_details set status = 'failed', return_message = 'server restarted'
          where status in ('starting', 'running', 'connecting', 'sending')`,
      );
    },
  };
}
