import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isStackError } from '../src/errors.ts';
import { makeStackTempDir, startTestStack } from '../src/testing/index.ts';

describe('a migration with a syntax error', () => {
  const project = mkdtempSync(join(tmpdir(), 'groundwork-broken-'));
  const stateDir = makeStackTempDir('groundwork-broken-state-');
  cpSync(new URL('./fixtures/broken-migration', import.meta.url).pathname, project, { recursive: true });
  afterAll(() => {
    rmSync(project, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('fails the start naming the file and the Postgres error', async () => {
    const failure = await startTestStack({ workdir: project, stateDir }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isStackError(failure) && failure.code).toBe('migration_failed');
    expect((failure as Error).message).toContain('supabase/migrations/20250102000000_broken.sql');
    expect((failure as Error).message).toContain('syntax error at or near "tabel"');
  });

  it('leaves nothing of the failed file applied or recorded', async () => {
    rmSync(join(project, 'supabase/migrations/20250102000000_broken.sql'));
    await using stack = await startTestStack({ workdir: project, stateDir });
    const versions = await stack.db.query('select version from supabase_migrations.schema_migrations');
    expect(versions.rows.map((row) => row.version)).toEqual(['20250101000000']);
    const tables = await stack.db.query(
      "select to_regclass('public.kept')::text as kept, to_regclass('public.half_done')::text as half_done",
    );
    expect(tables.rows[0]).toEqual({ kept: 'kept', half_done: null });
  });
});
