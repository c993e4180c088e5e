import { describe, expect, it } from 'vitest';
import { buildPostgresChange, jsonValue, parseArrayLiteral } from './change-payload.ts';
import type { RelationMessage } from './pgoutput-decoder.ts';
import type { RelationInfo } from './relation-catalog.ts';

const relation: RelationMessage = {
  tag: 'relation',
  relationId: 1,
  schema: 'public',
  table: 'items',
  replicaIdentity: 'd',
  columns: [
    { name: 'id', typeOid: 20, isKey: true },
    { name: 'body', typeOid: 25, isKey: false },
  ],
};
const info = (rlsEnabled: boolean): RelationInfo => ({
  schema: 'public',
  table: 'items',
  columns: [
    { name: 'id', type: 'int8' },
    { name: 'body', type: 'text' },
  ],
  columnTypes: { id: 'int8', body: 'text' },
  primaryKey: ['id'],
  rlsEnabled,
});
const at = { commitTime: new Date('2024-05-06T07:08:09.123Z'), xid: 1234 };

describe('change payloads', () => {
  it('types values as to_jsonb would', () => {
    expect(jsonValue('42', 'int4')).toBe(42);
    expect(jsonValue('NaN', 'float8')).toBe('NaN');
    expect(jsonValue('t', 'bool')).toBe(true);
    expect(jsonValue('{"a":[1]}', 'jsonb')).toEqual({ a: [1] });
    expect(jsonValue('2024-01-02 03:04:05.5+00', 'timestamptz')).toBe('2024-01-02T03:04:05.5+00:00');
    expect(jsonValue('2024-01-02 03:04:05', 'timestamp')).toBe('2024-01-02T03:04:05');
    expect(jsonValue('{1,2,NULL}', '_int4')).toEqual([1, 2, null]);
    expect(jsonValue(null, 'text')).toBeNull();
  });

  it('parses array literals with quoting', () => {
    expect(parseArrayLiteral('{}')).toEqual([]);
    expect(parseArrayLiteral('{a,"b c","d\\"e",NULL}')).toEqual(['a', 'b c', 'd"e', null]);
    expect(parseArrayLiteral('{{1,2},{3,4}}')).toBeUndefined();
  });

  it('builds an insert as hosted sends it', () => {
    const change = buildPostgresChange(
      { kind: 'insert', relation, new: ['7', 'hi'], old: null, oldIsKeyOnly: false },
      info(true),
      at,
    );
    expect(JSON.parse(change.data.toString())).toEqual({
      schema: 'public',
      table: 'items',
      commit_timestamp: '2024-05-06T07:08:09.123Z',
      type: 'INSERT',
      columns: [
        { name: 'id', type: 'int8' },
        { name: 'body', type: 'text' },
      ],
      errors: null,
      record: { id: 7, body: 'hi' },
    });
  });

  it('gives updates without an old tuple the primary key as old_record', () => {
    const change = buildPostgresChange(
      { kind: 'update', relation, new: ['7', 'new'], old: null, oldIsKeyOnly: false },
      info(true),
      at,
    );
    expect(JSON.parse(change.data.toString())).toMatchObject({
      record: { id: 7, body: 'new' },
      old_record: { id: 7 },
    });
  });

  it('strips deletes to the primary key when RLS is on, not when it is off', () => {
    const full = { kind: 'delete' as const, relation, new: null, old: ['7', 'gone'], oldIsKeyOnly: false };
    expect(JSON.parse(buildPostgresChange(full, info(true), at).data.toString()).old_record).toEqual({
      id: 7,
    });
    expect(JSON.parse(buildPostgresChange(full, info(false), at).data.toString()).old_record).toEqual({
      id: 7,
      body: 'gone',
    });
  });

  it('fills unchanged TOAST values from the old row', () => {
    const change = buildPostgresChange(
      { kind: 'update', relation, new: ['7', undefined], old: ['7', 'big text'], oldIsKeyOnly: false },
      info(false),
      at,
    );
    expect(change.newRow).toEqual({ id: '7', body: 'big text' });
  });
});
