import { isIP } from 'node:net';
import type pg from 'pg';
import { type AmrEntry, signAccessToken } from './access-token.ts';
import type { AuthRuntime } from './auth-runtime.ts';
import { AuthError } from './error-codes.ts';
import type { FactorRow } from './mfa/factors.ts';
import { newRefreshToken } from './secrets.ts';
import { userJson } from './user-json.ts';
import {
  findUserById,
  type IdentityRow,
  INSTANCE_ID,
  isBanned,
  touchLastSignIn,
  type UserRow,
} from './users.ts';

/** GoTrue's authentication methods, as they appear in `amr` and in the hook input. */
export type AuthMethod =
  | 'password'
  | 'otp'
  | 'magiclink'
  | 'email/signup'
  | 'invite'
  | 'recovery'
  | 'email_change'
  | 'anonymous'
  | 'oauth'
  | 'pkce'
  | 'token_refresh'
  // A verified MFA factor (mfa/factors.ts FACTOR_AMR_METHOD).
  | 'totp'
  | 'mfa/webauthn'
  // A passkey sign-in (GoTrue's PasskeyLogin).
  | 'passkey';

export interface ClientInfo {
  ip: string | undefined;
  userAgent: string | undefined;
}

interface RefreshTokenRow {
  id: string;
  token: string;
  user_id: string;
  revoked: boolean;
  updated_at: Date;
  parent: string | null;
  session_id: string;
}

async function insertRefreshToken(
  client: pg.PoolClient,
  userId: string,
  sessionId: string,
  parent: string | null,
) {
  const token = newRefreshToken();
  await client.query(
    `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
     values ($1, $2, $3, false, now(), now(), $4, $5)`,
    [INSTANCE_ID, token, userId, parent, sessionId],
  );
  return token;
}

/** The session's `amr` entries and the user's identities, in one round trip. */
async function amrAndIdentities(
  client: pg.PoolClient,
  sessionId: string,
  userId: string,
): Promise<{ amr: AmrEntry[]; identities: IdentityRow[]; factors: FactorRow[] }> {
  const { rows } = await client.query<{
    amr: AmrEntry[] | null;
    identities: IdentityRow[] | null;
    factors: FactorRow[] | null;
  }>(
    `select
       (select json_agg(json_build_object('method', authentication_method,
                                          'timestamp', floor(extract(epoch from updated_at))::bigint)
                        order by updated_at desc)
          from auth.mfa_amr_claims where session_id = $1) as amr,
       (select json_agg(i order by i.created_at) from auth.identities i where i.user_id = $2) as identities,
       (select json_agg(f order by f.created_at) from auth.mfa_factors f where f.user_id = $2) as factors`,
    [sessionId, userId],
  );
  const identities = (rows[0]?.identities ?? []).map((identity) => ({
    ...identity,
    last_sign_in_at: identity.last_sign_in_at ? new Date(identity.last_sign_in_at) : null,
    created_at: identity.created_at ? new Date(identity.created_at) : null,
    updated_at: identity.updated_at ? new Date(identity.updated_at) : null,
  }));
  const factors = (rows[0]?.factors ?? []).map((factor) => ({
    ...factor,
    created_at: new Date(factor.created_at),
    updated_at: new Date(factor.updated_at),
    last_challenged_at: factor.last_challenged_at ? new Date(factor.last_challenged_at) : null,
  }));
  return { amr: rows[0]?.amr ?? [], identities, factors };
}

/** The JSON GoTrue answers a sign-in with. */
export async function sessionResponse(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  user: UserRow,
  session: { id: string; aal: string },
  refreshToken: string,
  method: AuthMethod,
) {
  const { amr, identities, factors } = await amrAndIdentities(client, session.id, user.id);
  const access = await signAccessToken(
    runtime,
    client,
    user,
    { sessionId: session.id, aal: session.aal, amr },
    method,
  );
  return {
    access_token: access.token,
    token_type: 'bearer',
    expires_in: access.expiresIn,
    expires_at: access.expiresAt,
    refresh_token: refreshToken,
    user: userJson(user, identities, factors),
  };
}

export type SessionResponse = Awaited<ReturnType<typeof sessionResponse>>;

