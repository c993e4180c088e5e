/**
 * `groundwork test db`: pgTAP files from supabase/tests/ against a database, as the built CLI
 * runs them (`--db-url` to the suite's shared stack): TAP out, exit 1 on any failing file, and
 * nothing left behind in the database (each file's transaction rolls back).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
// Brings in the `inject('stack')` typing the shared test stack provides.
import type {} from '../../../tests/global-setup.ts';

const run = promisify(execFile);
const bin = new URL('../bin/groundwork.js', import.meta.url).pathname;
const repo = new URL('../../..', import.meta.url).pathname;
const fixture = new URL('./fixtures/pgtap-project', import.meta.url).pathname;

async function testDb(workdir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const dbUrl = inject('stack').dbUrl;
  try {
    const { stdout, stderr } = await run(process.execPath, [
      bin,
      'test',
      'db',
      '--db-url',
      dbUrl,
      '--workdir',
      workdir,
    ]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('groundwork test db', () => {
  const db = new pg.Client({ connectionString: inject('stack').dbUrl });
  afterAll(() => db.end());

  it("passes on the project's own pgTAP files (the core policies) with TAP output and exit 0", async () => {
    const { code, stdout } = await testDb(repo);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^TAP version 14\n/);
    expect(stdout).toContain('ok 1 - supabase/tests/tasks.test.sql');
    expect(stdout).toContain('ok 2 - supabase/tests/workspace-mfa.test.sql');
    expect(stdout).toContain('ok 3 - supabase/tests/workspaces.test.sql');
    expect(stdout).toContain('    ok 5 - a non-member sees no task');
    expect(stdout).toContain('    ok 4 - a non-member does not see the workspace');
    expect(stdout).not.toMatch(/^\s*not ok/m);
    expect(stdout).toMatch(/# All tests successful\. Files=3, Tests=22, Result: PASS\n$/);
  });

  it('fails (exit 1) on a wrong answer, an SQL error and a plan not met, and still runs the good files', async () => {
    const { code, stdout } = await testDb(fixture);
    expect(code).toBe(1);
    expect(stdout).toContain('ok 1 - supabase/tests/helpers.test.sql');
    expect(stdout).toContain('ok 2 - supabase/tests/nested/no-begin.test.sql');
    expect(stdout).toContain('not ok 3 - supabase/tests/short-plan.test.sql\n  # planned 3 tests but ran 1');
    expect(stdout).toContain(
      'not ok 4 - supabase/tests/sql-error.test.sql\n  # SQL error (at line 3): relation "public.no_such_table" does not exist',
    );
    expect(stdout).toContain('    not ok 2 - deliberately wrong: one plus one is three');
    expect(stdout).toContain('not ok 5 - supabase/tests/wrong-answer.test.sql\n  # failed 1 of 2 tests');
    expect(stdout).toContain('Result: FAIL');
  });

  it('acts as a user the way PostgREST does (role + request.jwt.claims), so auth.uid() and auth.jwt() answer', async () => {
    const { stdout } = await testDb(fixture);
    for (const name of [
      'authenticate_as switches to the authenticated role',
      'auth.uid() is the test user',
      'auth.jwt() carries the claims',
      'clear_authentication acts as the anon key',
      'authenticate_as_service_role acts as the service key',
    ]) {
      expect(stdout).toMatch(new RegExp(`^ {4}ok \\d+ - ${name.replace(/[.()]/g, '\\$&')}$`, 'm'));
    }
  });

  it('leaves nothing behind: test users, tables the files made, the helpers and pgTAP all roll back', async () => {
    await testDb(fixture);
    await testDb(repo);
    await db.connect();
    const { rows } = await db.query<{
      users: number;
      scratch: string | null;
      helpers: string | null;
      pgtap: number;
    }>(
      `select (select count(*)::int from auth.users where raw_user_meta_data ? 'test_identifier') as users,
              to_regclass('public.pgtap_scratch')::text as scratch,
              to_regnamespace('tests')::text as helpers,
              (select count(*)::int from pg_extension where extname = 'pgtap') as pgtap`,
    );
    expect(rows[0]).toEqual({ users: 0, scratch: null, helpers: null, pgtap: 0 });
  });

  it('says so when there are no pgTAP files (exit 1)', async () => {
    const { code, stderr } = await testDb(new URL('./fixtures/rls-project', import.meta.url).pathname);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^no pgTAP files \(\*\.sql\) in .*rls-project\/supabase\/tests\n$/);
  });
});
