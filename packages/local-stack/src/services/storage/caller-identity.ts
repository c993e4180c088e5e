import type { JWTPayload } from 'jose';
import type { ProjectKeys } from '../../config/project-keys.ts';
import type { Caller } from '../../gateway/caller.ts';
import { storageErrors } from './errors.ts';

/** Who a metadata query runs as: a Postgres role plus the claims RLS policies read. */
export interface CallerIdentity {
  role: string;
  claims: JWTPayload;
  jwt: string;
}

/** The Storage API's own identity for work hosted does "as super user" (public reads, signed URLs). */
export const STORAGE_ADMIN: CallerIdentity = {
  role: 'service_role',
  claims: { role: 'service_role' },
  jwt: '',
};

/** Roles a token may switch to; anything else would let a forged-but-signed claim pick any role. */
const API_ROLES = new Set(['anon', 'authenticated', 'service_role']);

/**
 * The caller as hosted Storage sees it: every non-public route needs a valid JWT, and a
 * missing, expired or forged one is refused with jose's own message (hosted verifies with
 * jose too), e.g. 400 `{"statusCode":"403","error":"Unauthorized","message":"\"exp\" claim timestamp check failed"}`.
 */
export async function identifyCaller(keys: ProjectKeys, caller: Caller | undefined): Promise<CallerIdentity> {
  const token = caller?.token ?? '';
  let claims: JWTPayload;
  try {
    claims = await keys.verify(token);
  } catch (error) {
    throw storageErrors.accessDenied(jwtFailureMessage(token, error));
  }
  const role = typeof claims.role === 'string' ? claims.role : 'anon';
  if (!API_ROLES.has(role)) throw storageErrors.accessDenied(`role "${role}" is not allowed`);
  return { role, claims, jwt: token };
}

function jwtFailureMessage(token: string, error: unknown): string {
  if (token === '') return 'Invalid Compact JWS';
  const message = (error as Error).message;
  // A malformed header makes our key lookup fail before jose speaks; say what jose would.
  return error instanceof SyntaxError || !message ? 'Invalid Compact JWS' : message;
}

/** The user id RLS sees as auth.uid(), when it is a uuid (anon and service keys have none). */
export function ownerOf(identity: CallerIdentity): string | undefined {
  const sub = identity.claims.sub;
  return typeof sub === 'string' && /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(sub)
    ? sub
    : undefined;
}
