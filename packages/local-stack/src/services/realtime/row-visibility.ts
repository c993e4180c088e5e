import pg from 'pg';
import type { PostgresChange } from './change-payload.ts';
import type { RelationInfo } from './relation-catalog.ts';

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

/** Key of a row by its primary key text values (undefined without a usable key). */
export function rowKeyOf(change: PostgresChange): string | undefined {
  const row = change.newRow;
  if (!row || change.info.primaryKey.length === 0) return undefined;
  const values = change.info.primaryKey.map((name) => row[name]);
  if (values.some((value) => value === undefined || value === null)) return undefined;
  return JSON.stringify(values);
}

/** One viewer's probe of one table: the changed keys, and after run() the visible ones. */
export interface ProbeGroup {
  viewer: Viewer;
  change: PostgresChange;
  keys: Map<string, (string | null | undefined)[]>;
  visible: Set<string>;
}

type Group = ProbeGroup;

/** Postgres array literal of text values, e.g. {"a","b \\"c\\""}. */
function arrayLiteral(values: (string | null | undefined)[]): string {
  return `{${values.map((value) => `"${String(value ?? '').replace(/[\\"]/g, (char) => `\\${char}`)}"`).join(',')}}`;
}

/**
 * Prepared once per pooled connection and table shape: the probe's plan (with the RLS
 * policies folded in) is then reused for every viewer of the same role, because
 * policies read the claims at execution time. Planning, not executing, dominated
 * the cost of the probes.
 */
interface ProbeStatement {
  name: string;
  prepare: string;
}

function probeStatement(group: Group): ProbeStatement {
  const { schema, table, primaryKey, columnTypes } = group.change.info;
  const relation = `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`;
  const columns = primaryKey.map((name) => pg.escapeIdentifier(name));
  const types = primaryKey.map((name) => columnTypes[name] ?? 'text');
  const selected = columns.map((column, position) => `${column}::text as k${position}`).join(', ');
  const signature = `${schema}.${table}(${primaryKey.join(',')}:${types.join(',')})`;
  let hash = 0x811c9dc5;
  for (let index = 0; index < signature.length; index++) {
    hash = Math.imul(hash ^ signature.charCodeAt(index), 0x01000193);
  }
  const name = `groundwork_rls_probe_${(hash >>> 0).toString(16)}`;
  const argumentTypes = ['int', ...types.map(() => 'text')].join(', ');
  const castParameters = types.map((type, position) => `$${position + 2}::${pg.escapeIdentifier(type)}[]`);
  return {
    name,
    prepare: `prepare ${name}(${argumentTypes}) as select $1 as g, ${selected} from ${relation} where (${columns.join(', ')}) in (select * from unnest(${castParameters.join(', ')}));`,
  };
}

function groupStatement(index: number, group: Group, statement: ProbeStatement): string {
  const keyColumns = group.change.info.primaryKey.map((_, position) =>
    [...group.keys.values()].map((values) => values[position]),
  );
  const args = [String(index), ...keyColumns.map((values) => pg.escapeLiteral(arrayLiteral(values)))];
  return [
    `select set_config('role', ${pg.escapeLiteral(group.viewer.role)}, true),`,
    `set_config('request.jwt.claims', ${pg.escapeLiteral(group.viewer.claimsJson)}, true);`,
    `execute ${statement.name}(${args.join(', ')});`,
  ].join(' ');
}

const preparedOn = new WeakMap<pg.PoolClient, Set<string>>();

async function ensurePrepared(client: pg.PoolClient, statements: ProbeStatement[]) {
  let prepared = preparedOn.get(client);
  if (!prepared) {
    prepared = new Set();
    preparedOn.set(client, prepared);
  }
  const missing = statements.filter((statement) => !prepared.has(statement.name));
  if (missing.length === 0) return;
  await client.query([...new Set(missing.map((statement) => statement.prepare))].join(' '));
  for (const statement of missing) prepared.add(statement.name);
}

async function forgetPrepared(client: pg.PoolClient) {
  preparedOn.delete(client);
  await client.query('deallocate all').catch(() => {});
}

/**
 * pgoutput streams a commit as soon as its WAL is flushed, a moment before the committing
 * backend leaves the proc array; until then new snapshots still see the transaction as in
 * progress, and a probe would miss its rows. This waits (at most ~1 s) for that moment.
 * pgoutput gives 32-bit xids: each is widened to the snapshot's epoch (nearest within
 * half the xid space) before asking whether the snapshot sees it.
 */
