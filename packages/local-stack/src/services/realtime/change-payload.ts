import type { TupleValue } from './pgoutput-decoder.ts';
import type { RelationInfo } from './relation-catalog.ts';
import type { RowChange } from './replication-consumer.ts';

export type ChangeType = 'INSERT' | 'UPDATE' | 'DELETE';
export type TextRow = Record<string, string | null>;

/** One row change, ready to filter, authorize and send. */
export interface PostgresChange {
  info: RelationInfo;
  type: ChangeType;
  /** Text values of the new row (INSERT/UPDATE) for filters and the RLS probe. */
  newRow: TextRow | null;
  /** Text values of the old row as far as the replica identity gives them. */
  oldRow: TextRow | null;
  /** The `data` of a postgres_changes message, serialized (UTF-8) once for every subscriber. */
  data: Buffer;
  /** The writing transaction, which RLS probes must see as committed. */
  xid: number;
  /**
   * The `data` for a subscription with `select`: only the chosen columns and the primary
   * key (as hosted), encoded once per distinct selection. `key` identifies the selection.
   */
  selected(select: readonly string[], key: string): Buffer;
}

const NUMBER_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid']);

/** Postgres 1-D array literal → element texts (null for NULL). */
export function parseArrayLiteral(text: string): (string | null)[] | undefined {
  if (!text.startsWith('{') || !text.endsWith('}')) return undefined;
  const body = text.slice(1, -1);
  if (body === '') return [];
  const items: (string | null)[] = [];
  let index = 0;
  while (index <= body.length) {
    if (body[index] === '"') {
      let value = '';
      index += 1;
      while (index < body.length && body[index] !== '"') {
        if (body[index] === '\\') index += 1;
        value += body[index] ?? '';
        index += 1;
      }
      items.push(value);
      index += 2; // closing quote and comma
    } else {
      const end = body.indexOf(',', index);
      const raw = body.slice(index, end === -1 ? body.length : end);
      if (raw.startsWith('{')) return undefined; // multi-dimensional: keep as text
      items.push(raw === 'NULL' ? null : raw);
      index = end === -1 ? body.length + 1 : end + 1;
    }
  }
  return items;
}

/**
 * Postgres text → the JSON value hosted Realtime sends (it builds records with
 * to_jsonb): numbers and booleans typed, json parsed, timestamps in ISO form with
 * `T`, arrays as JSON arrays; everything else stays a string.
 */
export function jsonValue(text: string | null, type: string): unknown {
  if (text === null) return null;
  if (type.startsWith('_')) {
    const items = parseArrayLiteral(text);
    return items ? items.map((item) => jsonValue(item, type.slice(1))) : text;
  }
  if (NUMBER_TYPES.has(type)) {
    const number = Number(text);
    return Number.isFinite(number) ? number : text;
  }
  switch (type) {
    case 'bool':
      return text === 't';
    case 'json':
    case 'jsonb':
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    case 'timestamptz':
      // "2024-01-02 03:04:05.123456+00" → "2024-01-02T03:04:05.123456+00:00"
      return text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
    case 'timestamp':
      return text.replace(' ', 'T');
    default:
      return text;
  }
}

function textRow(
  info: RelationInfo,
  tuple: TupleValue[] | null,
  only?: (name: string) => boolean,
): TextRow | null {
  if (!tuple) return null;
  const row: TextRow = {};
  info.columns.forEach((column, index) => {
    const value = tuple[index];
    if (value === undefined || (only && !only(column.name))) return;
    row[column.name] = value;
  });
  return row;
}

function jsonRecord(info: RelationInfo, row: TextRow | null): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  if (!row) return record;
  for (const [name, value] of Object.entries(row))
    record[name] = jsonValue(value, info.columnTypes[name] ?? 'text');
  return record;
}

export function buildPostgresChange(
  change: RowChange,
  info: RelationInfo,
  transaction: { commitTime: Date; xid: number },
): PostgresChange {
  const type: ChangeType =
    change.kind === 'insert' ? 'INSERT' : change.kind === 'update' ? 'UPDATE' : 'DELETE';
  const isPk = (name: string) => info.primaryKey.includes(name);
  let newRow = textRow(info, change.new);
  let oldRow = textRow(info, change.old);
  if (change.oldIsKeyOnly && oldRow) {
    // Key-only old tuples carry placeholders (null) for non-key columns.
    const keyColumns = new Set(
      change.relation.columns.filter((column) => column.isKey).map((column) => column.name),
    );
    oldRow = textRow(info, change.old, (name) => keyColumns.has(name));
  }
  if (newRow && oldRow) {
    // Unchanged TOASTed values aren't resent; take them from the old row.
    for (const column of info.columns) {
      if (!(column.name in newRow) && column.name in oldRow)
        newRow[column.name] = oldRow[column.name] ?? null;
    }
  }
  if (type === 'UPDATE' && !oldRow && newRow) {
    // Without REPLICA IDENTITY FULL the key is unchanged: old carries the primary key.
    oldRow = Object.fromEntries(info.primaryKey.map((name) => [name, newRow?.[name] ?? null]));
  }
  if (type === 'DELETE' && info.rlsEnabled && oldRow) {
    // Deletes can't be checked against RLS (the row is gone), so hosted sends only the key.
    oldRow = Object.fromEntries(Object.entries(oldRow).filter(([name]) => isPk(name)));
  }
  if (type === 'DELETE') newRow = null;
  const encode = (keep?: (name: string) => boolean) => {
    const pick = (row: TextRow | null): TextRow | null =>
      row && keep ? Object.fromEntries(Object.entries(row).filter(([name]) => keep(name))) : row;
    const data: Record<string, unknown> = {
      schema: info.schema,
      table: info.table,
      commit_timestamp: transaction.commitTime.toISOString(),
      type,
      columns: keep ? info.columns.filter((column) => keep(column.name)) : info.columns,
      errors: null,
    };
    if (type !== 'DELETE') data.record = jsonRecord(info, pick(newRow));
    if (type !== 'INSERT') data.old_record = jsonRecord(info, pick(oldRow));
    return Buffer.from(JSON.stringify(data));
  };
  const bySelection = new Map<string, Buffer>();
  return {
    info,
    type,
    newRow,
    oldRow,
    data: encode(),
    xid: transaction.xid,
    selected(select, key) {
      let data = bySelection.get(key);
      if (!data) {
        const chosen = new Set(select);
        data = encode((name) => chosen.has(name) || isPk(name));
        bySelection.set(key, data);
      }
      return data;
    },
  };
}
