import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStackError } from '../src/errors.ts';
import { silentLogger } from '../src/logger.ts';
import { clusterDirFor } from '../src/processes/data-dir.ts';
import { findFreePort } from '../src/processes/ports.ts';
import { initCluster, startPostgres } from '../src/processes/postgres.ts';
import { makeStackTempDir, startTestStack, type TestStack } from '../src/testing/index.ts';

const fixture = new URL('./fixtures/hosted-privileges', import.meta.url).pathname;

function scratchProject(): { project: string; stateDir: string; remove(): void } {
  const project = mkdtempSync(join(tmpdir(), 'groundwork-privileges-'));
  const stateDir = makeStackTempDir('groundwork-privileges-state-');
  cpSync(fixture, project, { recursive: true });
  return {
    project,
    stateDir,
    remove() {
      rmSync(project, { recursive: true, force: true });
      rmSync(clusterDirFor(stateDir), { recursive: true, force: true });
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

async function startFailure(options: { workdir: string; stateDir: string }): Promise<unknown> {
  return startTestStack({ ...options, services: [] }).then(
    async (stack) => {
      await stack.stop();
      return undefined;
    },
    (error: unknown) => error,
  );
}

interface PgError {
  code?: string;
  message: string;
  hint?: string;
}

// One project for the refused migrations and for postgres' privileges: the stack that shows what
// hosted allows was applied is the one the privilege tests connect to (a start and a stop fewer).
describe('the hosted-privileges fixture', () => {
  const scratch = scratchProject();
  let stack: TestStack | undefined;
  const startFixtureStack = async () => {
    stack ??= await startTestStack({ workdir: scratch.project, stateDir: scratch.stateDir, services: [] });
    return stack;
  };
  afterAll(async () => {
    await stack?.stop();
    scratch.remove();
  });

  describe('migrations hosted refuses fail locally, through the real Supabase CLI, with hosted’s error', () => {
    /** The error a start gives with this one extra migration, which is removed again after. */
    const refusalOf = async (name: string, sql: string) => {
      const path = join(scratch.project, 'supabase', 'migrations', name);
      writeFileSync(path, sql);
      const failure = await startFailure({ workdir: scratch.project, stateDir: scratch.stateDir });
      rmSync(path);
      expect(isStackError(failure) && failure.code).toBe('migration_failed');
      return (failure as Error).message;
    };

    it('alter table auth.users add column … fails with "must be owner of table users"', async () => {
      expect(
        await refusalOf(
          '20250102000000_alter_auth_users.sql',
          'alter table auth.users add column nickname text;\n',
        ),
      ).toBe(
        'supabase/migrations/20250102000000_alter_auth_users.sql: must be owner of table users (SQLSTATE 42501)',
      );
    });

    it('create extension of one supautils does not allow fails with Postgres’ refusal', async () => {
      expect(
        await refusalOf('20250102000000_file_fdw.sql', 'create extension if not exists file_fdw;\n'),
      ).toBe(
        'supabase/migrations/20250102000000_file_fdw.sql: permission denied to create extension "file_fdw" (SQLSTATE 42501)',
      );
    });

    it('a policy on a platform table outside supautils’ policy_grants fails as Postgres would', async () => {
      expect(
        await refusalOf(
          '20250102000000_flow_state_policy.sql',
          'create policy "Everyone" on auth.flow_state for select using (true);\n',
        ),
      ).toBe(
        'supabase/migrations/20250102000000_flow_state_policy.sql: must be owner of table flow_state (SQLSTATE 42501)',
      );
    });

    it('applies what hosted allows, and nothing of the refused files', async () => {
      const stack = await startFixtureStack();
      const { rows } = await stack.db.query<{ version: string }>(
        'select version from supabase_migrations.schema_migrations order by version',
      );
      expect(rows).toEqual([{ version: '20250101000000' }]);
      const columns = await stack.db.query(
        `select 1 from information_schema.columns where table_schema = 'auth' and table_name = 'users' and column_name = 'nickname'`,
      );
      expect(columns.rowCount).toBe(0);
    });
  });

  describe('postgres as hosted has it, for psql and app code', () => {
    let db: pg.Pool;

    beforeAll(async () => {
      const stack = await startFixtureStack();
      // A client as an app or psql would connect with the printed DB URL.
      db = new pg.Pool({ connectionString: stack.status.DB_URL, max: 2 });
    });
    afterAll(async () => {
      await db?.end();
    });

    /** Runs `sql` in a transaction that is rolled back, so nothing it does stays. */
    async function tryInTransaction(sql: string): Promise<PgError | undefined> {
      const client = await db.connect();
      try {
        await client.query('begin');
        return await client.query(sql).then(
          () => undefined,
          (error: PgError) => error,
        );
      } finally {
        await client.query('rollback');
        client.release();
      }
    }

    it('is an ordinary role with hosted’s attributes; supabase_admin is the only superuser', async () => {
      const { rows } = await db.query(
        `select current_user, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls
         from pg_roles where rolname = current_user`,
      );
      expect(rows).toEqual([
        {
          current_user: 'postgres',
          rolsuper: false,
          rolinherit: true,
          rolcreaterole: true,
          rolcreatedb: true,
          rolcanlogin: true,
          rolreplication: true,
          rolbypassrls: true,
        },
      ]);
      const superusers = await db.query('select rolname from pg_roles where rolsuper order by rolname');
      expect(superusers.rows).toEqual([{ rolname: 'supabase_admin' }]);
    });

    it('holds hosted’s memberships, and none of the platform admins’', async () => {
      const { rows } = await db.query(
        `select r.rolname as role, m.admin_option as admin
         from pg_auth_members m join pg_roles r on r.oid = m.roleid
        where m.member = 'postgres'::regrole order by r.rolname`,
      );
      expect(rows).toEqual([
        { role: 'anon', admin: true },
        { role: 'authenticated', admin: true },
        { role: 'authenticator', admin: true },
        { role: 'pg_create_subscription', admin: false },
        { role: 'pg_monitor', admin: true },
        { role: 'pg_read_all_data', admin: true },
        { role: 'pg_signal_backend', admin: true },
        // Made by the fixture's migration: PostgreSQL 16+ gives a CREATEROLE creator ADMIN on it.
        { role: 'reporting', admin: true },
        { role: 'service_role', admin: true },
        { role: 'supabase_functions_admin', admin: false },
      ]);
    });

    it('owns the database, the public and extensions schemas and supabase_realtime; the platform owns its tables', async () => {
      const { rows } = await db.query(`select
        (select datdba::regrole::text from pg_database where datname = current_database()) as database,
        (select nspowner::regrole::text from pg_namespace where nspname = 'public') as public,
        (select nspowner::regrole::text from pg_namespace where nspname = 'extensions') as extensions,
        (select nspowner::regrole::text from pg_namespace where nspname = 'auth') as auth,
        (select pubowner::regrole::text from pg_publication where pubname = 'supabase_realtime') as publication,
        (select relowner::regrole::text from pg_class where oid = 'auth.users'::regclass) as auth_users,
        (select relowner::regrole::text from pg_class where oid = 'storage.objects'::regclass) as storage_objects,
        (select relowner::regrole::text from pg_class where oid = 'realtime.messages'::regclass) as realtime_messages,
        (select relowner::regrole::text from pg_class where oid = 'public.profiles'::regclass) as profiles`);
      expect(rows).toEqual([
        {
          database: 'postgres',
          public: 'pg_database_owner',
          extensions: 'postgres',
          auth: 'supabase_admin',
          publication: 'postgres',
          auth_users: 'supabase_auth_admin',
          storage_objects: 'supabase_storage_admin',
          realtime_messages: 'supabase_realtime_admin',
          profiles: 'postgres',
        },
      ]);
    });

    it.each([
      ['alter table auth.users add column nickname text', 'must be owner of table users'],
      ['alter table storage.objects add column note text', 'must be owner of table objects'],
      ['alter table storage.objects disable row level security', 'must be owner of table objects'],
      [
        'create policy "Open" on auth.flow_state for select using (true)',
        'must be owner of table flow_state',
      ],
      ['drop schema auth cascade', 'must be owner of schema auth'],
      ['set role supabase_admin', 'permission denied to set role "supabase_admin"'],
      ['set role supabase_auth_admin', 'permission denied to set role "supabase_auth_admin"'],
      ['alter role postgres superuser', 'permission denied to alter role'],
      ['create role intruder superuser', 'permission denied to create role'],
      ['grant pg_read_server_files to postgres', 'permission denied to grant role "pg_read_server_files"'],
      ["copy (select 1) to program 'true'", 'permission denied to COPY to or from an external program'],
      [
        'create event trigger watch_ddl on ddl_command_end execute function extensions.pgrst_ddl_watch()',
        'permission denied to create event trigger "watch_ddl"',
      ],
      ["alter system set work_mem = '8MB'", 'permission denied to set parameter "work_mem"'],
      ["select pg_read_file('PG_VERSION')", 'permission denied for function pg_read_file'],
      ['checkpoint', 'permission denied to execute CHECKPOINT command'],
      ["update vault.secrets set description = 'changed'", 'permission denied for table secrets'],
    ])('is refused %s with "%s"', async (sql, message) => {
      // Outside a transaction: some of these may not run in one, and all of them fail.
      const error = await db.query(sql).then(
        () => undefined,
        (caught: PgError) => caught,
      );
      expect(error).toMatchObject({ code: '42501', message });
    });

    it.each([
      'select pg_reload_conf()',
      'set local session_replication_role = replica',
      "alter database postgres set statement_timeout = '60s'",
      'create schema private',
      'create publication app_changes for table public.profiles',
      `insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
       values (gen_random_uuid(), 'authenticated', 'authenticated', 'psql@example.com', '{"handle":"psql"}', now(), now())`,
      'select count(*) from auth.users',
      'drop trigger on_auth_user_created on auth.users',
      `create policy "Buckets are listed" on storage.buckets for select to authenticated using (true)`,
      'set local role service_role',
      'create role app_admin nologin; grant anon to app_admin',
      'create table public.scratch (id int); alter publication supabase_realtime add table public.scratch',
    ])('may %s', async (sql) => {
      expect(await tryInTransaction(sql)).toBeUndefined();
    });

    it('keeps none of the owners a policy change borrowed', async () => {
      await db.query('create policy "Nobody" on storage.buckets for update to authenticated using (false)');
      await db.query('drop policy "Nobody" on storage.buckets');
      const { rows } = await db.query(
        `select pg_has_role('postgres', r, 'usage') as member from unnest(array[
         'supabase_auth_admin', 'supabase_storage_admin', 'supabase_realtime_admin', 'supabase_admin']) as r`,
      );
      expect(rows).toEqual([{ member: false }, { member: false }, { member: false }, { member: false }]);
    });

    // Every extension supautils lets postgres create that these binaries have (and lo, which
    // Postgres trusts), except those already installed or made by the fixture's migration.
    it.each([
      'autoinc',
      'bloom',
      'btree_gin',
      'btree_gist',
      'dblink',
      'dict_int',
      'dict_xsyn',
      'fuzzystrmatch',
      'hstore',
      'insert_username',
      'intarray',
      'isn',
      'lo',
      'ltree',
      'pg_cron',
      'pg_net',
      'pg_walinspect',
      'pgrowlocks',
      'postgres_fdw',
      'refint',
      'seg',
      'sslinfo',
      'tablefunc',
      'tcn',
      'tsm_system_rows',
      'tsm_system_time',
      'unaccent',
    ])(
      'may create extension %s, its objects owned by the superuser as supautils makes them',
      async (name) => {
        const client = await db.connect();
        try {
          await client.query('begin');
          await client.query(`create extension "${name}" cascade`);
          const { rows } = await client.query<{ owners: string[] }>(
            `select coalesce(array_agg(distinct p.proowner::regrole::text), '{}') as owners
           from pg_depend d join pg_proc p on p.oid = d.objid
          where d.refclassid = 'pg_extension'::regclass and d.classid = 'pg_proc'::regclass
            and d.refobjid = (select oid from pg_extension where extname = $1)`,
            [name],
          );
          expect(
            (rows[0] as { owners: string[] }).owners.filter((owner) => owner !== 'supabase_admin'),
          ).toEqual([]);
        } finally {
          await client.query('rollback');
          client.release();
        }
      },
    );

    it.each([
      'amcheck',
      'file_fdw',
      'intagg',
      'pageinspect',
      'pg_buffercache',
      'pg_freespacemap',
      'pg_prewarm',
      'pg_surgery',
      'pg_visibility',
      'pgstattuple',
      'xml2',
      // Not in Supabase's image at all (hosted says "not available"); refused here.
      'plperl',
      'pltcl',
    ])('may not create extension %s: "permission denied to create extension"', async (name) => {
      expect(await tryInTransaction(`create extension "${name}"`)).toMatchObject({
        code: '42501',
        message: `permission denied to create extension "${name}"`,
        hint: 'Must be superuser to create this extension.',
      });
    });

    it('sees the server settings Supabase’s image sets', async () => {
      const names = [
        'effective_cache_size',
        'timezone',
        'log_timezone',
        'extra_float_digits',
        'default_text_search_config',
        'checkpoint_completion_target',
        'max_replication_slots',
        'max_slot_wal_keep_size',
        'row_security',
        'password_encryption',
        'cluster_name',
        'cron.database_name',
      ];
      const shown: Record<string, string> = {};
      for (const name of names) {
        const { rows } = await db.query<{ value: string }>('select current_setting($1) as value', [name]);
        shown[name] = (rows[0] as { value: string }).value;
      }
      expect(shown).toEqual({
        effective_cache_size: '128MB',
        timezone: 'UTC',
        log_timezone: 'UTC',
        extra_float_digits: '0',
        default_text_search_config: 'pg_catalog.english',
        checkpoint_completion_target: '0.5',
        max_replication_slots: '5',
        max_slot_wal_keep_size: '1GB',
        row_security: 'on',
        password_encryption: 'scram-sha-256',
        cluster_name: 'main',
        'cron.database_name': 'postgres',
      });
      // What apps see of them: rounded float output and UTC wall-clock times.
      const { rows } = await db.query(
        `select (0.1::float8 + 0.2::float8)::text as sum, to_char(timestamptz '2025-06-01 12:00:00+00', 'HH24:MI') as noon`,
      );
      expect(rows).toEqual([{ sum: '0.3', noon: '12:00' }]);
    });
  });
});

describe('a database made by an older groundwork (postgres the superuser)', () => {
  const scratch = scratchProject();
  afterAll(() => scratch.remove());

  it('is refused with database_outdated, telling the user to run groundwork reset; after a reset it starts', async () => {
    const dataDir = clusterDirFor(scratch.stateDir);
    await initCluster(dataDir, silentLogger, 'postgres');
    // Older releases also had a supabase_admin superuser, made by the bootstrap.
    const server = await startPostgres({ dataDir, port: await findFreePort(), log: silentLogger });
    const client = new pg.Client({ connectionString: server.url('postgres') });
    await client.connect();
    await client.query(`create role supabase_admin login superuser password 'postgres'`);
    await client.end();
    await server.stop();

    const failure = await startFailure({ workdir: scratch.project, stateDir: scratch.stateDir });
    expect(isStackError(failure) && failure.code).toBe('database_outdated');
    expect((failure as Error).message).toContain('Run "groundwork reset"');
    expect((failure as Error).message).toContain(dataDir);

    // What `groundwork reset` does to the database: remove it, then start afresh.
    rmSync(dataDir, { recursive: true, force: true });
    await using stack = await startTestStack({
      workdir: scratch.project,
      stateDir: scratch.stateDir,
      services: [],
    });
    const { rows } = await stack.db.query('select rolsuper from pg_roles where rolname = current_user');
    expect(rows).toEqual([{ rolsuper: false }]);
  });
});