export function awaitCommitted(xids: number[]): string {
  const list = xids.filter((xid) => Number.isInteger(xid) && xid >= 0 && xid < 2 ** 32).join(',');
  if (list === '') return '';
  return `do $$ begin for attempt in 1..1000 loop
    exit when not exists (
      select 1
      from (select pg_catalog.pg_current_snapshot() as snap) as s,
        lateral (select pg_catalog.pg_snapshot_xmax(s.snap)::text::bigint as xmax) as m,
        unnest(array[${list}]::bigint[]) as t(xid),
        lateral (select ((m.xmax >> 32) << 32) | t.xid as guess) as g
      where not pg_catalog.pg_visible_in_snapshot(
        greatest(0, case
          when g.guess > m.xmax + 2147483648 then g.guess - 4294967296
          when g.guess < m.xmax - 2147483648 then g.guess + 4294967296
          else g.guess end)::text::xid8,
        s.snap));
    perform pg_catalog.pg_sleep(0.001);
  end loop; end $$;`;
}

/**
 * Whether a query failed because the database connection did (server gone, restarting,
 * connection refused) rather than because a policy raised: the first must fail the whole
 * delivery so it is retried, the second only hides that viewer's rows.
 */
export function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, "Connection terminated"
  return code.startsWith('08') || code.startsWith('57P') || code === '53300';
}

const PARALLEL_PROBES = 4;
const MIN_GROUPS_PER_PART = 16;

async function runProbes(
  db: pg.Pool,
  chunk: number[],
  list: Group[],
  statements: ProbeStatement[],
): Promise<pg.QueryResult[]> {
  const client = await db.connect();
  const statementOf = (index: number) => statements[index] as ProbeStatement;
  try {
    const needed = chunk.map(statementOf);
    try {
      await ensurePrepared(client, needed);
    } catch {
      // A table changed shape under a prepared probe: start over on this connection.
      await forgetPrepared(client);
      await ensurePrepared(client, needed);
    }
    const probes = chunk.map((index) => groupStatement(index, list[index] as Group, statementOf(index)));
    try {
      return (await client.query(`begin; ${probes.join(' ')} rollback;`)) as unknown as pg.QueryResult[];
    } catch (error) {
      if (isConnectionFailure(error)) throw error;
      // One failing policy aborts the batch; retry group by group so it costs only its own rows.
      await client.query('rollback').catch(() => {});
      const results: pg.QueryResult[] = [];
      for (const probe of probes) {
        try {
          results.push(...((await client.query(`begin; ${probe} rollback;`)) as unknown as pg.QueryResult[]));
        } catch (probeError) {
          if (isConnectionFailure(probeError)) throw probeError;
          await client.query('rollback').catch(() => {});
        }
      }
      return results;
    }
  } finally {
    client.release();
  }
}

/**
 * The probes of one delivery batch. request() registers that a viewer needs to know
 * about a changed row; run() answers all of them; then group.visible says which rows
 * each viewer may see. Probes whose query fails count as not visible.
 */
export class VisibilityBatch {
  private readonly groups: ProbeGroup[] = [];
  /** Transactions whose rows are probed. */
  private readonly xids = new Set<number>();
  // identity → table (by its metadata object) → group; no string keys on this hot path.
  private readonly index = new Map<number, Map<RelationInfo, ProbeGroup>>();

  /** `identity` is a small id shared by viewers with identical role and claims. */
  request(viewer: Viewer, identity: number, change: PostgresChange, rowKey: string): ProbeGroup {
    this.xids.add(change.xid);
    let byTable = this.index.get(identity);
    if (!byTable) {
      byTable = new Map();
      this.index.set(identity, byTable);
    }
    let group = byTable.get(change.info);
    if (!group) {
      group = { viewer, change, keys: new Map(), visible: new Set() };
      byTable.set(change.info, group);
      this.groups.push(group);
    }
    if (!group.keys.has(rowKey)) {
      const row = change.newRow ?? {};
      group.keys.set(
        rowKey,
        change.info.primaryKey.map((name) => row[name]),
      );
    }
    return group;
  }

  get size(): number {
    return this.groups.length;
  }

  async run(db: pg.Pool): Promise<void> {
    if (this.groups.length === 0) return;
    const list = this.groups;
    const statements = list.map(probeStatement);
    // Each viewer's policy runs on its own; spread viewers over connections so both
    // cores work on one batch.
    const parts = Math.max(1, Math.min(PARALLEL_PROBES, Math.floor(list.length / MIN_GROUPS_PER_PART)));
    const indexes = list.map((_, index) => index);
    const chunks = Array.from({ length: parts }, (_, part) =>
      indexes.filter((index) => index % parts === part),
    );
    // Once visible to one new snapshot, a commit is visible to all later ones: wait once,
    // before the parallel probes take theirs.
    const wait = awaitCommitted([...this.xids]);
    if (wait) await db.query(wait);
    const results = (await Promise.all(chunks.map((chunk) => runProbes(db, chunk, list, statements)))).flat();
    for (const result of results) {
      for (const row of result.rows as Record<string, unknown>[]) {
        if (typeof row.g !== 'number') continue;
        const group = list[row.g];
        if (!group) continue;
        const values = group.change.info.primaryKey.map((_, position) => row[`k${position}`] ?? null);
        group.visible.add(JSON.stringify(values));
      }
    }
  }
}
