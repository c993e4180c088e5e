import pg from 'pg';
import { StackError } from '../errors.ts';

/**
 * Copies of the project's database inside the running cluster, made with `CREATE DATABASE …
 * TEMPLATE` (a file-level copy: no migration or seed runs). The template is the migrated and
 * seeded `postgres` database as it was before any service touched it, kept as
 * `groundwork_template`, which nothing may connect to (Postgres copies only a database
 * without sessions). `groundwork reset` recreates `postgres` from it; tests get copies of it.
 */
export const TEMPLATE_DATABASE = 'groundwork_template';
/**
 * Copies made ahead, so a reset or a test file needs only a rename (a catalog update) instead of
 * the copy itself (~0.2–0.6 s here for ~12 MB). Nothing connects to a spare until it is claimed.
 */
const SPARE_PREFIX = 'groundwork_spare_';
const TEMPLATE_COMMENT = 'groundwork: the migrated and seeded database, for reset and test copies; key ';

const ident = pg.escapeIdentifier;

/**
 * CREATE DATABASE copies neither the database's grants nor its `alter database … set`
 * settings; both are copied from the catalogs as they are, so the copy answers as the original.
 */
async function copyDatabaseGrantsAndSettings(admin: pg.Client, from: string, to: string): Promise<void> {
  await admin.query(
    `update pg_catalog.pg_database set datacl = (select datacl from pg_catalog.pg_database where datname = $1)
      where datname = $2`,
    [from, to],
  );
  await admin.query(
    `insert into pg_catalog.pg_db_role_setting (setdatabase, setrole, setconfig)
     select (select oid from pg_catalog.pg_database where datname = $2), s.setrole, s.setconfig
       from pg_catalog.pg_db_role_setting s
      where s.setdatabase = (select oid from pg_catalog.pg_database where datname = $1)`,
    [from, to],
  );
}

/** Connected as the superuser to `template1`, a database no copy is made from here. */
async function withAdmin<T>(
  superuserUrl: (database: string) => string,
  work: (admin: pg.Client) => Promise<T>,
) {
  const admin = new pg.Client({
    connectionString: superuserUrl('template1'),
    application_name: 'groundwork copies',
  });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end().catch(() => {});
  }
}

/**
 * Makes `groundwork_template` from `postgres`, which must have no sessions at that moment
 * (the stack calls this after migrations and seed, before any service connects).
 */
export async function createTemplateDatabase(
  superuserUrl: (database: string) => string,
  key: string,
): Promise<void> {
  await withAdmin(superuserUrl, async (admin) => {
    await admin.query(`drop database if exists ${ident(TEMPLATE_DATABASE)}`);
    await admin.query(`create database ${ident(TEMPLATE_DATABASE)} template postgres`);
    await copyDatabaseGrantsAndSettings(admin, 'postgres', TEMPLATE_DATABASE);
    await admin.query(
      `comment on database ${ident(TEMPLATE_DATABASE)} is ${pg.escapeLiteral(TEMPLATE_COMMENT + key)}`,
    );
    await admin.query(
      `alter database ${ident(TEMPLATE_DATABASE)} with is_template true allow_connections false`,
    );
  });
}

/** The key the cluster's template database was made for, or undefined when it has none. */
export async function templateDatabaseKey(
  superuserUrl: (database: string) => string,
): Promise<string | undefined> {
  return withAdmin(superuserUrl, async (admin) => {
    const { rows } = await admin.query<{ comment: string | null }>(
      `select pg_catalog.shobj_description(oid, 'pg_database') as comment
         from pg_catalog.pg_database where datname = $1`,
      [TEMPLATE_DATABASE],
    );
    const comment = rows[0]?.comment;
    return comment?.startsWith(TEMPLATE_COMMENT) ? comment.slice(TEMPLATE_COMMENT.length) : undefined;
  });
}

/**
 * Databases taken out of service by a reset or a disposed test copy, dropped later in the
 * background: DROP DATABASE forces a checkpoint (every dirty buffer of the cluster written and
 * synced), which took 0.9–4.8 s here under load, while the rename that retires one is a catalog
 * update.
 */
const RETIRED_PREFIX = 'groundwork_retired_';

