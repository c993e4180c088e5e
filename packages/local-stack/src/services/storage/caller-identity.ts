import type { JWTPayload } from 'jose';
import type { Caller, TokenFailure } from '../caller.ts';
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
 * Hosted Storage verifies with jose and answers with jose's message; the gateway already
 * verified the token, so its verdict is worded here, e.g. 400
 * `{"statusCode":"403","error":"Unauthorized","message":"\"exp\" claim timestamp check failed"}`.
 */
const JOSE_MESSAGE: Record<TokenFailure, string> = {
  missing: 'Invalid Compact JWS',
  malformed: 'Invalid Compact JWS',
  expired: '"exp" claim timestamp check failed',
  bad_signature: 'signature verification failed',
};

/** The caller as hosted Storage sees it: every non-public route needs a valid JWT. */
export function identifyCaller(caller: Caller): CallerIdentity {
  if (!caller.claims || !caller.token) {
    throw storageErrors.accessDenied(JOSE_MESSAGE[caller.tokenFailure ?? 'missing']);
  }
  const role = typeof caller.claims.role === 'string' ? caller.claims.role : 'anon';
  if (!API_ROLES.has(role)) throw storageErrors.accessDenied(`role "${role}" is not allowed`);
  return { role, claims: caller.claims, jwt: caller.token };
}

/** The user id RLS sees as auth.uid(), when it is a uuid (anon and service keys have none). */
export function ownerOf(identity: CallerIdentity): string | undefined {
  const sub = identity.claims.sub;
  return typeof sub === 'string' && /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(sub)
    ? sub
    : undefined;
}
