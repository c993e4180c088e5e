import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { StackConfig } from '../../config/load-config.ts';
import { type Finding, lineAt } from '../finding.ts';
import { HOSTED_EXTENSIONS } from '../hosted-extensions.ts';

/**
 * Schemas whose objects hosted's platform roles own. `postgres` may add policies and
 * triggers there (Supabase's docs do), but not change or drop their tables and functions.
 */
const PLATFORM_SCHEMAS = [
  'auth',
  'storage',
  'realtime',
  'vault',
  'cron',
  'net',
  'graphql',
  'pgsodium',
  'supabase_functions',
  'supabase_migrations',
];
const PLATFORM = `"?(${PLATFORM_SCHEMAS.join('|')})"?\\s*\\.\\s*"?(\\w+)"?`;

interface Rule {
  pattern: RegExp;
  message: (match: RegExpMatchArray) => string;
  fix: string;
}

const RULES: Rule[] = [
  {
    pattern: new RegExp(
      `\\b(alter|drop)\\s+(table|view|materialized\\s+view|function|procedure|type|sequence|index)\\s+(?:if\\s+exists\\s+)?${PLATFORM}`,
      'gi',
    ),
    message: (m) => `${m[1]} ${m[2]} ${m[3]}.${m[4]}: hosted answers "must be owner of ${m[2]} ${m[4]}"`,
    fix: 'keep your columns and logic in your own schema (e.g. a public table referencing auth.users(id))',
  },
  {
    pattern: new RegExp(
      `\\bcreate\\s+(?:or\\s+replace\\s+)?(table|view|function|procedure|type|sequence)\\s+(?:if\\s+not\\s+exists\\s+)?${PLATFORM}`,
      'gi',
    ),
    message: (m) =>
      `create ${m[1]} ${m[2]}.${m[3]}: hosted doesn't let postgres create objects in the ${m[2]} schema`,
    fix: 'create it in public or a schema of your own',
  },
  {
    pattern: new RegExp(`\\bcreate\\s+(?:unique\\s+)?index\\b[^;]*?\\bon\\s+(?:only\\s+)?${PLATFORM}`, 'gi'),
    message: (m) => `create index on ${m[1]}.${m[2]}: hosted answers "must be owner of table ${m[2]}"`,
    fix: 'index a table of your own instead',
  },
  {
    pattern: new RegExp(`\\bcomment\\s+on\\s+(table|column|function)\\s+${PLATFORM}`, 'gi'),
    message: (m) => `comment on ${m[1]} ${m[2]}.${m[3]}: hosted answers "must be owner"`,
    fix: 'leave the platform objects uncommented',
  },
  {
    pattern: /\b(create|alter)\s+(role|user)\s+("?\w+"?)[^;]*?\b(superuser|replication|bypassrls)\b/gi,
    message: (m) =>
      `${m[1]} ${m[2]} ${m[3]} with ${(m[4] ?? '').toUpperCase()}: only a superuser grants that, and postgres is not one on hosted`,
    fix: 'give the role what it needs with grants (NOLOGIN roles and RLS policies), not role attributes',
  },
  {
    pattern: /\balter\s+system\b/gi,
    message: () => 'alter system needs a superuser, which hosted does not give',
    fix: 'change server settings with supabase postgres-config update, or per role/database with alter role … set',
  },
  {
    pattern: /\bcopy\b[^;]*?\b(from|to)\s+program\b/gi,
    message: () =>
      'copy … program needs a superuser (or pg_execute_server_program), which hosted does not give',
    fix: 'load data with copy … from stdin through psql, or through the API',
  },
];

const CREATE_EXTENSION = /\bcreate\s+extension\s+(?:if\s+not\s+exists\s+)?("?)([\w-]+)\1/gi;

/** The statement text with comments blanked (line breaks kept, so line numbers stay right). */
function withoutComments(sql: string): string {
  return sql
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' '))
    .replace(/--[^\n]*/g, '');
}

/**
 * What a migration needs that hosted's `postgres` doesn't have. The local stack applies
 * migrations with hosted's privileges too (so they fail at `groundwork start`); this says
 * why before anything runs, with the fix.
 */
export function checkMigrationPrivileges(config: StackConfig): Finding[] {
  const dir = join(config.supabaseDir, 'migrations');
  if (!existsSync(dir)) return [];
  const findings: Finding[] = [];
  for (const name of readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()) {
    const path = join(dir, name);
    const sql = withoutComments(readFileSync(path, 'utf8'));
    const file = relative(config.workdir, path);
    for (const rule of RULES) {
      for (const match of sql.matchAll(rule.pattern)) {
        findings.push({
          kind: 'migration-privilege',
          severity: 'error',
          file,
          line: lineAt(sql, match.index),
          message: rule.message(match),
          fix: rule.fix,
        });
      }
    }
    for (const match of sql.matchAll(CREATE_EXTENSION)) {
      const extension = (match[2] as string).toLowerCase();
      if (HOSTED_EXTENSIONS.has(extension)) continue;
      findings.push({
        kind: 'extension-not-offered',
        severity: 'error',
        file,
        line: lineAt(sql, match.index),
        message: `create extension ${extension}: hosted Supabase doesn't offer it`,
        fix: 'use an extension hosted offers (Database → Extensions in the dashboard lists them), or a pure SQL one from database.dev',
      });
    }
  }
  return findings;
}
