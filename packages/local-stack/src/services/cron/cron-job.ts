/** A row of cron.job, as the scheduler reads it. */
export interface CronJob {
  jobid: string;
  jobname: string | null;
  schedule: string;
  command: string;
  database: string;
  username: string;
  active: boolean;
}

/** "job 3 (nightly-vacuum)": how log lines name a job. */
export function describeJob(job: Pick<CronJob, 'jobid' | 'jobname'>): string {
  return job.jobname ? `job ${job.jobid} (${job.jobname})` : `job ${job.jobid}`;
}
