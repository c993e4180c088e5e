import { describe, expect, it } from 'vitest';
import { parseBucketFileSizeLimit, parseConfigByteSize } from './byte-size.ts';

describe('parseConfigByteSize', () => {
  it('reads config.toml sizes with binary units, as the Supabase CLI does', () => {
    expect(parseConfigByteSize('50MiB')).toBe(50 * 1024 * 1024);
    expect(parseConfigByteSize('5MB')).toBe(5 * 1024 * 1024);
    expect(parseConfigByteSize('500KB')).toBe(500 * 1024);
    expect(parseConfigByteSize('1GiB')).toBe(1024 ** 3);
    expect(parseConfigByteSize('123')).toBe(123);
    expect(parseConfigByteSize(42)).toBe(42);
  });

  it('refuses what is not a size', () => {
    expect(() => parseConfigByteSize('lots')).toThrow(/invalid size/);
    expect(() => parseConfigByteSize('5 parsecs')).toThrow(/invalid size/);
  });
});

describe('parseBucketFileSizeLimit', () => {
  it('reads API sizes with decimal units, as hosted Storage does', () => {
    expect(parseBucketFileSizeLimit('20MB')).toBe(20_000_000);
    expect(parseBucketFileSizeLimit('30KB')).toBe(30_000);
    expect(parseBucketFileSizeLimit('1GB')).toBe(1_000_000_000);
    expect(parseBucketFileSizeLimit('3B')).toBe(3);
    expect(parseBucketFileSizeLimit(1024)).toBe(1024);
  });

  it('refuses malformed sizes with hosted InvalidRequest', () => {
    expect(() => parseBucketFileSizeLimit('20 megabytes')).toThrow(/Invalid file size format/);
    expect(() => parseBucketFileSizeLimit(-1)).toThrow(/Invalid file size format/);
  });
});
