import { describe, expect, it } from 'vitest';
import { parseBucketFileSizeLimit } from './byte-size.ts';

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
