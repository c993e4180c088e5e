/**
 * startTestDatabase(): an isolated copy of the shared test stack's migrated and seeded database
 * (CREATE DATABASE … TEMPLATE in the same server), with the API served for it on its own port.
 */
import { createClient } from '@supabase/supabase-js';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
// Brings in the `inject('stack')` typing the shared test stack provides.
import type {} from '../../../tests/global-setup.ts';
import { startTestDatabase } from '../src/testing/index.ts';
import { Inbox, realtimeClient, subscribed } from './realtime/realtime-clients.ts';

const repo = new URL('../../..', import.meta.url).pathname;
const WORKSPACE_ID = 'c0ffee00-0000-4000-8000-000000000001';
const options = { auth: { persistSession: false, autoRefreshToken: false } };

async function sharedDatabase<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('stack').dbUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('startTestDatabase', () => {
  it('serves REST, Auth and Storage for a copy with the seed, apart from the shared database and from another copy', async () => {
    await using first = await startTestDatabase({ dbUrl: inject('stack').dbUrl, workdir: repo });
    await using second = await startTestDatabase({ dbUrl: inject('stack').dbUrl, workdir: repo });
    expect(first.database).not.toBe(second.database);
    expect(first.apiUrl).not.toBe(second.apiUrl);
    expect(first.databaseStart).toBe('copy');
    expect(first.copyMs).toBeGreaterThan(0);
    expect(new URL(first.status.DB_URL).pathname).toBe(`/${first.database}`);

    // The same ids in both copies: no conflict, each sees only its own.
    for (const [copy, name] of [
      [first, 'First copy'],
      [second, 'Second copy'],
    ] as const) {
      const service = createClient(copy.apiUrl, copy.keys.serviceRoleKey, options);
      const inserted = await service
        .from('workspaces')
        .insert({ id: WORKSPACE_ID, name, slug: 'same-slug' })
        .select('name');
      expect(inserted).toMatchObject({ status: 201, data: [{ name }] });
      const signUp = await createClient(copy.apiUrl, copy.keys.publishableKey, options).auth.signUp({
        email: 'same@example.com',
        password: 'correct-horse-battery',
      });
      expect(signUp.error).toBeNull();
      expect((await service.storage.createBucket('same-bucket')).error).toBeNull();
    }
    for (const [copy, name] of [
      [first, 'First copy'],
      [second, 'Second copy'],
    ] as const) {
      const service = createClient(copy.apiUrl, copy.keys.serviceRoleKey, options);
      const { data } = await service.from('workspaces').select('name').eq('id', WORKSPACE_ID);
      expect(data).toEqual([{ name }]);
      // The seed is there, as in the shared database (alice signs in with the seed's password).
      const alice = await createClient(
        copy.apiUrl,
        copy.keys.publishableKey,
        options,
      ).auth.signInWithPassword({
        email: 'alice@example.com',
        password: 'password123',
      });
      expect(alice.error).toBeNull();
    }
    const shared = await sharedDatabase((client) =>
      client.query(
        `select (select count(*)::int from public.workspaces where id = $1) as workspaces,
                           (select count(*)::int from auth.users where email = 'same@example.com') as users`,
        [WORKSPACE_ID],
      ),
    );
    expect(shared.rows[0]).toEqual({ workspaces: 0, users: 0 });
  });

  it('streams Realtime changes of its own copy only', async () => {
    await using copy = await startTestDatabase({ dbUrl: inject('stack').dbUrl, workdir: repo });
    const client = realtimeClient(copy.apiUrl, copy.keys.serviceRoleKey);
    try {
      const inbox = new Inbox<{ new: { title: string } }>();
      await subscribed(
        client
          .channel('copy-tasks')
          .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'tasks' }, (payload) =>
            inbox.push(payload as never),
          ),
      );
      const { rows } = await copy.db.query<{ workspace_id: string; id: string }>(
        'select workspace_id, id from public.projects limit 1',
      );
      const project = rows[0];
      if (!project) throw new Error('the seed has projects');
      const insertTask = (db: pg.Client | pg.Pool, title: string) =>
        db.query('insert into public.tasks (workspace_id, project_id, title) values ($1, $2, $3)', [
          project.workspace_id,
          project.id,
          title,
        ]);
      // Written to the shared database first, then (the sentinel) to the copy: only the latter arrives.
      await sharedDatabase(async (shared) => {
        await shared.query('begin');
        await insertTask(shared, 'in the shared database');
        await shared.query('commit');
      });
      await insertTask(copy.db, 'in the copy');
      const received = await inbox.waitForItem((item) => item.new.title === 'in the copy');
      expect(received.map((item) => item.new.title)).toEqual(['in the copy']);
    } finally {
      await client.removeAllChannels();
    }
    await sharedDatabase((shared) =>
      shared.query(`delete from public.tasks where title = 'in the shared database'`),
    );
  });

  it('is gone once disposed: renamed away with its replication slot dropped, and the next copy drops it', async () => {
    let name: string;
    let oid: number;
    {
      await using copy = await startTestDatabase({
        dbUrl: inject('stack').dbUrl,
        workdir: repo,
        services: [],
      });
      name = copy.database;
      const { rows } = await copy.db.query<{ database: string; oid: number }>(
        'select current_database() as database, oid::int as oid from pg_database where datname = current_database()',
      );
      expect(rows).toEqual([{ database: name, oid: expect.any(Number) }]);
      oid = rows[0]?.oid as number;
    }
    const left = await sharedDatabase((client) =>
      client.query(
        `select (select count(*)::int from pg_database where datname = $1) as databases,
                (select count(*)::int from pg_replication_slots where database = $1) as slots,
                (select count(*)::int from pg_replication_slots where datoid = $2) as slots_of_the_copy`,
        [name, oid],
      ),
    );
    expect(left.rows[0]).toEqual({ databases: 0, slots: 0, slots_of_the_copy: 0 });
    // The next file's copy tops the spares up, dropping retired databases first.
    await using _next = await startTestDatabase({
      dbUrl: inject('stack').dbUrl,
      workdir: repo,
      services: [],
    });
    const stillThere = () =>
      sharedDatabase((client) =>
        client
          .query('select count(*)::int as n from pg_database where oid = $1', [oid])
          .then((r) => r.rows[0]?.n),
      );
    await expect.poll(stillThere, { timeout: 30_000, interval: 50 }).toBe(0);
  });
});
