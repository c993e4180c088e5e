import { Cron } from 'croner';

/**
 * A pg_cron schedule, as cron.schedule accepted it (the extension validates in SQL):
 * - `'N seconds'` (1–59): an interval job, timed from the start of its previous run;
 * - `@reboot`: once, when the scheduler starts;
 * - five cron fields or an @-nickname, in UTC, with `$` for the last day of the month.
 */
export type JobSchedule =
  | { kind: 'interval'; seconds: number }
  | { kind: 'reboot' }
  | { kind: 'cron'; nextAfter(time: Date): Date | null };

const INTERVAL = /^\s*(\d+)\s*seconds?\s*$/i;

export function parseSchedule(text: string): JobSchedule | undefined {
  const interval = INTERVAL.exec(text);
  if (interval) {
    const seconds = Number(interval[1]);
    return seconds >= 1 && seconds <= 59 ? { kind: 'interval', seconds } : undefined;
  }
  const spec = text.trim().toLowerCase();
  if (spec === '@reboot') return { kind: 'reboot' };
  const fields = spec.split(/\s+/);
  // pg_cron writes the last day of the month as `$` (croner: `L`).
  if (fields.length === 5) fields[2] = (fields[2] as string).replace(/(^|,)\$(?=,|$)/g, '$1L');
  try {
    // pg_cron schedules in GMT. A zero UTC offset is that without croner's timezone path, which
    // formats every date with Intl.DateTimeFormat and so maps ICU's time zone data into the stack
    // process (≈6 MB of RSS, idle, as soon as a job is scheduled).
    const pattern = new Cron(fields.join(' '), { utcOffset: 0, mode: '5-part', paused: true });
    return { kind: 'cron', nextAfter: (time) => pattern.nextRun(time) };
  } catch {
    return undefined;
  }
}