/** Starts a session for a signed-in user: sessions, mfa_amr_claims and the first refresh token. */
export async function startSession(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  user: UserRow,
  method: AuthMethod,
  info: ClientInfo,
): Promise<SessionResponse> {
  const sessionId = crypto.randomUUID();
  await client.query(
    `insert into auth.sessions (id, user_id, created_at, updated_at, aal, refreshed_at, user_agent, ip)
     values ($1, $2, now(), now(), 'aal1', now(), $3, $4)`,
    [sessionId, user.id, info.userAgent ?? null, info.ip && isIp(info.ip) ? info.ip : null],
  );
  await client.query(
    `insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method)
     values (gen_random_uuid(), $1, now(), now(), $2)`,
    [sessionId, method],
  );
  const refreshToken = await insertRefreshToken(client, user.id, sessionId, null);
  const signedIn = await touchLastSignIn(client, user.id);
  return sessionResponse(runtime, client, signedIn, { id: sessionId, aal: 'aal1' }, refreshToken, method);
}

/** Only addresses go into sessions.ip (inet); a forwarded header could hold anything. */
function isIp(value: string): boolean {
  return isIP(value) !== 0;
}

/**
 * The refresh_token grant with GoTrue's rotation: a live token is swapped for a child;
 * a revoked one returns its active child only within the reuse interval, and otherwise
 * revokes every token of the session.
 */
export async function refreshSession(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  presented: string,
): Promise<SessionResponse> {
  // One round trip for the token (locked, so concurrent refreshes of it queue) and its session.
  const { rows } = await client.query<
    RefreshTokenRow & { session_exists: boolean; aal: string | null; not_after: Date | null }
  >(
    `select rt.*, s.id is not null as session_exists, s.aal, s.not_after
       from auth.refresh_tokens rt left join auth.sessions s on s.id = rt.session_id
      where rt.token = $1
      for update of rt`,
    [presented],
  );
  const token = rows[0];
  if (!token) {
    throw new AuthError('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
  }
  const user = await findUserById(client, token.user_id);
  if (!user) throw new AuthError('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
  if (isBanned(user)) {
    throw new AuthError('user_banned', 'Invalid Refresh Token: User Banned', { status: 400 });
  }
  if (!token.session_exists) {
    throw new AuthError('session_not_found', 'Invalid Refresh Token: No Valid Session Found', {
      status: 400,
    });
  }
  const session = { id: token.session_id, aal: token.aal, not_after: token.not_after };
  if (session.not_after && session.not_after.getTime() < Date.now()) {
    throw new AuthError('session_expired', 'Invalid Refresh Token: Session Expired');
  }

  let issued: string;
  if (token.revoked) {
    const { rows: active } = await client.query<RefreshTokenRow>(
      'select * from auth.refresh_tokens where session_id = $1 and revoked = false order by id desc limit 1',
      [token.session_id],
    );
    const child = active[0];
    const reuseUntil = token.updated_at.getTime() + runtime.settings.refreshTokenReuseIntervalSeconds * 1000;
    if (child && child.parent === token.token && Date.now() < reuseUntil) {
      issued = child.token;
    } else {
      if (runtime.settings.refreshTokenRotation) {
        await client.query(
          'update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = $1 and revoked = false',
          [token.session_id],
        );
      }
      throw new AuthError('refresh_token_already_used', 'Invalid Refresh Token: Already Used');
    }
  } else {
    // Revoke the parent, issue the child and touch the session in one statement.
    issued = newRefreshToken();
    await client.query(
      `with revoked as (
         update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1
       ), touched as (
         update auth.sessions set refreshed_at = now(), updated_at = now() where id = $4
       )
       insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
       values ($5, $2, $3, false, now(), now(), $6, $4)`,
      [token.id, issued, user.id, token.session_id, INSTANCE_ID, token.token],
    );
  }
  if (token.revoked) {
    await client.query('update auth.sessions set refreshed_at = now(), updated_at = now() where id = $1', [
      session.id,
    ]);
  }
  return sessionResponse(
    runtime,
    client,
    user,
    { id: session.id, aal: session.aal ?? 'aal1' },
    issued,
    'token_refresh',
  );
}

export type LogoutScope = 'global' | 'local' | 'others';

/** Ends sessions as POST /logout does; refresh tokens go with them (ON DELETE CASCADE). */
export async function endSessions(
  db: Pick<pg.Pool, 'query'>,
  userId: string,
  sessionId: string | undefined,
  scope: LogoutScope,
) {
  if (scope === 'global' || !sessionId) {
    await db.query('delete from auth.sessions where user_id = $1', [userId]);
  } else if (scope === 'local') {
    await db.query('delete from auth.sessions where id = $1', [sessionId]);
  } else {
    await db.query('delete from auth.sessions where user_id = $1 and id <> $2', [userId, sessionId]);
  }
}
