import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  databaseErrorCodes,
  type ErrorCode,
  errorCodes,
  errorVocabulary,
  functionErrorCodes,
  isDatabaseErrorCode,
  isFunctionErrorCode,
} from '../../supabase/functions/_shared/error-vocabulary.ts';
import { type MigrationRaise, migrationRaises, readRaise } from './support/migration-raises.ts';
import { postgrestStatuses, storageStatus } from './support/sqlstate-status.ts';
import { DOCS_END, DOCS_START, vocabularyTable } from './support/vocabulary-table.ts';

// The error vocabulary is the one declaration of the codes; these tests hold the migrations,
// the functions and the docs to it, so a new `raise` or FunctionError cannot drift from it.

const root = new URL('../../', import.meta.url).pathname;
const migrationsDir = join(root, 'supabase', 'migrations');
const functionsDir = join(root, 'supabase', 'functions');
const VOCABULARY_FILE = join(functionsDir, '_shared', 'error-vocabulary.ts');

const raises = migrationRaises(
  readdirSync(migrationsDir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => ({ file: name, sql: readFileSync(join(migrationsDir, name), 'utf8') })),
);

const where = (raise: MigrationRaise) => `${raise.file}:${raise.line} ${raise.statement}`;

interface FunctionRaise {
  where: string;
  code: string | undefined;
}

