import { describe, expect, it } from 'vitest';
import { parseByteSize } from './byte-size.ts';

describe('parseByteSize', () => {
  // Every unit is binary, as in docker/go-units' RAMInBytes, which the Supabase CLI uses.
  it.each([
    ['5MB', 5 * 1024 ** 2],
    ['5MiB', 5 * 1024 ** 2],
    ['5m', 5 * 1024 ** 2],
    ['50MiB', 50 * 1024 ** 2],
    ['500KB', 500 * 1024],
    ['500kb', 500 * 1024],
    ['1GiB', 1024 ** 3],
    ['2T', 2 * 1024 ** 4],
    ['1.5KiB', 1536],
    ['0.3MB', 314_572],
    ['5 MB', 5 * 1024 ** 2],
    ['1024', 1024],
    ['1024b', 1024],
    ['32.9', 32],
  ])('%s is %d bytes', (input, bytes) => {
    expect(parseByteSize(input)).toBe(bytes);
  });

  it.each([
    ['lots', 'no number'],
    ['5 parsecs', 'unknown unit "parsecs"'],
    ['5MBB', 'unknown unit "MBB"'],
    ['5bk', 'unknown unit "bk"'],
    ['5x', 'unknown unit "x"'],
    ['5  MB', '"5 " is not a number'],
    [' 5MB', '" 5" is not a number'],
    ['1.2.3MB', '"1.2.3" is not a number'],
    ['-5MB', 'negative'],
    ['', 'no number'],
  ])('refuses %j (%s)', (input, why) => {
    expect(() => parseByteSize(input)).toThrow(`invalid size "${input}" (${why}`);
  });
});
