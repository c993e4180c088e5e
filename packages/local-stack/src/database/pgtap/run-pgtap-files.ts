import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import pg from 'pg';
import { StackError } from '../../errors.ts';

/** What one pgTAP file did, and its TAP lines. */
export interface PgtapFileResult {
  file: string;
  passed: boolean;
  /** The TAP the file's queries returned; rows that are not TAP become `# ` comments. */
  tap: string[];
  /** Why the file failed beyond its `not ok` lines: an SQL error, no plan, a plan not met. */
  problem?: string;
}

const TEST_LINE = /^(not )?ok\b(?:\s+\d+)?(.*)$/;
const PLAN_LINE = /^1\.\.(\d+)/;

/** `*.sql` and `*.pg` files under `dir`, in path order, as `supabase test db` (pg_prove) takes them. */
export function pgtapFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.endsWith('.sql') || entry.endsWith('.pg'))
    .sort()
    .map((entry) => join(dir, entry));
}

function helpersSql(pgtapSchema: string): string {
  const text = readFileSync(new URL('./test-helpers.sql', import.meta.url), 'utf8');
  return text.replaceAll('@pgtap@', pg.escapeIdentifier(pgtapSchema));
}

/** Rows of the file's statements as text lines, in order (pgTAP's functions return TAP as rows). */
function rowsAsLines(results: pg.QueryResult | pg.QueryResult[]): string[] {
  const lines: string[] = [];
  for (const result of [results].flat()) {
    for (const row of result.rows ?? []) {
      for (const value of Object.values(row as Record<string, unknown>)) {
        if (value === null || value === undefined || value === '') continue;
        lines.push(...String(value).split('\n'));
      }
    }
  }
  return lines;
}

/** Judges TAP as pg_prove does: every test ok (or TODO), a plan, and the plan met. */
export function judgeTap(lines: string[]): { passed: boolean; problem?: string } {
  let planned: number | undefined;
  let ran = 0;
  let failed = 0;
  for (const line of lines) {
    const plan = PLAN_LINE.exec(line);
    if (plan) {
      planned = Number(plan[1]);
      continue;
    }
    const test = TEST_LINE.exec(line);
    if (!test) continue;
    ran += 1;
    if (test[1] && !/#\s*TODO/i.test(test[2] ?? '')) failed += 1;
  }
  if (planned === undefined) return { passed: false, problem: 'no plan (call plan(n) or finish())' };
  if (planned !== ran) return { passed: false, problem: `planned ${planned} tests but ran ${ran}` };
  if (failed > 0) return { passed: false, problem: `failed ${failed} of ${ran} tests` };
  return { passed: true };
}

/**
 * Runs one pgTAP file in a transaction that is rolled back whatever the file does: pgTAP
 * (created in schema `extensions` if the database lacks it, as `supabase test db` does) and
 * the `tests` helpers are installed inside it, so the database is as it was afterwards.
 */
export async function runPgtapFile(dbUrl: string, file: string, workdir: string): Promise<PgtapFileResult> {
  const name = relative(workdir, file);
  const client = new pg.Client({ connectionString: dbUrl, application_name: 'groundwork test db' });
  await client.connect();
  try {
    await client.query('begin');
    await client.query('create extension if not exists pgtap with schema extensions').catch((error) => {
      throw new StackError(
        'pgtap_missing',
        `pgTAP is not installed for this database (${(error as Error).message}); on Debian or Ubuntu: apt-get install postgresql-15-pgtap (any server version's package), then restart the stack`,
        'test',
      );
    });
    const { rows } = await client.query<{ schema: string }>(
      `select n.nspname as schema from pg_catalog.pg_extension e
         join pg_catalog.pg_namespace n on n.oid = e.extnamespace where e.extname = 'pgtap'`,
    );
    await client.query(helpersSql(rows[0]?.schema ?? 'extensions'));
    const sql = readFileSync(file, 'utf8');
    let lines: string[];
    try {
      lines = rowsAsLines(await client.query(sql));
    } catch (error) {
      const { message, position } = error as Error & { position?: string };
      const at = position ? ` (at line ${sql.slice(0, Number(position)).split('\n').length})` : '';
      return { file: name, passed: false, tap: [], problem: `SQL error${at}: ${message}` };
    }
    const tap = lines.map((line) =>
      TEST_LINE.test(line) || PLAN_LINE.test(line) || line.startsWith('#') ? line : `# ${line}`,
    );
    return { file: name, tap, ...judgeTap(lines) };
  } finally {
    // A file may end its transaction itself (`rollback;`, as Supabase's examples do); then
    // this one only warns that none is open.
    await client.query('rollback').catch(() => {});
    await client.end().catch(() => {});
  }
}

/**
 * The files as one TAP stream (a subtest per file, the TAP 14 way), written line by line
 * as each file finishes. Resolves with whether every file passed.
 */
export async function runPgtapSuite(options: {
  dbUrl: string;
  files: string[];
  workdir: string;
  write: (line: string) => void;
}): Promise<{ passed: boolean; results: PgtapFileResult[] }> {
  const { write } = options;
  write('TAP version 14');
  const results: PgtapFileResult[] = [];
  for (const [index, file] of options.files.entries()) {
    const result = await runPgtapFile(options.dbUrl, file, options.workdir);
    results.push(result);
    write(`    # Subtest: ${result.file}`);
    for (const line of result.tap) write(`    ${line}`);
    write(`${result.passed ? 'ok' : 'not ok'} ${index + 1} - ${result.file}`);
    if (result.problem) write(`  # ${result.problem}`);
  }
  write(`1..${options.files.length}`);
  const failed = results.filter((result) => !result.passed);
  const tests = results.reduce(
    (sum, result) => sum + result.tap.filter((line) => TEST_LINE.test(line)).length,
    0,
  );
  write(
    failed.length === 0
      ? `# All tests successful. Files=${results.length}, Tests=${tests}, Result: PASS`
      : `# Failed ${failed.length} of ${results.length} files (${failed.map((result) => result.file).join(', ')}). Tests=${tests}, Result: FAIL`,
  );
  return { passed: failed.length === 0, results };
}