/** Every `new FunctionError(…)` under supabase/functions, with its literal code. */
function functionRaises(): FunctionRaise[] {
  const found: FunctionRaise[] = [];
  for (const entry of readdirSync(functionsDir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (!entry.isFile() || !entry.name.endsWith('.ts') || path === VOCABULARY_FILE) continue;
    const source = readFileSync(path, 'utf8');
    for (const match of source.matchAll(/new FunctionError\(\s*([^,)]*)/g)) {
      const line = source.slice(0, match.index).split('\n').length;
      found.push({
        where: `${relative(functionsDir, path)}:${line}`,
        code: /^'([a-z0-9_]+)'$/.exec((match[1] as string).trim())?.[1],
      });
    }
  }
  return found;
}

/** What a migration raising `code` must use: the SQLSTATE and the status a client then sees. */
function expectedFor(code: ErrorCode, underStorage: boolean): { sqlstate?: string; status: number } {
  const entry: (typeof errorVocabulary)[ErrorCode] = errorVocabulary[code];
  if (underStorage && 'underStorage' in entry) return entry.underStorage;
  return { sqlstate: 'sqlstate' in entry ? entry.sqlstate : undefined, status: entry.status };
}

describe('the raise reader', () => {
  it('reads the forms PL/pgSQL allows, and skips notices and re-raises', () => {
    expect(readRaise("raise exception using errcode = 'PT404', message = 'task_not_found'")).toEqual({
      code: 'task_not_found',
      sqlstate: 'PT404',
      detail: undefined,
    });
    expect(
      readRaise("raise exception 'last_owner' using errcode = 'PT409', detail = format('%s; x', y)"),
    ).toEqual({ code: 'last_owner', sqlstate: 'PT409', detail: "format('%s; x', y)" });
    expect(readRaise("raise sqlstate 'PT402' using message = 'plan_limit_reached'")).toMatchObject({
      code: 'plan_limit_reached',
      sqlstate: 'PT402',
    });
    expect(readRaise("raise 'oops %', x")).toMatchObject({ code: 'oops %', sqlstate: 'P0001' });
    expect(readRaise("raise unique_violation using message = 'slug_taken'")).toMatchObject({
      sqlstate: 'unique_violation',
    });
    expect(readRaise('raise exception using message = reason')).toMatchObject({ code: undefined });
    expect(readRaise("raise notice 'hello'")).toBeUndefined();
    expect(readRaise('raise')).toBeUndefined();
  });

  it('finds every raise of the migrations, with its enclosing function and whether Storage answers it', () => {
    expect(raises.length).toBeGreaterThan(40);
    // A later migration may redefine a function: every definition's raises count.
    const quota = raises.filter((raise) => raise.inFunction === 'private.enforce_storage_quota');
    expect(quota.length).toBeGreaterThan(0);
    expect(quota).toEqual(
      quota.map(() => expect.objectContaining({ code: 'plan_limit_reached', underStorage: true })),
    );
    const memberLimit = raises.filter((raise) => raise.inFunction === 'private.enforce_member_limit');
    expect(memberLimit.length).toBeGreaterThan(0);
    expect(memberLimit).toEqual(
      memberLimit.map(() => expect.objectContaining({ code: 'plan_limit_reached', underStorage: false })),
    );
  });
});

describe('the error vocabulary against the migrations', () => {
  it('every code a migration raises is a database code of the vocabulary', () => {
    const unknown = raises
      .filter((raise) => !isDatabaseErrorCode(raise.code))
      .map((raise) => `${where(raise)}: ${raise.code === undefined ? 'a computed MESSAGE' : 'not declared'}`);
    expect(
      unknown,
      'raise a code declared in supabase/functions/_shared/error-vocabulary.ts, as a literal',
    ).toEqual([]);
  });

  it("every raise uses its code's SQLSTATE, which answers the vocabulary's HTTP status", () => {
    const wrong: string[] = [];
    for (const raise of raises) {
      if (!isDatabaseErrorCode(raise.code)) continue;
      const expected = expectedFor(raise.code, raise.underStorage);
      const sqlstate = raise.sqlstate ?? '(computed)';
      const answered = raise.underStorage ? [storageStatus(sqlstate)] : postgrestStatuses(sqlstate);
      if (sqlstate !== expected.sqlstate) {
        wrong.push(`${where(raise)}: SQLSTATE ${sqlstate}, the vocabulary says ${expected.sqlstate}`);
      } else if (!answered.includes(expected.status)) {
        const via = raise.underStorage ? 'Storage' : 'PostgREST';
        wrong.push(
          `${where(raise)}: ${via} answers ${answered.join('/')}, the vocabulary says ${expected.status}`,
        );
      }
    }
    expect(wrong).toEqual([]);
  });

  it("each database code's SQLSTATE answers its HTTP status", () => {
    const wrong = databaseErrorCodes.flatMap((code) => {
      const entry: (typeof errorVocabulary)[ErrorCode] = errorVocabulary[code];
      const problems: string[] = [];
      if ('sqlstate' in entry && !postgrestStatuses(entry.sqlstate).includes(entry.status)) {
        problems.push(
          `${code}: PostgREST answers ${entry.sqlstate} with ${postgrestStatuses(entry.sqlstate)}`,
        );
      }
      if (
        'underStorage' in entry &&
        storageStatus(entry.underStorage.sqlstate) !== entry.underStorage.status
      ) {
        problems.push(`${code}: Storage answers ${entry.underStorage.sqlstate} with another status`);
      }
      return problems;
    });
    expect(wrong).toEqual([]);
  });

  it('every database code of the vocabulary is raised by a migration, each declared SQLSTATE used', () => {
    const raisedBy = (code: ErrorCode, underStorage: boolean) =>
      raises.some((raise) => raise.code === code && raise.underStorage === underStorage);
    const unraised = databaseErrorCodes.flatMap((code) => [
      ...(raisedBy(code, false) ? [] : [code]),
      ...('underStorage' in errorVocabulary[code] && !raisedBy(code, true) ? [`${code} under Storage`] : []),
    ]);
    expect(unraised, 'declared in the vocabulary but raised by no migration').toEqual([]);
  });

  it('each raise carries the detail its code promises: plan limits as JSON, others a sentence', () => {
    const wrong = raises.filter((raise) => {
      if (!isDatabaseErrorCode(raise.code)) return false;
      const json = /^json_build_object\(/i.test(raise.detail ?? '');
      if (errorVocabulary[raise.code].detail === 'retry_after')
        return !(json && raise.detail?.includes("'retry_after_seconds'"));
      if (errorVocabulary[raise.code].detail !== 'plan_limit') return json;
      return !(json && ['limit', 'max', 'current'].every((key) => raise.detail?.includes(`'${key}'`)));
    });
    expect(wrong.map(where)).toEqual([]);
  });
});

describe('the error vocabulary against the edge functions', () => {
  const answered = functionRaises();

  it('every FunctionError names a function code of the vocabulary', () => {
    expect(answered.filter((raise) => !isFunctionErrorCode(raise.code)).map((raise) => raise.where)).toEqual(
      [],
    );
  });

  it('every function code of the vocabulary is answered by a function', () => {
    const codes = new Set(answered.map((raise) => raise.code));
    expect(functionErrorCodes.filter((code) => !codes.has(code))).toEqual([]);
  });

  it('every code is raised somewhere: by the database, by a function, or both', () => {
    expect(errorCodes.filter((code) => !isDatabaseErrorCode(code) && !isFunctionErrorCode(code))).toEqual([]);
  });
});

describe('the error vocabulary in the docs', () => {
  it('docs/data-model.md renders the vocabulary exactly (between its error-vocabulary markers)', () => {
    const docs = readFileSync(join(root, 'docs', 'data-model.md'), 'utf8');
    const start = docs.indexOf(DOCS_START);
    const end = docs.indexOf(DOCS_END);
    expect(start, `docs/data-model.md needs ${DOCS_START} … ${DOCS_END}`).toBeGreaterThan(-1);
    expect(docs.slice(start + DOCS_START.length, end).trim()).toBe(vocabularyTable());
  });
});
