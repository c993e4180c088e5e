import { describe, expect, it } from 'vitest';
import { parseSchedule } from './schedule.ts';

const next = (schedule: string, after: string) => {
  const parsed = parseSchedule(schedule);
  if (parsed?.kind !== 'cron') throw new Error(`${schedule} is not a cron schedule`);
  return parsed.nextAfter(new Date(after))?.toISOString();
};

describe('parseSchedule (pg_cron syntax)', () => {
  it("reads '[1-59] seconds' as an interval, as pg_cron does", () => {
    expect(parseSchedule('30 seconds')).toEqual({ kind: 'interval', seconds: 30 });
    expect(parseSchedule(' 1 second ')).toEqual({ kind: 'interval', seconds: 1 });
    expect(parseSchedule('60 seconds')).toBeUndefined();
    expect(parseSchedule('0 seconds')).toBeUndefined();
  });

  it('computes cron times in UTC, with $ for the last day of the month and 7 for Sunday', () => {
    expect(next('0 0 $ * *', '2025-02-10T12:00:00Z')).toBe('2025-02-28T00:00:00.000Z');
    expect(next('0 0 $ * *', '2024-02-10T12:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(next('30 3 * * 7', '2025-03-03T00:00:00Z')).toBe('2025-03-09T03:30:00.000Z');
    expect(next('*/15 9-17 * jan-mar mon-fri', '2025-03-07T17:50:00Z')).toBe('2025-03-10T09:00:00.000Z');
    expect(next('@hourly', '2025-03-07T17:50:00Z')).toBe('2025-03-07T18:00:00.000Z');
  });

  it('runs a job whose day of month and day of week are both set on either, as Vixie cron does', () => {
    // 1st of the month OR a Monday.
    expect(next('0 0 1 * 1', '2025-02-26T00:00:30Z')).toBe('2025-03-01T00:00:00.000Z');
    expect(next('0 0 1 * 1', '2025-03-01T00:00:30Z')).toBe('2025-03-03T00:00:00.000Z');
  });

  it('reads @reboot and rejects what pg_cron rejects', () => {
    expect(parseSchedule('@reboot')).toEqual({ kind: 'reboot' });
    expect(parseSchedule('61 * * * *')).toBeUndefined();
    expect(parseSchedule('every minute')).toBeUndefined();
  });
});
