import type pg from 'pg';
import type { Logger } from '../../logger.ts';
import { type CronJob, describeJob } from './cron-job.ts';
import { describeCommandError, type JobSession, openJobSession, runJobCommand } from './run-command.ts';
import type { RunLog } from './run-log.ts';
import { type JobSchedule, parseSchedule } from './schedule.ts';

/** pg_cron's cron.max_running_jobs default. */
const MAX_RUNNING_JOBS = 32;
/** setTimeout can't wait longer than ~24.8 days; far runs are re-checked at this distance. */
const MAX_TIMER_MS = 60 * 60 * 1000;

interface RunningJob {
  session?: JobSession;
  canceled: boolean;
}

interface Task {
  job: CronJob;
  schedule: JobSchedule | undefined;
  /** Runs due but not started yet (pg_cron's pendingRunCount). */
  pending: number;
  /** When the last run started; an interval job's next run is due an interval later. */
  lastStart: number;
  /** The last cron minute counted as due. */
  cronCursor: Date;
  timer?: NodeJS.Timeout;
  running?: RunningJob;
  removed: boolean;
}

export interface CronSchedulerOptions {
  /** A pool connected as a superuser to the database holding cron.job. */
  admin: pg.Pool;
  runLog: RunLog;
  socket: { dir: string; port: number };
  log: Logger;
}

export interface CronScheduler {
  /** Re-reads cron.job; coalesces calls that arrive while a reload is under way. */
  reload(): void;
  close(): Promise<void>;
}

/**
 * pg_cron's scheduling, outside the database: every active job of cron.job gets a timer;
 * a job runs at most once at a time. An interval job ('N seconds') is due N seconds after
 * its previous run started, its first run N seconds after it was scheduled, and queues at
 * most one run while it is still running (which then starts at once). A cron job counts
 * each matching minute as one more pending run, and pending runs start one after another.
 * '@reboot' jobs run once when the scheduler starts. A failing run is recorded and logged
 * in one line with the job's id, and the job keeps its schedule.
 */
