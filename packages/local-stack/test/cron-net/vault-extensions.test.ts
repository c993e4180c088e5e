import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataDirOf } from '../../src/stack.ts';
import { startTestStack, type TestStack } from '../../src/testing/index.ts';

const fixture = new URL('./fixtures/net-project', import.meta.url).pathname;
const PLAINTEXT = 'plaintext-made-by-a-migration-5b1f0c';
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ workdir: fixture, services: [] });
});
afterAll(() => stack?.stop());

const query = async <Row extends pg.QueryResultRow>(sql: string, values: unknown[] = []) =>
  (await stack.db.query<Row>(sql, values)).rows;

/** As the superuser, for what a project's postgres may not do (as on hosted): CHECKPOINT, tampering with vault rows. */
async function asSuperuser(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: stack.postgres.url('supabase_admin') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** One statement in a session acting as `role` (SET ROLE, as PostgREST does). */
async function asRole<Row extends pg.QueryResultRow>(role: string, sql: string): Promise<Row[]> {
  const client = await stack.db.connect();
  try {
    await client.query(`set role ${role}`);
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.query('reset role').catch(() => {});
    client.release();
  }
}

describe('Vault on the local stack', () => {
  it('lets postgres and service_role read a secret a migration created, and not anon or authenticated', async () => {
    const read = `select decrypted_secret, description from vault.decrypted_secrets where name = 'migration_secret'`;
    for (const role of ['postgres', 'service_role']) {
      expect(await asRole(role, read)).toEqual([
        { decrypted_secret: PLAINTEXT, description: 'made by a migration' },
      ]);
    }
    for (const role of ['anon', 'authenticated']) {
      await expect(asRole(role, read)).rejects.toThrow('permission denied for schema vault');
      await expect(asRole(role, 'select * from vault.secrets')).rejects.toThrow(
        'permission denied for schema vault',
      );
    }
    // service_role may manage secrets, as on hosted; updating re-encrypts.
    const [created] = await asRole<{ id: string }>(
      'service_role',
      `select vault.create_secret('first', 'rotating') as id`,
    );
    await asRole('service_role', `select vault.update_secret('${created?.id}', 'second')`);
    expect(
      await query(`select decrypted_secret from vault.decrypted_secrets where name = 'rotating'`),
    ).toEqual([{ decrypted_secret: 'second' }]);
  });

  it('keeps ciphertext, never plaintext, on disk, under a key in the state folder and not in the database', async () => {
    const [row] = await query<{ secret: string }>(
      `select secret from vault.secrets where name = 'migration_secret'`,
    );
    expect(row?.secret).not.toContain(PLAINTEXT);
    expect(Buffer.from(row?.secret ?? '', 'base64').includes(PLAINTEXT)).toBe(false);

    await asSuperuser('checkpoint');
    const [file] = await query<{ path: string }>(`select pg_relation_filepath('vault.secrets') as path`);
    const heap = readFileSync(join(dataDirOf(stack.config), file?.path ?? ''));
    // The row is in the file (its name is stored as written), its secret is not.
    expect(heap.includes('migration_secret')).toBe(true);
    expect(heap.includes(PLAINTEXT)).toBe(false);

    const keyFile = join(stack.stateDir, 'vault.key');
    expect(existsSync(keyFile)).toBe(true);
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(heap.includes(key)).toBe(false);
    expect(
      await query(`select count(*)::int as n from vault.secrets where secret like '%' || $1 || '%'`, [key]),
    ).toEqual([{ n: 0 }]);
  });

  it('refuses a tampered ciphertext', async () => {
    await query(`select vault.create_secret('to be tampered with', 'tampered')`);
    await asSuperuser(
      `update vault.secrets set secret = 'AAAA' || substr(secret, 5) where name = 'tampered'`,
    );
    await expect(
      query(`select decrypted_secret from vault.decrypted_secrets where name = 'tampered'`),
    ).rejects.toThrow('vault: invalid ciphertext');
    await query(`delete from vault.secrets where name = 'tampered'`);
  });
});

describe('create extension for pg_cron, pg_net and supabase_vault', () => {
  it('accepts the forms Supabase docs and `supabase db pull` write', async () => {
    // Vault is there before the first migration, as on hosted.
    await query('create extension if not exists supabase_vault with schema vault');
    await expect(query('create extension supabase_vault')).rejects.toThrow(
      'extension "supabase_vault" already exists',
    );

    await query('drop extension pg_cron');
    await query('create extension pg_cron');
    await query('drop extension pg_cron');
    await query('create extension if not exists pg_cron with schema pg_catalog');
    await query('create extension if not exists pg_cron with schema extensions');
    await query('drop extension pg_cron');
    await query('create extension pg_cron with schema extensions');

    await query('drop extension pg_net');
    await query('create extension pg_net');
    await query('drop extension pg_net');
    await query('create extension if not exists pg_net with schema extensions');
    await query('create extension if not exists pg_net');

    expect(
      await query(
        `select extname, extversion from pg_extension where extname in ('pg_cron', 'pg_net', 'supabase_vault') order by extname`,
      ),
    ).toEqual([
      { extname: 'pg_cron', extversion: '1.6' },
      { extname: 'pg_net', extversion: '0.19.5' },
      { extname: 'supabase_vault', extversion: '0.3.1' },
    ]);
  });

  it('lets a role that is not a superuser create them (trusted), as postgres does on hosted', async () => {
    await query('create role extension_maker nologin');
    // postgres may administer the roles it creates; to SET ROLE to one it grants itself it (PostgreSQL 16+).
    await query('grant extension_maker to postgres');
    await query('grant create on database postgres to extension_maker');
    await query('grant create, usage on schema extensions to extension_maker');
    await query('drop extension pg_cron');
    await query('drop extension pg_net');
    await asRole('extension_maker', 'create extension pg_cron with schema extensions');
    await asRole('extension_maker', 'create extension pg_net with schema extensions');
    expect(
      await query(
        `select extname, extowner::regrole::text as owner from pg_extension where extname in ('pg_cron', 'pg_net') order by extname`,
      ),
    ).toEqual([
      { extname: 'pg_cron', owner: 'extension_maker' },
      { extname: 'pg_net', owner: 'extension_maker' },
    ]);
    // The objects inside belong to the bootstrap superuser; the maker reads its jobs, as postgres on hosted.
    expect(
      await query(
        `select tableowner <> 'extension_maker' as not_owned from pg_tables where schemaname = 'cron' and tablename = 'job'`,
      ),
    ).toEqual([{ not_owned: true }]);
  });

  it('creates pg_cron only in database postgres, as pg_cron does', async () => {
    await query('create database elsewhere');
    const client = new pg.Client({ connectionString: stack.postgres.url('postgres', 'elsewhere') });
    await client.connect();
    try {
      await expect(client.query('create extension pg_cron')).rejects.toMatchObject({
        message: 'can only create extension in database postgres',
      });
      await client.query('create extension pg_net');
    } finally {
      await client.end();
    }
  });
});
