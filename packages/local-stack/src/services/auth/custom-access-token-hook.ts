import type { JWTPayload } from 'jose';
import { AuthError } from './error-codes.ts';
import type { HookTarget } from './settings.ts';
import type { Queryable } from './users.ts';

/** Claims GoTrue insists a hook leaves in place. */
const REQUIRED_CLAIMS = [
  'aud',
  'exp',
  'iat',
  'sub',
  'email',
  'phone',
  'role',
  'aal',
  'session_id',
  'is_anonymous',
];

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Calls `[auth.hook.custom_access_token]`'s Postgres function with
 * `{user_id, claims, authentication_method}` and returns the claims it gives back.
 * A hook error or malformed claims fail the request, as on hosted.
 */
export async function runCustomAccessTokenHook(
  db: Queryable,
  hook: HookTarget,
  input: { user_id: string; claims: JWTPayload; authentication_method: string },
): Promise<JWTPayload> {
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
      {
        cause: error,
      },
    );
  }
  const result = (output && typeof output === 'object' ? output : {}) as {
    claims?: unknown;
    error?: { http_code?: unknown; message?: unknown };
  };
  if (result.error) {
    const status = typeof result.error.http_code === 'number' ? result.error.http_code : 500;
    const message =
      typeof result.error.message === 'string' ? result.error.message : 'Hook returned an error';
    throw new AuthError(status >= 500 ? 'unexpected_failure' : 'validation_failed', message, { status });
  }
  const claims = result.claims;
  if (
    !claims ||
    typeof claims !== 'object' ||
    Array.isArray(claims) ||
    REQUIRED_CLAIMS.some((name) => !(name in (claims as Record<string, unknown>)))
  ) {
    throw new AuthError('unexpected_failure', 'output claims do not conform to the expected schema');
  }
  return claims as JWTPayload;
}
