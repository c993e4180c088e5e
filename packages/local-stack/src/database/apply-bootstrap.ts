import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';
import { StackError } from '../errors.ts';

/**
 * The platform bootstrap: the roles, schemas, auth/storage/realtime objects and grants a
 * hosted Supabase project has before its first migration runs. It is applied to a fresh
 * cluster (as superuser, in database `postgres`) so that migrations written for hosted
 * Supabase apply here unchanged.
 *
 * Each `bootstrap/NN-*.sql` file converges rather than assumes a blank database, so a
 * newer bootstrap can be applied over an older one (additions only: it never drops or
 * rewrites a column that already exists).
 */

export type BootstrapState = 'missing' | 'current' | 'stale';

interface BootstrapFile {
  name: string;
  sql: string;
}

const BOOTSTRAP_DIR = new URL('./bootstrap/', import.meta.url);

// Any fixed 64-bit key works; it only has to be the same for every caller so two
// processes bootstrapping the same cluster queue up instead of interleaving.
const BOOTSTRAP_LOCK_KEY = 0x67726e64626f6f74n;

let cachedFiles: BootstrapFile[] | undefined;

function bootstrapFiles(): BootstrapFile[] {
  cachedFiles ??= readdirSync(BOOTSTRAP_DIR)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: readFileSync(new URL(name, BOOTSTRAP_DIR), 'utf8') }));
  return cachedFiles;
}

/**
 * sha256 over every bootstrap file, names included, in the order they run. Recorded in
 * `groundwork.bootstrap` so a database bootstrapped by an older release shows as stale.
 *
 * @example
 * bootstrapVersion(); // 'c3ab8f…' (64 hex characters)
 */
export function bootstrapVersion(): string {
  const hash = createHash('sha256');
  for (const file of bootstrapFiles()) hash.update(`${file.name}\0${file.sql}\0`);
  return hash.digest('hex');
}

/**
 * Whether the database carries this release's bootstrap.
 *
 * @example
 * if ((await bootstrapState(client)) !== 'current') await applyBootstrap(client);
 */
export async function bootstrapState(client: pg.Client | pg.PoolClient): Promise<BootstrapState> {
  // Two queries: a query naming a missing table fails at parse time, whatever its CASE says.
  const exists = await client.query<{ found: boolean }>(
    `select to_regclass('groundwork.bootstrap') is not null as found`,
  );
  if (!exists.rows[0]?.found) return 'missing';
  const { rows } = await client.query<{ version: string | null }>(
    'select version from groundwork.bootstrap order by applied_at desc limit 1',
  );
  const version = rows[0]?.version ?? null;
  if (version === null) return 'missing';
  return version === bootstrapVersion() ? 'current' : 'stale';
}

/**
 * Applies the bootstrap in one transaction, unless this exact version is already
 * recorded. Must run as a superuser. A failure rolls everything back and is reported as
 * `StackError('bootstrap_failed', '<file>: <postgres message>', 'bootstrap')`.
 *
 * @example
 * const client = new pg.Client('postgresql://postgres:postgres@127.0.0.1:54322/postgres');
 * await client.connect();
 * await applyBootstrap(client);
 */
export async function applyBootstrap(client: pg.Client | pg.PoolClient): Promise<void> {
  const version = bootstrapVersion();
  let currentFile = '(setup)';
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_KEY.toString()]);
    // Re-check under the lock: another process may have finished while we waited.
    if ((await bootstrapState(client)) === 'current') {
      await client.query('rollback');
      return;
    }
    // The files are full of `if not exists`; their skip notices are noise here.
    await client.query(`set local client_min_messages = warning`);
    for (const file of bootstrapFiles()) {
      currentFile = file.name;
      await client.query(file.sql);
    }
    currentFile = '(recording version)';
    await recordVersion(client, version);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw new StackError(
      'bootstrap_failed',
      `${currentFile}: ${describePostgresError(error, currentFile)}`,
      'bootstrap',
      {
        cause: error,
      },
    );
  }
}

async function recordVersion(client: pg.Client | pg.PoolClient, version: string): Promise<void> {
  // Private bookkeeping: no API role may read or touch it.
  await client.query(`
    create schema if not exists groundwork;
    revoke all on schema groundwork from public;
    create table if not exists groundwork.bootstrap (
      version text not null,
      applied_at timestamptz not null default now()
    );
    alter table groundwork.bootstrap enable row level security;
  `);
  await client.query('insert into groundwork.bootstrap (version) values ($1)', [version]);
}

/** The server's message, plus the line in the file when Postgres reports a position. */
function describePostgresError(error: unknown, fileName: string): string {
  if (!(error instanceof Error)) return String(error);
  const position = Number((error as { position?: string }).position);
  const file = bootstrapFiles().find((candidate) => candidate.name === fileName);
  if (!file || !Number.isInteger(position) || position < 1) return error.message;
  const line = file.sql.slice(0, position - 1).split('\n').length;
  return `${error.message} (line ${line})`;
}