export function startCronScheduler(options: CronSchedulerOptions): CronScheduler {
  const { admin, runLog, log } = options;
  const tasks = new Map<string, Task>();
  let runningCount = 0;
  let closed = false;
  let sawJobTable = false;
  let reloading: Promise<void> | undefined;
  let reloadAgain = false;
  const runs = new Set<Promise<void>>();

  const clearTimer = (task: Task) => {
    if (task.timer) clearTimeout(task.timer);
    task.timer = undefined;
  };

  const arm = (task: Task) => {
    clearTimer(task);
    const { schedule } = task;
    if (closed || task.removed || !task.job.active || !schedule || schedule.kind === 'reboot') return;
    const now = Date.now();
    if (schedule.kind === 'interval') {
      const due = task.lastStart + schedule.seconds * 1000;
      task.timer = setTimeout(() => intervalDue(task), Math.max(0, due - now));
      return;
    }
    const next = schedule.nextAfter(task.cronCursor);
    if (!next) return;
    const wait = next.getTime() - now;
    task.timer =
      wait > MAX_TIMER_MS
        ? setTimeout(() => arm(task), MAX_TIMER_MS)
        : setTimeout(() => cronDue(task, next), wait);
  };

  const intervalDue = (task: Task) => {
    task.timer = undefined;
    // Queued once at most: a slow job starts again right after it ends, then keeps its cadence.
    if (task.pending === 0) task.pending = 1;
    if (!tryStart(task) && !task.running) arm(task);
  };

  const cronDue = (task: Task, minute: Date) => {
    task.cronCursor = minute;
    task.pending += 1;
    tryStart(task);
    arm(task);
  };

  const tryStart = (task: Task): boolean => {
    if (closed || task.removed || task.running || task.pending === 0 || !task.job.active) return false;
    if (runningCount >= MAX_RUNNING_JOBS) return false;
    task.pending -= 1;
    task.lastStart = Date.now();
    if (task.schedule?.kind === 'interval') arm(task);
    const running: RunningJob = { canceled: false };
    task.running = running;
    runningCount += 1;
    const run = execute(task.job, running).finally(() => {
      runningCount -= 1;
      task.running = undefined;
      runs.delete(run);
      if (!closed) for (const candidate of tasks.values()) tryStart(candidate);
    });
    runs.add(run);
    return true;
  };

  const execute = async (job: CronJob, running: RunningJob) => {
    try {
      running.session = await openJobSession(job, options.socket);
    } catch (error) {
      if (closed) return;
      log.warn(`${describeJob(job)} failed: connection failed (${oneLine((error as Error).message)})`);
      await runLog.failedToStart(job, 'connection failed').catch(() => {});
      return;
    }
    const session = running.session;
    try {
      const runid = await runLog.started(job, session.pid);
      try {
        const message = await runJobCommand(session, job.command);
        await runLog.finished(runid, 'succeeded', message);
      } catch (error) {
        if (closed) return;
        const message = running.canceled ? 'job canceled' : describeCommandError(error);
        log.warn(`${describeJob(job)} failed: ${oneLine(message)}`);
        await runLog.finished(runid, 'failed', message);
      }
    } catch (error) {
      // Writing the run history failed (the extension was dropped meanwhile, say).
      if (!closed) log.warn(`${describeJob(job)}: could not record its run: ${(error as Error).message}`);
    } finally {
      await session.client.end().catch(() => {});
    }
  };

  // pg_cron cancels a run whose job is unscheduled or deactivated while it runs.
  const cancel = (task: Task) => {
    const running = task.running;
    if (!running?.session?.pid) return;
    running.canceled = true;
    admin.query('select pg_cancel_backend($1)', [running.session.pid]).catch(() => {});
  };

  const apply = (jobs: CronJob[], firstLoad: boolean) => {
    const seen = new Set<string>();
    const now = Date.now();
    for (const job of jobs) {
      seen.add(job.jobid);
      let task = tasks.get(job.jobid);
      const changed = !task || task.job.schedule !== job.schedule;
      if (!task) {
        task = {
          job,
          schedule: undefined,
          pending: 0,
          lastStart: now,
          cronCursor: new Date(now),
          removed: false,
        };
        tasks.set(job.jobid, task);
        log.info(
          `${describeJob(job)} scheduled: '${job.schedule}' as ${job.username} in ${job.database}${job.active ? '' : ' (inactive)'}`,
        );
      } else if (task.job.active !== job.active) {
        log.info(`${describeJob(job)} ${job.active ? 'activated' : 'deactivated'}`);
      }
      task.job = job;
      if (changed) {
        task.schedule = parseSchedule(job.schedule);
        if (!task.schedule)
          log.warn(`${describeJob(job)}: schedule '${job.schedule}' can't be parsed; not run`);
      }
      if (firstLoad && task.schedule?.kind === 'reboot') task.pending += 1;
      if (!job.active) {
        task.pending = 0;
        cancel(task);
      }
      arm(task);
    }
    for (const [jobid, task] of tasks) {
      if (seen.has(jobid)) continue;
      task.removed = true;
      clearTimer(task);
      cancel(task);
      tasks.delete(jobid);
      log.info(`${describeJob(task.job)} unscheduled`);
    }
    for (const task of tasks.values()) tryStart(task);
  };

  const loadJobs = async () => {
    const { rows } = await admin.query<{ present: boolean }>(
      `select to_regclass('cron.job') is not null as present`,
    );
    const present = rows[0]?.present === true;
    const firstLoad = present && !sawJobTable;
    if (firstLoad) {
      sawJobTable = true;
      await runLog.failInterrupted();
    }
    const jobs = present
      ? (
          await admin.query<CronJob>(
            'select jobid::text, jobname, schedule, command, database, username, active from cron.job order by jobid',
          )
        ).rows
      : [];
    if (!closed) apply(jobs, firstLoad);
  };

  const reload = () => {
    if (closed) return;
    if (reloading) {
      reloadAgain = true;
      return;
    }
    reloading = (async () => {
      do {
        reloadAgain = false;
        await loadJobs().catch((error: Error) => {
          if (!closed) log.warn(`could not read cron.job: ${error.message}`);
        });
      } while (reloadAgain && !closed);
      reloading = undefined;
    })();
  };

  return {
    reload,
    close: async () => {
      closed = true;
      for (const task of tasks.values()) clearTimer(task);
      await reloading;
      // Runs still going are cut off with the stack; the next start records them as interrupted.
      for (const task of tasks.values()) await task.running?.session?.client.end().catch(() => {});
      await Promise.allSettled([...runs]);
    },
  };
}

function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, ' | ');
}
