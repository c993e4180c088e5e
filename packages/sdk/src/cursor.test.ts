import { describe, expect, it } from 'vitest';
import { afterFilter, decodeCursor, encodeCursor } from './cursor.ts';

describe('cursors', () => {
  it('round-trip numbers and timestamps and are URL-safe', () => {
    for (const position of [
      { value: 1536.5, id: 'a0000000-0000-4000-8000-000000000001' },
      { value: '2026-11-23T19:00:00.123456+00:00', id: 'b0000000-0000-4000-8000-000000000002' },
      { value: 42, id: 42 },
    ]) {
      const cursor = encodeCursor(position);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(cursor)).toEqual(position);
    }
  });

  it('reject anything they did not make', () => {
    for (const forged of ['%%%', btoa('{"a":1}'), btoa('[1]'), btoa('["x\\"y","z"]'), btoa('[{},"z"]')]) {
      expect(() => decodeCursor(forged)).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    }
  });

  it('select rows strictly after a position in either direction', () => {
    expect(afterFilter('position', 'asc', { value: 1024, id: 'x' })).toBe(
      'position.gt."1024",and(position.eq."1024",id.gt."x")',
    );
    expect(afterFilter('created_at', 'desc', { value: '2026-01-01T00:00:00+00:00', id: 'y' })).toBe(
      'created_at.lt."2026-01-01T00:00:00+00:00",and(created_at.eq."2026-01-01T00:00:00+00:00",id.lt."y")',
    );
  });
});
