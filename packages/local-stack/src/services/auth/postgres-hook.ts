import type { HookFunction } from '../../config/config-schema.ts';
import { AuthError } from './error-codes.ts';
import type { Queryable } from './users.ts';

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Calls an Auth hook's Postgres function with `input` as GoTrue does (`select fn($1::jsonb)`)
 * and returns its output object. A function that fails, or answers
 * `{error: {http_code, message}}`, fails the request with that status and message.
 */
export async function callPostgresHook(
  db: Queryable,
  hook: HookFunction,
  input: unknown,
): Promise<Record<string, unknown>> {
  let output: unknown;
  try {
    const { rows } = await db.query<{ output: unknown }>(
      `select ${quoteIdent(hook.schema)}.${quoteIdent(hook.name)}($1::jsonb) as output`,
      [JSON.stringify(input)],
    );
    output = rows[0]?.output;
  } catch (error) {
    throw new AuthError(
      'unexpected_failure',
      `Error running hook URI: pg-functions://postgres/${hook.schema}/${hook.name}`,
      { cause: error },
    );
  }
  const result = (output && typeof output === 'object' ? output : {}) as Record<string, unknown> & {
    error?: { http_code?: unknown; message?: unknown };
  };
  if (result.error) {
    const status = typeof result.error.http_code === 'number' ? result.error.http_code : 500;
    const message =
      typeof result.error.message === 'string' ? result.error.message : 'Hook returned an error';
    throw new AuthError(status >= 500 ? 'unexpected_failure' : 'validation_failed', message, { status });
  }
  return result;
}
