/**
 * The database template: a cold start copies the migrated and seeded database saved by the first
 * start for the same migrations and seed (content hash), and `resetDatabase()` recreates it
 * while the stack runs — REST, Auth, Storage and Realtime answer from the recreated database.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load-config.ts';
import { templateCacheDir } from '../src/database/cluster-template.ts';
import { projectTemplateKey } from '../src/database/project-template.ts';
import { isStackError } from '../src/errors.ts';
import { makeStackTempDir, startTestStack, type TestStack } from '../src/testing/index.ts';
import { Inbox, realtimeClient, subscribed } from './realtime/realtime-clients.ts';

/** The RLS fixture plus a migration unique to this run, so its first start really runs the CLI. */
function uniqueProject(): string {
  const project = makeStackTempDir('groundwork-template-');
  cpSync(new URL('./fixtures/rls-project', import.meta.url).pathname, project, { recursive: true });
  writeFileSync(
    join(project, 'supabase/migrations/20250102000000_run_specific.sql'),
    `-- ${randomUUID()}\n` +
      `alter publication supabase_realtime add table public.notes;\n` +
      `select vault.create_secret('kept with the template', 'template_secret');\n` +
      `alter role authenticated in database postgres set statement_timeout = '7s';\n`,
  );
  return project;
}

const history = (stack: TestStack) =>
  stack.db
    .query<{ version: string; name: string; statements: string[] }>(
      'select version, name, statements from supabase_migrations.schema_migrations order by version',
    )
    .then((result) => result.rows);

/**
 * A data folder under the system temp dir, on the template cache's filesystem, where a spare of the
 * template's cluster can be renamed in: a test stack's own is in /dev/shm when it has room, and a
 * start there copies the template and leaves no spare. Deleted after the file.
 */
const diskStateDirs: string[] = [];
function diskStateDir(): string {
  const dir = makeStackTempDir('groundwork-template-state-');
  diskStateDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of diskStateDirs) rmSync(dir, { recursive: true, force: true });
});

// One project for the file: the first start (migrations through the Supabase CLI, seed, saving the
// template) is paid once; the reset tests start from the template it saved, as a developer's next start would.
const project = uniqueProject();
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('cold starts and the template', () => {
  it('the first start runs migrations and seed and saves the template; the next cold start copies it, history and all', async () => {
    let first: Awaited<ReturnType<typeof history>>;
    {
      const steps: string[] = [];
      await using stack = await startTestStack({
        workdir: project,
        databaseTemplate: true,
        services: [],
        onStep: (step) => steps.push(step),
      });
      expect(stack.databaseStart).toBe('first');
      expect(steps).toEqual(expect.arrayContaining(['migrations', 'seed', 'template']));
      first = await history(stack);
      expect(first.map((row) => row.name)).toEqual(['notes', 'run_specific']);
      expect(first[1]?.statements.length).toBe(3);
    }
    const steps: string[] = [];
    await using stack = await startTestStack({
      workdir: project,
      // On the cache's filesystem, so the next test finds a spare made after this start.
      stateDir: diskStateDir(),
      databaseTemplate: true,
      services: [],
      onStep: (step) => steps.push(step),
    });
    expect(stack.databaseStart).toBe('template');
    expect(stack.createdDatabase).toBe(true);
    expect(steps).not.toContain('seed');
    expect(steps).not.toContain('template');
    // Exactly what the Supabase CLI wrote on the first start.
    expect(await history(stack)).toEqual(first);
    const { rows } = await stack.db.query(
      `select (select count(*)::int from public.notes) as notes,
              (select decrypted_secret from vault.decrypted_secrets where name = 'template_secret') as secret,
              (select s.setconfig::text from pg_db_role_setting s
                 join pg_database d on d.oid = s.setdatabase where d.datname = current_database()) as setting`,
    );
    // The seed's rows, a Vault secret (its key travels with the template), a per-database setting.
    expect(rows[0]).toEqual({
      notes: 3,
      secret: 'kept with the template',
      setting: '{statement_timeout=7s}',
    });
  });

  it("a cold start after one that used the template renames the spare copy of the template's cluster made meanwhile", async () => {
    const spares = join(
      templateCacheDir(),
      `database-${projectTemplateKey(loadConfig({ workdir: project }))}`,
      'spares',
    );
    const finished = () =>
      existsSync(spares) ? readdirSync(spares).filter((entry) => !entry.startsWith('.making-')) : [];
    // The previous test's second start used the template: a spare is made in the background.
    await expect.poll(finished, { timeout: 60_000, interval: 50 }).toHaveLength(1);
    const [spare] = finished();
    await using stack = await startTestStack({
      workdir: project,
      stateDir: diskStateDir(),
      databaseTemplate: true,
      services: [],
    });
    expect(stack.databaseStart).toBe('template');
    // Renamed into this stack's data folder, not copied: its name is gone from the spares.
    expect(finished()).not.toContain(spare);
    const { rows } = await stack.db.query(
      `select (select count(*)::int from public.notes) as notes,
              (select decrypted_secret from vault.decrypted_secrets where name = 'template_secret') as secret`,
    );
    expect(rows[0]).toEqual({ notes: 3, secret: 'kept with the template' });
    // And the next one is being made for the start after this.
    await expect.poll(finished, { timeout: 60_000, interval: 50 }).toHaveLength(1);
  });
});

