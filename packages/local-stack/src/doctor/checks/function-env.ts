import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { StackConfig } from '../../config/load-config.ts';
import { functionsDirOf } from '../../services/functions/function-catalog.ts';
import { type Finding, lineAt } from '../finding.ts';
import type { FunctionSources, SourceFile } from '../function-sources.ts';

/** Set by the platform on hosted (and by the local stack), never by the project. */
const PLATFORM_VARIABLES = new Set([
  'SUPABASE_URL',
  'SUPABASE_ANON_KEY',
  'SUPABASE_SERVICE_ROLE_KEY',
  'SUPABASE_DB_URL',
  'SUPABASE_PUBLISHABLE_KEYS',
  'SUPABASE_SECRET_KEYS',
  'SB_REGION',
  'SB_EXECUTION_ID',
  'DENO_REGION',
  'DENO_DEPLOYMENT_ID',
]);

const NAME = '[A-Z][A-Z0-9_]*';
const DIRECT_READ = new RegExp(`\\bDeno\\.env\\.get\\(\\s*['"\`](${NAME})['"\`]\\s*\\)`, 'g');
// `function required(name: string) { … Deno.env.get(name) … }`: a reader written once.
const READER = /\bfunction\s+(\w+)\s*\(\s*(\w+)\b[^)]*\)[^{]*\{([\s\S]*?)\n\}/g;

interface EnvRead {
  name: string;
  file: string;
  line: number;
}

function readsOf(files: SourceFile[]): EnvRead[] {
  const readers = new Set<string>();
  for (const { text } of files) {
    for (const match of text.matchAll(READER)) {
      const [, reader, parameter, body] = match as unknown as [string, string, string, string];
      if (new RegExp(`\\bDeno\\.env\\.get\\(\\s*${parameter}\\s*\\)`).test(body)) readers.add(reader);
    }
  }
  const through = readers.size
    ? new RegExp(`\\b(?:${[...readers].join('|')})\\(\\s*['"\`](${NAME})['"\`]`, 'g')
    : undefined;
  return files.flatMap(({ path, text }) =>
    [...text.matchAll(DIRECT_READ), ...(through ? text.matchAll(through) : [])].map((match) => ({
      name: match[1] as string,
      file: path,
      line: lineAt(text, match.index),
    })),
  );
}

/** Names declared by `NAME=` lines, commented-out ones included (documented, optional secrets). */
export function declaredNames(envExample: string): Set<string> {
  return new Set(
    [...envExample.matchAll(new RegExp(`^\\s*#?\\s*(?:export\\s+)?(${NAME})\\s*=`, 'gm'))].map(
      (match) => match[1] as string,
    ),
  );
}

/**
 * A secret a function reads must be set on the project (`supabase secrets set`); the
 * project's `.env.example` is where it says which, so the deploy doesn't forget one.
 */
export function checkFunctionEnv(config: StackConfig, functions: FunctionSources[]): Finding[] {
  const example = [
    join(functionsDirOf(config), '.env.example'),
    join(config.supabaseDir, '.env.example'),
    join(config.workdir, '.env.example'),
  ].find(existsSync);
  const declared = example ? declaredNames(readFileSync(example, 'utf8')) : new Set<string>();
  const shown = example ? relative(config.workdir, example) : 'supabase/functions/.env.example';
  const reported = new Set<string>();
  const findings: Finding[] = [];
  for (const fn of functions) {
    for (const read of readsOf(fn.files)) {
      if (PLATFORM_VARIABLES.has(read.name) || declared.has(read.name)) continue;
      const key = `${read.name}:${read.file}:${read.line}`;
      if (reported.has(key)) continue;
      reported.add(key);
      findings.push({
        kind: 'env-undeclared',
        severity: 'error',
        file: relative(config.workdir, read.file),
        line: read.line,
        message: `function ${fn.definition.name} reads ${read.name}, which ${shown} doesn't declare: the hosted project won't have it set`,
        fix: `add ${read.name}= to ${shown} and set it on hosted with supabase secrets set`,
      });
    }
  }
  return findings;
}
