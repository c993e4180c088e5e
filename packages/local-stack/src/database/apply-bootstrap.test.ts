import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStackError } from '../errors.ts';
import { silentLogger } from '../logger.ts';
import { findFreePort } from '../processes/ports.ts';
import { SUPERUSER, startPostgres } from '../processes/postgres.ts';
import { runSupabaseCli } from '../processes/supabase-cli.ts';
import { makeStackTempDir } from '../testing/temp-dirs.ts';
import { applyBootstrap, bootstrapState, bootstrapVersion } from './apply-bootstrap.ts';

// A bare cluster, as the stack starts it, without the bootstrap applied.
interface Cluster {
  /** The superuser's URL: the bootstrap runs as supabase_admin. */
  url: string;
  /** Any role's URL (all use the local password), e.g. `postgres` for migrations as on hosted. */
  urlAs(role: string): string;
  stop(): Promise<void>;
}

async function startThrowawayCluster(): Promise<Cluster> {
  const root = makeStackTempDir('groundwork-bootstrap-test-');
  const postgres = await startPostgres({
    dataDir: join(root, 'postgres'),
    port: await findFreePort(),
    log: silentLogger,
  });
  return {
    url: postgres.url(SUPERUSER),
    urlAs: (role) => postgres.url(role),
    async stop() {
      await postgres.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

// A migration as a hosted project would write it, applied unchanged by the real CLI.
const HOSTED_STYLE_MIGRATION = `
create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  username text unique,
  created_at timestamptz not null default now()
);
alter table public.profiles enable row level security;

create policy "Users can read their own profile" on public.profiles
  for select to authenticated using ((select auth.uid()) = id);
create policy "Users can update their own profile" on public.profiles
  for update to authenticated using ((select auth.uid()) = id) with check ((select auth.uid()) = id);

create function public.handle_new_user() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.profiles (id, username) values (new.id, new.raw_user_meta_data ->> 'username');
  return new;
end;
$$;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function public.handle_new_user();

-- Unqualified uuid_generate_v4() relies on postgres' search_path including extensions.
create table public.notes (
  id uuid primary key default uuid_generate_v4(),
  owner_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  body text not null
);
create index notes_owner_id_idx on public.notes (owner_id);
alter table public.notes enable row level security;
create policy "Users can read their own notes" on public.notes
  for select to authenticated using ((select auth.uid()) = owner_id);

alter publication supabase_realtime add table public.profiles, public.notes;

insert into storage.buckets (id, name, public) values ('avatars', 'avatars', false);

create policy "Users can upload into their own folder" on storage.objects
  for insert to authenticated
  with check (bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text);
create policy "Users can read their own folder" on storage.objects
  for select to authenticated
  using (bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text);

create policy "Users can receive broadcasts on their own topic" on realtime.messages
  for select to authenticated using (realtime.topic() = 'user:' || (select auth.uid())::text);
`;

const alice = '6f3c1a52-9a4e-4c61-8d55-1b1f3c2d9e01';
const bob = '0b9e2c7d-3f4a-4e8b-9c1d-2a3b4c5d6e7f';

describe('applyBootstrap', () => {
  let cluster: Cluster;
  let client: pg.Client;
  let projectDir: string;

  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    client = new pg.Client(cluster.url);
    await client.connect();
    projectDir = mkdtempSync(join(tmpdir(), 'groundwork-bootstrap-project-'));
    mkdirSync(join(projectDir, 'supabase', 'migrations'), { recursive: true });
    writeFileSync(join(projectDir, 'supabase', 'config.toml'), 'project_id = "bootstrap-test"\n');
    writeFileSync(
      join(projectDir, 'supabase', 'migrations', '20240101000000_profiles.sql'),
      HOSTED_STYLE_MIGRATION,
    );
  }, 60_000);

  afterAll(async () => {
    await client?.end();
    await cluster?.stop();
    if (projectDir) rmSync(projectDir, { recursive: true, force: true });
  });

  /** Runs `body` as PostgREST would for a request carrying `claims`, then rolls back. */
  async function asRequest<T>(role: string, claims: object, body: () => Promise<T>): Promise<T> {
    await client.query('begin');
    try {
      await client.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [
        role,
        JSON.stringify({ ...claims, role }),
      ]);
      return await body();
    } finally {
      await client.query('rollback');
    }
  }

  it('reports a non-superuser run as bootstrap_failed naming the file', async () => {
    await client.query(`create role plain_user login password 'plain'`);
    const plain = new pg.Client(cluster.urlAs('plain_user').replace(':postgres@', ':plain@'));
    await plain.connect();
    try {
      const error = await applyBootstrap(plain).catch((caught: unknown) => caught);
      expect(isStackError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'bootstrap_failed', step: 'bootstrap' });
      expect((error as Error).message).toMatch(/^00-roles\.sql: permission denied to create role/);
    } finally {
      await plain.end();
      await client.query('drop role plain_user');
    }
    expect(await bootstrapState(client)).toBe('missing');
  });

  it('applies to a fresh cluster and records its version', async () => {
    expect(await bootstrapState(client)).toBe('missing');
    await applyBootstrap(client);
    expect(await bootstrapState(client)).toBe('current');
    const { rows } = await client.query('select version from groundwork.bootstrap');
    expect(rows).toEqual([{ version: bootstrapVersion() }]);
    expect(bootstrapVersion()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does nothing when applied a second time', async () => {
    await applyBootstrap(client);
    expect(await bootstrapState(client)).toBe('current');
    const { rows } = await client.query('select count(*)::int as count from groundwork.bootstrap');
    expect(rows[0].count).toBe(1);
  });

  it('re-applies over a database bootstrapped by an older version', async () => {
    await client.query(`update groundwork.bootstrap set version = 'an-older-bootstrap'`);
    expect(await bootstrapState(client)).toBe('stale');
    await applyBootstrap(client);
    expect(await bootstrapState(client)).toBe('current');
  });

  it('creates the hosted roles with their attributes', async () => {
    const { rows } = await client.query(
      `select rolname, rolcanlogin, rolinherit, rolbypassrls, rolreplication, rolsuper
       from pg_roles where rolname = any($1) order by rolname`,
      [
        [
          'anon',
          'authenticated',
          'service_role',
          'authenticator',
          'postgres',
          'supabase_admin',
          'supabase_replication_admin',
        ],
      ],
    );
    expect(rows).toEqual([
      {
        rolname: 'anon',
        rolcanlogin: false,
        rolinherit: true,
        rolbypassrls: false,
        rolreplication: false,
        rolsuper: false,
      },
      {
        rolname: 'authenticated',
        rolcanlogin: false,
        rolinherit: true,
        rolbypassrls: false,
        rolreplication: false,
        rolsuper: false,
      },
      {
        rolname: 'authenticator',
        rolcanlogin: true,
        rolinherit: false,
        rolbypassrls: false,
        rolreplication: false,
        rolsuper: false,
      },
      {
        rolname: 'postgres',
        rolcanlogin: true,
        rolinherit: true,
        rolbypassrls: true,
        rolreplication: true,
        rolsuper: false,
      },
      {
        rolname: 'service_role',
        rolcanlogin: false,
        rolinherit: true,
        rolbypassrls: true,
        rolreplication: false,
        rolsuper: false,
      },
      {
        rolname: 'supabase_admin',
        rolcanlogin: true,
        rolinherit: true,
        rolbypassrls: true,
        rolreplication: true,
        rolsuper: true,
      },
      {
        rolname: 'supabase_replication_admin',
        rolcanlogin: true,
        rolinherit: true,
        rolbypassrls: false,
        rolreplication: true,
        rolsuper: false,
      },
    ]);
    const settings = await client.query(
      `select r.rolname, s.setconfig from pg_db_role_setting s join pg_roles r on r.oid = s.setrole
       where r.rolname in ('anon', 'authenticated') order by r.rolname`,
    );
    expect(settings.rows).toEqual([
      { rolname: 'anon', setconfig: ['statement_timeout=3s'] },
      { rolname: 'authenticated', setconfig: ['statement_timeout=8s'] },
    ]);
  });

  it('lets authenticator log in with the local password and act as anon', async () => {
    const authenticator = new pg.Client(cluster.urlAs('authenticator'));
    await authenticator.connect();
    try {
      await authenticator.query('set role anon');
      const { rows } = await authenticator.query('select current_user');
      expect(rows).toEqual([{ current_user: 'anon' }]);
    } finally {
      await authenticator.end();
    }
  });

  it('applies a hosted-style migration unchanged with the real Supabase CLI, as postgres', async () => {
    const result = await runSupabaseCli(
      [
        'migration',
        'up',
        `--remote=${cluster.urlAs('postgres')}?sslmode=disable`,
        '--yes',
        '--workdir',
        projectDir,
      ],
      { cwd: projectDir },
    );
    expect(result.stdout + result.stderr).toContain('Applying migration 20240101000000_profiles.sql');
    expect(result.code).toBe(0);
    const published = await client.query(
      `select tablename from pg_publication_tables where pubname = 'supabase_realtime' order by tablename`,
    );
    expect(published.rows).toEqual([{ tablename: 'notes' }, { tablename: 'profiles' }]);
  });

  it('runs the security-definer trigger on auth.users inserts', async () => {
    await client.query(
      `insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
       values ($1, 'authenticated', 'authenticated', 'alice@example.com', '{"username":"alice"}', now(), now()),
              ($2, 'authenticated', 'authenticated', 'bob@example.com', '{"username":"bob"}', now(), now())`,
      [alice, bob],
    );
    const { rows } = await client.query('select id, username from public.profiles order by username');
    expect(rows).toEqual([
      { id: alice, username: 'alice' },
      { id: bob, username: 'bob' },
    ]);
  });

  it('makes auth.uid(), auth.role(), auth.email() and auth.jwt() read the request claims', async () => {
    const row = await asRequest('authenticated', { sub: alice, email: 'alice@example.com' }, async () => {
      const { rows } = await client.query(
        `select auth.uid() as uid, auth.role() as role, auth.email() as email, auth.jwt() ->> 'sub' as jwt_sub`,
      );
      return rows[0];
    });
    expect(row).toEqual({ uid: alice, role: 'authenticated', email: 'alice@example.com', jwt_sub: alice });
  });

  it('still honours the legacy per-claim settings', async () => {
    await client.query('begin');
    try {
      await client.query(`select set_config('request.jwt.claim.sub', $1, true)`, [bob]);
      const { rows } = await client.query('select auth.uid() as uid');
      expect(rows[0].uid).toBe(bob);
    } finally {
      await client.query('rollback');
    }
  });

  it('returns null from auth.uid() for a request without claims', async () => {
    const { rows } = await client.query('select auth.uid() as uid');
    expect(rows[0].uid).toBeNull();
  });

  it('filters rows by the policy for authenticated requests', async () => {
    const visible = await asRequest('authenticated', { sub: alice }, async () => {
      const { rows } = await client.query('select username from public.profiles');
      return rows;
    });
    expect(visible).toEqual([{ username: 'alice' }]);
  });

  it('fills a column defaulting to auth.uid() from the request claims', async () => {
    await client.query('begin');
    try {
      await client.query(`select set_config('request.jwt.claims', $1, true)`, [
        JSON.stringify({ sub: alice }),
      ]);
      const { rows } = await client.query(
        `insert into public.notes (body) values ('hello') returning owner_id`,
      );
      expect(rows).toEqual([{ owner_id: alice }]);
    } finally {
      await client.query('rollback');
    }
  });

  it('lets service_role bypass RLS', async () => {
    const count = await asRequest('service_role', {}, async () => {
      const { rows } = await client.query('select count(*)::int as count from public.profiles');
      return rows[0].count;
    });
    expect(count).toBe(2);
  });

  it.each(['anon', 'authenticated', 'service_role'])('denies %s any read of auth.users', async (role) => {
    const error = await asRequest(role, { sub: alice }, () =>
      client.query('select * from auth.users').catch((caught: unknown) => caught),
    );
    expect(error).toMatchObject({ code: '42501', message: 'permission denied for table users' });
  });

  it('applies storage policies written with storage.foldername()', async () => {
    const own = await asRequest('authenticated', { sub: alice }, async () => {
      const { rows } = await client.query(
        `insert into storage.objects (bucket_id, name, owner_id) values ('avatars', $1, $2) returning name`,
        [`${alice}/avatar.png`, alice],
      );
      return rows;
    });
    expect(own).toEqual([{ name: `${alice}/avatar.png` }]);

    const foreign = await asRequest('authenticated', { sub: alice }, () =>
      client
        .query(`insert into storage.objects (bucket_id, name) values ('avatars', $1)`, [`${bob}/avatar.png`])
        .catch((caught: unknown) => caught),
    );
    expect(foreign).toMatchObject({ code: '42501' });
    expect((foreign as Error).message).toContain('violates row-level security policy for table "objects"');
  });

  it('splits object names the way hosted storage helpers do', async () => {
    const { rows } = await client.query(
      `select storage.foldername('a/b/c.tar.gz') as folders, storage.filename('a/b/c.tar.gz') as file,
              storage.extension('a/b/c.tar.gz') as ext, storage.extension('a/README') as no_dot,
              storage.foldername('top.txt') as no_folders`,
    );
    expect(rows[0]).toEqual({
      folders: ['a', 'b'],
      file: 'c.tar.gz',
      ext: 'gz',
      no_dot: 'README',
      no_folders: [],
    });
  });

  it('lists one level of a bucket with storage.search()', async () => {
    await client.query(
      `insert into storage.objects (bucket_id, name, metadata) values
         ('avatars', 'team/logo.png', '{"size": 10}'),
         ('avatars', 'team/docs/a.pdf', '{"size": 20}'),
         ('avatars', 'team/docs/b.pdf', '{"size": 30}'),
         ('avatars', 'readme.txt', '{"size": 5}')`,
    );
    const top = await client.query(`select name, id is null as is_folder from storage.search('', 'avatars')`);
    expect(top.rows).toEqual([
      { name: 'team', is_folder: true },
      { name: 'readme.txt', is_folder: false },
    ]);
    const team = await client.query(
      `select name, id is null as is_folder from storage.search('team/', 'avatars', 100, 2)`,
    );
    expect(team.rows).toEqual([
      { name: 'docs', is_folder: true },
      { name: 'logo.png', is_folder: false },
    ]);
    const sizes = await client.query(
      `select size::int from storage.get_size_by_bucket() where bucket_id = 'avatars'`,
    );
    expect(sizes.rows).toEqual([{ size: 65 }]);
  });

  it('refuses direct deletes from storage.objects unless the Storage API opts in', async () => {
    const refused = await client.query(`delete from storage.objects`).catch((caught: unknown) => caught);
    expect(refused).toMatchObject({ code: '42501' });
    await client.query('begin');
    await client.query(`set local storage.allow_delete_query = 'true'`);
    const deleted = await client.query(`delete from storage.objects where name = 'readme.txt'`);
    await client.query('commit');
    expect(deleted.rowCount).toBe(1);
  });

  it('inserts broadcasts with realtime.send() and realtime.broadcast_changes()', async () => {
    await client.query(`select realtime.send('{"text":"hi"}', 'message', 'room:1')`);
    await client.query(`
      create function public.broadcast_note() returns trigger
      language plpgsql security definer set search_path = ''
      as $$
      begin
        perform realtime.broadcast_changes('notes', tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
        return null;
      end;
      $$;
      create trigger broadcast_note after insert on public.notes
        for each row execute function public.broadcast_note();
      insert into public.notes (owner_id, body) values ('${bob}', 'from a trigger');
    `);
    const { rows } = await client.query(
      `select topic, event, extension, private, payload ->> 'operation' as operation,
              payload -> 'record' ->> 'body' as body, payload ? 'id' as has_id
       from realtime.messages order by inserted_at, topic`,
    );
    expect(rows).toEqual([
      {
        topic: 'room:1',
        event: 'message',
        extension: 'broadcast',
        private: true,
        operation: null,
        body: null,
        has_id: true,
      },
      {
        topic: 'notes',
        event: 'INSERT',
        extension: 'broadcast',
        private: true,
        operation: 'INSERT',
        body: 'from a trigger',
        has_id: true,
      },
    ]);
  });

  it('lets realtime.messages policies authorize by the channel topic', async () => {
    const visibleOn = (topic: string) =>
      asRequest('authenticated', { sub: alice }, async () => {
        // The Realtime service sets the topic it is authorizing, then asks what RLS allows.
        await client.query(`select set_config('realtime.topic', $1, true)`, [topic]);
        const { rows } = await client.query('select count(*)::int as count from realtime.messages');
        return rows[0].count;
      });
    expect(await visibleOn(`user:${alice}`)).toBeGreaterThan(0);
    expect(await visibleOn(`user:${bob}`)).toBe(0);
  });

  it('re-applies a newer bootstrap without touching project tables, data or policies', async () => {
    const snapshot = `select
        (select count(*)::int from public.profiles) as profiles,
        (select count(*)::int from pg_policies where schemaname in ('public', 'storage', 'realtime')) as policies,
        (select count(*)::int from pg_publication_tables where pubname = 'supabase_realtime') as published,
        (select count(*)::int from storage.buckets) as buckets`;
    const before = (await client.query(snapshot)).rows[0];
    await client.query(`update groundwork.bootstrap set version = 'an-older-bootstrap'`);
    await applyBootstrap(client);
    expect(await bootstrapState(client)).toBe('current');
    expect((await client.query(snapshot)).rows[0]).toEqual(before);
  });

  it('passes supabase db advisors with nothing at WARN or above', async () => {
    const result = await runSupabaseCli(
      [
        'db',
        'advisors',
        `--remote=${cluster.urlAs('postgres')}?sslmode=disable`,
        '--yes',
        '--workdir',
        projectDir,
        '--level',
        'warn',
        '--output-format',
        'json',
      ],
      { cwd: projectDir },
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ results: [] });
  });
});
