import pg from 'pg';
import type { PostgresChange } from './change-payload.ts';

/**
 * Whether subscribers may see changed rows, decided by their own RLS policies: as
 * hosted Realtime does, we run `select … where <pk> = …` with the subscriber's role
 * and JWT claims. To keep this cheap under load, one round trip answers a whole batch:
 * every (table, identity) pair becomes one statement over all its changed keys, sent
 * as a single multi-statement query inside a transaction that is rolled back.
 */

export interface Viewer {
  /** Same key for subscribers with identical role and claims; they share one probe. */
  identityKey: string;
  role: string;
  claimsJson: string;
}

export interface VisibilityProbe {
  change: PostgresChange;
  viewer: Viewer;
}

function tableKey(change: PostgresChange): string {
  return `${change.info.schema}.${change.info.table}`;
}

/** Key of a row by its primary key text values, stable across changes of the same row. */
export function rowKey(change: PostgresChange): string | undefined {
  const row = change.newRow;
  if (!row || change.info.primaryKey.length === 0) return undefined;
  const values = change.info.primaryKey.map((name) => row[name]);
  if (values.some((value) => value === undefined || value === null)) return undefined;
  return JSON.stringify(values);
}

export function visibilityKey(viewer: Viewer, change: PostgresChange, key: string): string {
  return `${viewer.identityKey}\u0000${tableKey(change)}\u0000${key}`;
}

interface Group {
  viewer: Viewer;
  change: PostgresChange;
  keys: Map<string, (string | null | undefined)[]>;
}

function groupStatement(index: number, group: Group): string {
  const { schema, table, primaryKey } = group.change.info;
  const relation = `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`;
  const columns = primaryKey.map((name) => pg.escapeIdentifier(name));
  const selected = columns.map((column, position) => `${column}::text as k${position}`).join(', ');
  const tuples = [...group.keys.values()]
    .map((values) => `(${values.map((value) => pg.escapeLiteral(value ?? '')).join(', ')})`)
    .join(', ');
  return [
    `select set_config('role', ${pg.escapeLiteral(group.viewer.role)}, true),`,
    `set_config('request.jwt.claims', ${pg.escapeLiteral(group.viewer.claimsJson)}, true);`,
    `select ${index} as g, ${selected} from ${relation} where (${columns.join(', ')}) in (${tuples});`,
  ].join(' ');
}

/**
 * Returns the visibility keys (see visibilityKey) of the probes whose row the viewer
 * can select now. Probes whose query fails count as not visible.
 */
export async function probeVisibility(db: pg.Pool, probes: VisibilityProbe[]): Promise<Set<string>> {
  const groups = new Map<string, Group>();
  for (const probe of probes) {
    const key = rowKey(probe.change);
    if (!key) continue;
    const groupKey = `${probe.viewer.identityKey}\u0000${tableKey(probe.change)}`;
    let group = groups.get(groupKey);
    if (!group) {
      group = { viewer: probe.viewer, change: probe.change, keys: new Map() };
      groups.set(groupKey, group);
    }
    const row = probe.change.newRow ?? {};
    group.keys.set(
      key,
      probe.change.info.primaryKey.map((name) => row[name]),
    );
  }
  const visible = new Set<string>();
  if (groups.size === 0) return visible;
  const list = [...groups.values()];
  const client = await db.connect();
  try {
    const sql = `begin; ${list.map((group, index) => groupStatement(index, group)).join(' ')} rollback;`;
    let results: pg.QueryResult[];
    try {
      results = (await client.query(sql)) as unknown as pg.QueryResult[];
    } catch {
      // One failing policy aborts the batch; retry group by group so it costs only its own rows.
      await client.query('rollback').catch(() => {});
      results = [];
      for (const [index, group] of list.entries()) {
        try {
          const single = (await client.query(
            `begin; ${groupStatement(index, group)} rollback;`,
          )) as unknown as pg.QueryResult[];
          results.push(...single);
        } catch {
          await client.query('rollback').catch(() => {});
        }
      }
    }
    for (const result of results) {
      for (const row of result.rows as Record<string, unknown>[]) {
        if (typeof row.g !== 'number') continue;
        const group = list[row.g];
        if (!group) continue;
        const values = group.change.info.primaryKey.map((_, position) => row[`k${position}`] ?? null);
        visible.add(visibilityKey(group.viewer, group.change, JSON.stringify(values)));
      }
    }
  } finally {
    client.release();
  }
  return visible;
}
