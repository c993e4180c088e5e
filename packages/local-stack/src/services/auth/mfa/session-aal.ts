import type pg from 'pg';
import type { AuthRuntime } from '../auth-runtime.ts';
import { AuthError } from '../error-codes.ts';
import { newRefreshToken } from '../secrets.ts';
import { type AuthMethod, type SessionResponse, sessionResponse } from '../sessions.ts';
import { findUserById, INSTANCE_ID, type Queryable } from '../users.ts';
import { FACTOR_AMR_METHOD, type FactorRow } from './factors.ts';

/** The caller's session's assurance level (`aal1` when the row has none). */
export async function sessionAal(db: Queryable, sessionId: string): Promise<string> {
  const { rows } = await db.query<{ aal: string | null }>('select aal from auth.sessions where id = $1', [
    sessionId,
  ]);
  return rows[0]?.aal ?? 'aal1';
}

/**
 * GoTrue's updateMFASessionAndClaims after a factor verified: the method joins the session's
 * `amr`, the session becomes aal2 bound to the factor, its latest refresh token is swapped for
 * a child, the user's aal1 sessions end (InvalidateSessionsWithAALLessThan), and a new access
 * token carries `aal: aal2`.
 */
export async function upgradeSessionToAal2(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  userId: string,
  sessionId: string,
  factor: FactorRow,
): Promise<SessionResponse> {
  const method = FACTOR_AMR_METHOD[factor.factor_type];
  await client.query(
    `insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method)
     values (gen_random_uuid(), $1, now(), now(), $2)
     on conflict (session_id, authentication_method) do update set updated_at = now()`,
    [sessionId, method],
  );
  await client.query(
    `update auth.sessions set aal = 'aal2', factor_id = $2, updated_at = now() where id = $1`,
    [sessionId, factor.id],
  );
  const { rows } = await client.query<{ id: string; token: string }>(
    `select id, token from auth.refresh_tokens
      where session_id = $1 and revoked = false order by id desc limit 1 for update`,
    [sessionId],
  );
  const parent = rows[0];
  if (parent) {
    await client.query('update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1', [
      parent.id,
    ]);
  }
  const refreshToken = newRefreshToken();
  await client.query(
    `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
     values ($1, $2, $3, false, now(), now(), $4, $5)`,
    [INSTANCE_ID, refreshToken, userId, parent?.token ?? null, sessionId],
  );
  await client.query(
    `delete from auth.sessions where user_id = $1 and id <> $2 and (aal is null or aal < 'aal2')`,
    [userId, sessionId],
  );
  const user = await findUserById(client, userId);
  if (!user) throw new AuthError('user_not_found', 'User not found');
  return sessionResponse(
    runtime,
    client,
    user,
    { id: sessionId, aal: 'aal2' },
    refreshToken,
    method as AuthMethod,
  );
}

/**
 * GoTrue's DowngradeSessionsToAAL1 when a factor is unenrolled: sessions it raised lose its
 * `amr` entry and return to aal1.
 */
export async function downgradeSessionsOf(db: Queryable, factor: FactorRow) {
  await db.query(
    `with raised as (select id from auth.sessions where factor_id = $1),
          dropped as (
            delete from auth.mfa_amr_claims
             where session_id in (select id from raised) and authentication_method = $2
          )
     update auth.sessions set aal = 'aal1', factor_id = null, updated_at = now()
      where id in (select id from raised)`,
    [factor.id, FACTOR_AMR_METHOD[factor.factor_type]],
  );
}
