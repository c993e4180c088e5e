import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { StackError } from '../errors.ts';
import { runSupabaseCliOnProject } from '../processes/supabase-cli.ts';

const MIGRATION_FILE = /^(\d+)_.*\.sql$/;

export function migrationFiles(supabaseDir: string): { version: string; file: string }[] {
  let names: string[];
  try {
    names = readdirSync(join(supabaseDir, 'migrations'));
  } catch {
    return [];
  }
  return (
    names
      .map((file) => ({ file, match: MIGRATION_FILE.exec(file) }))
      .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
      .map(({ file, match }) => ({ version: match[1] as string, file }))
      // Byte order, as the Supabase CLI sorts them (and without localeCompare's ICU collator, whose
      // data would stay mapped in the stack process).
      .sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0))
  );
}

/** Versions on disk that `supabase_migrations.schema_migrations` doesn't record yet. */
export async function pendingMigrations(db: pg.Pool | pg.Client, supabaseDir: string) {
  const files = migrationFiles(supabaseDir);
  if (files.length === 0) return [];
  // Two queries: a query naming a missing table fails at parse time, whatever its WHERE says.
  const exists = await db.query<{ found: boolean }>(
    `select to_regclass('supabase_migrations.schema_migrations') is not null as found`,
  );
  const { rows } = exists.rows[0]?.found
    ? await db.query<{ version: string }>('select version from supabase_migrations.schema_migrations')
    : { rows: [] };
  const applied = new Set(rows.map((row) => row.version));
  return files.filter((file) => !applied.has(file.version));
}

/**
 * Applies pending migrations with the real Supabase CLI, so history lands in
 * `supabase_migrations.schema_migrations` exactly as on hosted. The CLI runs each file in
 * its own transaction: a failing file leaves nothing of itself behind.
 */
export async function applyMigrations(options: {
  db: pg.Pool;
  workdir: string;
  supabaseDir: string;
  dbUrl: string;
}): Promise<string[]> {
  const pending = await pendingMigrations(options.db, options.supabaseDir);
  if (pending.length === 0) return [];
  const result = await runSupabaseCliOnProject(options.workdir, [
    'migration',
    'up',
    `--remote=${options.dbUrl}?sslmode=disable`,
    '--yes',
  ]);
  if (result.code !== 0) {
    const output = `${result.stdout}\n${result.stderr}`;
    const file = /Applying migration (\S+?)\.\.\./g;
    let failing: string | undefined;
    for (const match of output.matchAll(file)) failing = match[1];
    const message =
      output
        .split('\n')
        .find((line) => line.startsWith('ERROR:'))
        ?.replace(/^ERROR:\s*/, '') ?? output.trim().split('\n').slice(-3).join(' ');
    throw new StackError(
      'migration_failed',
      `${failing ? `supabase/migrations/${failing}` : 'migrations'}: ${message}`,
      'migrations',
    );
  }
  return pending.map((entry) => entry.file);
}
