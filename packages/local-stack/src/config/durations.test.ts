import { describe, expect, it } from 'vitest';
import { parseByteSize, parseDurationMs } from './durations.ts';

describe('parseByteSize', () => {
  it.each([
    ['50MiB', 50 * 1024 ** 2],
    ['5GB', 5 * 1000 ** 3],
    ['1024', 1024],
    ['1.5KiB', 1536],
    [2048, 2048],
  ])('%s is %d bytes', (input, bytes) => {
    expect(parseByteSize(input)).toBe(bytes);
  });

  it('rejects what is not a size', () => {
    expect(() => parseByteSize('lots')).toThrow('not a size');
  });
});

describe('parseDurationMs', () => {
  it.each([
    ['1s', 1000],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    [3, 3000],
  ])('%s is %d ms', (input, ms) => {
    expect(parseDurationMs(input)).toBe(ms);
  });

  it('rejects what is not a duration', () => {
    expect(() => parseDurationMs('soon')).toThrow('not a duration');
  });
});
