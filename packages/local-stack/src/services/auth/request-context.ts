import type { Context } from 'hono';
import { clientAddress } from '../../http/client-address.ts';
import type { ServiceEnv } from '../caller.ts';
import type { AuthRuntime } from './auth-runtime.ts';
import { AuthError } from './error-codes.ts';
import type { ClientInfo } from './sessions.ts';
import { findUserById, type UserRow } from './users.ts';

export type AuthContext = Context<ServiceEnv>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * The address rate limits count a client under (and sessions and the audit log record):
 * the socket's peer, or what a trusted proxy put in X-Forwarded-For (http/client-address.ts).
 */
export function clientIp(c: AuthContext, runtime: AuthRuntime): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return clientAddress(
    incoming?.socket?.remoteAddress,
    c.req.header('x-forwarded-for'),
    runtime.settings.trustedProxies,
  );
}

export function clientInfo(c: AuthContext, runtime: AuthRuntime): ClientInfo {
  return { ip: clientIp(c, runtime), userAgent: c.req.header('user-agent') };
}

export interface AuthenticatedUser {
  user: UserRow;
  sessionId: string | undefined;
  claims: Record<string, unknown>;
}

/**
 * GoTrue's requireAuthentication: a Bearer JWT of this project whose `sub` is an existing
 * user and whose `session_id`, when present, is a live session.
 */
export async function requireUser(c: AuthContext, runtime: AuthRuntime): Promise<AuthenticatedUser> {
  const caller = c.get('caller');
  if (caller.bearer === 'none') {
    throw new AuthError('no_authorization', 'This endpoint requires a valid Bearer token');
  }
  if (!caller.claims) {
    const reason =
      caller.tokenFailure === 'expired'
        ? 'token has invalid claims: token is expired'
        : 'signature is invalid';
    throw new AuthError('bad_jwt', `invalid JWT: unable to parse or verify signature, ${reason}`);
  }
  const claims = caller.claims as Record<string, unknown>;
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub === '')
    throw new AuthError('bad_jwt', 'invalid claim: missing sub claim');
  if (!isUuid(sub))
    throw new AuthError('bad_jwt', 'invalid claim: sub claim must be a UUID', { status: 400 });
  const user = await findUserById(runtime.db, sub);
  if (!user)
    throw new AuthError('user_not_found', 'User from sub claim in JWT does not exist', { status: 403 });
  const sessionId =
    typeof claims.session_id === 'string' && claims.session_id !== '' ? claims.session_id : undefined;
  if (sessionId) {
    const { rowCount } = await runtime.db.query(
      'select 1 from auth.sessions where id = $1 and user_id = $2',
      [sessionId, user.id],
    );
    if (!rowCount)
      throw new AuthError('session_not_found', 'Session from session_id claim in JWT does not exist');
  }
  return { user, sessionId, claims };
}

/** Admin routes: the JWT's role must be service_role (or supabase_admin), as GoTrue's admin roles. */
export function requireAdmin(c: AuthContext): void {
  const caller = c.get('caller');
  if (caller.bearer === 'token' && caller.tokenFailure) {
    throw new AuthError('bad_jwt', 'invalid JWT: unable to parse or verify signature, signature is invalid');
  }
  if (!caller.claims) {
    throw new AuthError('no_authorization', 'This endpoint requires a valid Bearer token');
  }
  if (caller.role !== 'service_role' && caller.role !== 'supabase_admin') {
    throw new AuthError('not_admin', 'User not allowed');
  }
}
