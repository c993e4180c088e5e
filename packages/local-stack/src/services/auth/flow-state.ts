import type pg from 'pg';
import { AuthError } from './error-codes.ts';
import { newAuthCode, s256Challenge } from './secrets.ts';

/** How long an issued PKCE auth code can be exchanged (GoTrue's flow-state expiry). */
const AUTH_CODE_LIFETIME_MS = 5 * 60_000;

export interface PkceRequest {
  codeChallenge: string;
  method: 's256' | 'plain';
}

/** Reads `code_challenge` / `code_challenge_method` from a request, as GoTrue validates them. */
export function pkceParams(
  challenge: string | undefined,
  method: string | undefined,
): PkceRequest | undefined {
  if (!challenge && !method) return undefined;
  if (!challenge || !method) {
    throw new AuthError('validation_failed', 'PKCE flow requires code_challenge_method and code_challenge');
  }
  const normalized = method.toLowerCase();
  if (normalized !== 's256' && normalized !== 'plain') {
    throw new AuthError('validation_failed', `code challenge method ${method} not supported`);
  }
  if (challenge.length < 43 || challenge.length > 128) {
    throw new AuthError('validation_failed', 'code challenge has to be between 43 and 128 characters');
  }
  return { codeChallenge: challenge, method: normalized };
}

/** A flow_state row for an email flow; the link's token carries the `pkce_` prefix. */
export async function createFlowState(
  client: pg.PoolClient,
  userId: string,
  pkce: PkceRequest,
  authenticationMethod: string,
): Promise<void> {
  await client.query(
    `insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge, provider_type,
                                  authentication_method, created_at, updated_at)
     values (gen_random_uuid(), $1, $2, $3::auth.code_challenge_method, $4, 'email', $5, now(), now())`,
    [userId, newAuthCode(), pkce.method, pkce.codeChallenge, authenticationMethod],
  );
}

/** Marks the user's latest flow for `authenticationMethod` as verified and returns its auth code. */
export async function issueAuthCode(
  client: pg.PoolClient,
  userId: string,
  authenticationMethod: string,
): Promise<string | undefined> {
  const { rows } = await client.query<{ auth_code: string }>(
    `update auth.flow_state set auth_code_issued_at = now(), updated_at = now()
      where id = (select id from auth.flow_state where user_id = $1 and authentication_method = $2
                  order by created_at desc limit 1)
      returning auth_code`,
    [userId, authenticationMethod],
  );
  return rows[0]?.auth_code;
}

/** Checks a PKCE exchange and consumes the flow state; returns the user and how they authenticated. */
export async function consumeAuthCode(
  client: pg.PoolClient,
  authCode: string,
  codeVerifier: string,
): Promise<{
  userId: string;
  authenticationMethod: string;
  /** What an OAuth provider handed back at the callback (oauth/oauth-flow.ts), for the app. */
  providerAccessToken: string | null;
  providerRefreshToken: string | null;
}> {
  const { rows } = await client.query<{
    id: string;
    user_id: string | null;
    code_challenge: string;
    code_challenge_method: 's256' | 'plain';
    authentication_method: string;
    auth_code_issued_at: Date | null;
    created_at: Date;
    provider_access_token: string | null;
    provider_refresh_token: string | null;
  }>('select * from auth.flow_state where auth_code = $1 for update', [authCode]);
  const flow = rows[0];
  if (!flow?.user_id) {
    throw new AuthError('flow_state_not_found', 'invalid flow state, no valid flow state found');
  }
  const issuedAt = (flow.auth_code_issued_at ?? flow.created_at).getTime();
  if (Date.now() > issuedAt + AUTH_CODE_LIFETIME_MS) {
    await client.query('delete from auth.flow_state where id = $1', [flow.id]);
    throw new AuthError('flow_state_expired', 'invalid flow state, flow state has expired');
  }
  const expected = flow.code_challenge_method === 's256' ? s256Challenge(codeVerifier) : codeVerifier;
  if (expected !== flow.code_challenge) {
    throw new AuthError('bad_code_verifier', 'code challenge does not match previously saved code verifier');
  }
  await client.query('delete from auth.flow_state where id = $1', [flow.id]);
  return {
    userId: flow.user_id,
    authenticationMethod: flow.authentication_method,
    providerAccessToken: flow.provider_access_token,
    providerRefreshToken: flow.provider_refresh_token,
  };
}