describe('resetDatabase() while the stack runs', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ workdir: project, databaseTemplate: true, spareDatabases: 1 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const service = () =>
    createClient(stack.apiUrl, stack.keys.serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false },
    });
  const anon = () =>
    createClient(stack.apiUrl, stack.keys.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
    });

  const grantsAndSettings = () =>
    stack.db
      .query(
        `select d.datacl::text as grants, d.datdba::regrole::text as owner,
                (select array_agg(s.setconfig::text) from pg_db_role_setting s where s.setdatabase = d.oid) as settings
           from pg_database d where d.datname = 'postgres'`,
      )
      .then((result) => result.rows[0]);

  it('brings back the seeded database: REST, Auth, Storage, Realtime and the migration history follow', async () => {
    const before = await history(stack);
    const databaseBefore = await grantsAndSettings();
    expect(databaseBefore).toMatchObject({ owner: 'postgres', settings: ['{statement_timeout=7s}'] });
    // Changes of every kind: a row, a user, a bucket with a stored file.
    const written = await service()
      .from('notes')
      .insert({ owner_id: randomUUID(), body: 'before reset' })
      .select();
    expect(written.error).toBeNull();
    const signUp = await anon().auth.signUp({
      email: 'reset@example.com',
      password: 'correct-horse-battery',
    });
    expect(signUp.error).toBeNull();
    expect((await service().storage.createBucket('files')).error).toBeNull();
    expect((await service().storage.from('files').upload('a.txt', 'bytes before reset')).error).toBeNull();
    const storageDir = join(stack.stateDir, 'storage');
    expect(readdirSync(storageDir, { recursive: true }).length).toBeGreaterThan(0);

    await stack.resetDatabase();

    const notes = await service().from('notes').select('body').order('id');
    expect(notes).toMatchObject({ status: 200, data: [{ body: 'a1' }, { body: 'a2' }, { body: 'b1' }] });
    const signIn = await anon().auth.signInWithPassword({
      email: 'reset@example.com',
      password: 'correct-horse-battery',
    });
    expect(signIn.error).toMatchObject({ status: 400, code: 'invalid_credentials' });
    expect(
      (await anon().auth.signUp({ email: 'reset@example.com', password: 'correct-horse-battery' })).error,
    ).toBeNull();
    const bucket = await service().storage.getBucket('files');
    expect(bucket.data).toBeNull();
    expect(bucket.error?.message).toBe('Bucket not found');
    expect(existsSync(storageDir) ? readdirSync(storageDir, { recursive: true }) : []).toEqual([]);
    expect(await history(stack)).toEqual(before);
    // The database's own grants and settings, which CREATE DATABASE does not copy, are as before.
    expect(await grantsAndSettings()).toEqual(databaseBefore);

    // Realtime's slot followed the database: a change made now reaches a new subscriber.
    const client = realtimeClient(stack.apiUrl, stack.keys.serviceRoleKey);
    try {
      const inbox = new Inbox<{ new: { body: string } }>();
      await subscribed(
        client
          .channel('notes-after-reset')
          .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notes' }, (payload) =>
            inbox.push(payload as never),
          ),
      );
      await service().from('notes').insert({ owner_id: randomUUID(), body: 'after reset' });
      const received = await inbox.waitForItem((item) => item.new.body === 'after reset');
      expect(received.map((item) => item.new.body)).toContain('after reset');
    } finally {
      await client.removeAllChannels();
    }
  });

  it('takes a spare copy kept ready when there is one, and makes the next one in the background', async () => {
    const spares = async () =>
      (
        await stack.db.query<{ name: string }>(
          `select datname as name from pg_database where datname like 'groundwork_spare_%'`,
        )
      ).rows.map((row) => row.name);
    await expect.poll(spares, { timeout: 30_000, interval: 50 }).toHaveLength(1);
    const [spare] = await spares();
    await service().from('notes').insert({ owner_id: randomUUID(), body: 'before the second reset' });
    await stack.resetDatabase();
    // The spare became the database (its name is gone); a new spare is being made.
    expect(await spares()).not.toContain(spare);
    const { data } = await service().from('notes').select('body').order('id');
    expect(data).toEqual([{ body: 'a1' }, { body: 'a2' }, { body: 'b1' }]);
    await expect.poll(spares, { timeout: 30_000, interval: 50 }).toHaveLength(1);
    // The replaced database was retired by a rename at the reset and is dropped in the
    // background, slot and all. Polled: the spare counted above may be one an earlier reset's
    // background work made, before this reset's drop has run.
    const left = async () =>
      (
        await stack.db.query(
          `select (select count(*)::int from pg_database where datname like 'groundwork_retired_%') as retired,
                  (select count(*)::int from pg_replication_slots s
                     where not exists (select 1 from pg_database d where d.oid = s.datoid and d.datname = 'postgres')) as slots`,
        )
      ).rows;
    await expect.poll(left, { timeout: 30_000, interval: 50 }).toEqual([{ retired: 0, slots: 0 }]);
  });

  it('refuses with template_outdated, changing nothing, when a migration was added after the template was made', async () => {
    await service().from('notes').insert({ owner_id: randomUUID(), body: 'kept' });
    writeFileSync(join(project, 'supabase/migrations/20250103000000_later.sql'), 'select 1;\n');
    const failure = await stack.resetDatabase().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isStackError(failure) && failure.code).toBe('template_outdated');
    const { data } = await service().from('notes').select('body').eq('body', 'kept');
    expect(data).toEqual([{ body: 'kept' }]);
  });
});
