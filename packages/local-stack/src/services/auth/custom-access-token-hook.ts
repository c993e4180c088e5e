import type { JWTPayload } from 'jose';
import { AuthError } from './error-codes.ts';
import { callPostgresHook } from './postgres-hook.ts';
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
  const result = await callPostgresHook(db, hook, input);
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
