import { describe, expect, it } from 'vitest';
import { parseDurationMs } from './durations.ts';

describe('parseDurationMs', () => {
  // Go's time.ParseDuration, which the Supabase CLI and GoTrue use.
  it.each([
    ['1s', 1000],
    ['0s', 0],
    ['0', 0],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['5.s', 5000],
    ['500ms', 500],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['2000000ns', 2],
    ['+1m', 60_000],
    ['-1m30s', -90_000],
  ])('%s is %d ms', (input, ms) => {
    expect(parseDurationMs(input)).toBe(ms);
  });

  it.each([
    ['soon', 'time: invalid duration "soon"'],
    ['', 'time: invalid duration ""'],
    ['-', 'time: invalid duration "-"'],
    ['.s', 'time: invalid duration ".s"'],
    ['5', 'time: missing unit in duration "5"'],
    ['1..5s', 'time: missing unit in duration "1..5s"'],
    ['3 days', 'time: unknown unit " days" in duration "3 days"'],
    ['2d', 'time: unknown unit "d" in duration "2d"'],
    ['9999999999h', 'time: invalid duration "9999999999h"'],
  ])('refuses %j with Go’s message', (input, message) => {
    expect(() => parseDurationMs(input)).toThrow(message);
  });
});