/** Retries `work` while Postgres answers `code` (a session or walsender still going away). */
async function whileBusy<T>(code: string, work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if ((error as { code?: string }).code !== code || attempt >= 400) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/**
 * Ends every session of `database` (new ones are refused meanwhile, so a service reconnecting
 * cannot slip in) and drops its logical replication slots (Realtime's): slot names are
 * cluster-wide, so the database's replacement needs the name free at once, and Postgres
 * refuses to drop a database a slot belongs to.
 */
async function closeDatabase(admin: pg.Client, database: string): Promise<boolean> {
  const exists = await admin.query('select 1 from pg_catalog.pg_database where datname = $1', [database]);
  if (!exists.rowCount) return false;
  await admin.query(`alter database ${ident(database)} with allow_connections false`);
  await admin.query(
    `select pg_catalog.pg_terminate_backend(active_pid) from pg_catalog.pg_replication_slots
      where database = $1 and active_pid is not null`,
    [database],
  );
  // A terminated walsender releases its slot a moment later; until then the drop fails (55006).
  await whileBusy('55006', () =>
    admin.query(
      'select pg_catalog.pg_drop_replication_slot(slot_name) from pg_catalog.pg_replication_slots where database = $1',
      [database],
    ),
  );
  return true;
}

/**
 * Takes `database` out of service at once: its sessions end, its slots go, and it is renamed
 * to a retired name that `dropRetiredDatabases` drops later, off the caller's path.
 */
async function retireDatabase(admin: pg.Client, database: string): Promise<void> {
  if (!(await closeDatabase(admin, database))) return;
  const retired = `${RETIRED_PREFIX}${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  // A rename needs the database without sessions: ended ones take a moment to go (55006).
  await whileBusy('55006', async () => {
    await admin.query(
      `select pg_catalog.pg_terminate_backend(pid) from pg_catalog.pg_stat_activity
        where datname = $1 and pid <> pg_catalog.pg_backend_pid()`,
      [database],
    );
    await admin.query(`alter database ${ident(database)} rename to ${ident(retired)}`);
  });
}

/** Drops every retired database (what resets and disposed test copies left to drop). */
async function dropRetiredDatabases(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ name: string }>(
    'select datname as name from pg_catalog.pg_database where datname like $1',
    [`${RETIRED_PREFIX}%`],
  );
  for (const { name } of rows) {
    try {
      await admin.query(`drop database ${ident(name)} with (force)`);
    } catch (error) {
      // 3D000: another process dropped it first.
      if ((error as { code?: string }).code !== '3D000') throw error;
    }
  }
}

/** `CREATE DATABASE name TEMPLATE groundwork_template`, owned by postgres, with the original's grants and settings. */
async function copyTemplate(admin: pg.Client, database: string): Promise<void> {
  await admin.query(`create database ${ident(database)} template ${ident(TEMPLATE_DATABASE)} owner postgres`);
  await copyDatabaseGrantsAndSettings(admin, TEMPLATE_DATABASE, database);
}

/**
 * Renames a spare to `database` if there is one; false if none is left. Two processes may
 * race for the same spare: the rename is atomic, the loser finds it gone and tries the next.
 */
async function claimSpare(admin: pg.Client, database: string): Promise<boolean> {
  const { rows } = await admin.query<{ name: string }>(
    `select datname as name from pg_catalog.pg_database where datname like $1 order by oid`,
    [`${SPARE_PREFIX}%`],
  );
  for (const { name } of rows) {
    try {
      await admin.query(`alter database ${ident(name)} rename to ${ident(database)}`);
    } catch (error) {
      // 3D000: claimed by another process first.
      if ((error as { code?: string }).code === '3D000') continue;
      throw error;
    }
    await admin.query(`alter database ${ident(database)} with allow_connections true`);
    return true;
  }
  return false;
}

/** The template copied under `database`: a spare renamed when there is one, else copied now. */
async function copyOrClaim(admin: pg.Client, database: string): Promise<void> {
  if (!(await claimSpare(admin, database))) await copyTemplate(admin, database);
}

/**
 * Drops the retired databases, then tops the spares up to `count`. Run in the background after
 * a start, a reset or a claim; a spare is made under a name of its own and renamed, so a
 * half-made one is never claimed.
 */
export async function prepareSpareDatabases(
  superuserUrl: (database: string) => string,
  count: number,
): Promise<void> {
  await withAdmin(superuserUrl, async (admin) => {
    await dropRetiredDatabases(admin);
    const { rows } = await admin.query<{ n: number }>(
      `select count(*)::int as n from pg_catalog.pg_database where datname like $1`,
      [`${SPARE_PREFIX}%`],
    );
    for (let have = rows[0]?.n ?? 0; have < count; have++) {
      const making = `groundwork_making_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
      await copyTemplate(admin, making);
      await admin.query(`alter database ${ident(making)} with allow_connections false`);
      await admin.query(
        `alter database ${ident(making)} rename to ${ident(`${SPARE_PREFIX}${making.slice(18)}`)}`,
      );
    }
  });
}

async function assertTemplateFor(superuserUrl: (database: string) => string, key: string): Promise<void> {
  const found = await templateDatabaseKey(superuserUrl);
  if (found !== key) {
    throw new StackError(
      'template_outdated',
      found
        ? 'the migrations or seed changed since the database template was made'
        : 'this database has no template (it was made by an older groundwork)',
      'reset',
    );
  }
}

/**
 * Recreates a database (`postgres`, or a test copy) from the template while the stack runs:
 * its sessions end (PostgREST, Auth, Storage, Realtime, cron and net reconnect by themselves)
 * and the migration history is the template's, which is what the Supabase CLI wrote. The old
 * one is retired (renamed), not dropped: the next `prepareSpareDatabases` drops it.
 */
export async function recreateDatabaseFromTemplate(
  superuserUrl: (database: string) => string,
  key: string,
  database = 'postgres',
): Promise<void> {
  await assertTemplateFor(superuserUrl, key);
  await withAdmin(superuserUrl, async (admin) => {
    await retireDatabase(admin, database);
    await copyOrClaim(admin, database);
  });
}

/** A new database copied from the template, for one test file; `retireDatabaseCopy` removes it. */
export async function createDatabaseCopy(
  superuserUrl: (database: string) => string,
  key: string,
  name: string,
): Promise<void> {
  await assertTemplateFor(superuserUrl, key);
  await withAdmin(superuserUrl, (admin) => copyOrClaim(admin, name));
}

/**
 * Takes a test copy out of service at once (sessions ended, slots dropped, renamed away); the
 * next `prepareSpareDatabases` (the next file's copy starts one) drops it, off this file's path.
 */
export async function retireDatabaseCopy(
  superuserUrl: (database: string) => string,
  name: string,
): Promise<void> {
  await withAdmin(superuserUrl, (admin) => retireDatabase(admin, name));
}
