import type { JWTPayload } from 'jose';
import type { AuthRuntime } from './auth-runtime.ts';
import { runCustomAccessTokenHook } from './custom-access-token-hook.ts';
import type { Queryable, UserRow } from './users.ts';

export interface AmrEntry {
  method: string;
  timestamp: number;
}

export interface SessionClaims {
  sessionId: string;
  aal: string;
  amr: AmrEntry[];
}

/** GoTrue's access-token claims for a user in a session. */
export function accessTokenClaims(
  runtime: AuthRuntime,
  user: UserRow,
  session: SessionClaims,
  now: number,
): JWTPayload {
  return {
    iss: runtime.settings.issuer,
    sub: user.id,
    aud: user.aud ?? 'authenticated',
    exp: now + runtime.settings.jwtExpirySeconds,
    iat: now,
    email: user.email ?? '',
    phone: user.phone ?? '',
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    role: user.role || 'authenticated',
    aal: session.aal,
    amr: session.amr,
    session_id: session.sessionId,
    is_anonymous: user.is_anonymous,
  };
}

/** Builds, passes through the custom access token hook if configured, and signs. */
export async function signAccessToken(
  runtime: AuthRuntime,
  db: Queryable,
  user: UserRow,
  session: SessionClaims,
  authenticationMethod: string,
): Promise<{ token: string; expiresAt: number; expiresIn: number }> {
  const now = Math.floor(Date.now() / 1000);
  let claims = accessTokenClaims(runtime, user, session, now);
  const hook = runtime.settings.customAccessTokenHook;
  if (hook) {
    claims = await runCustomAccessTokenHook(db, hook, {
      user_id: user.id,
      claims,
      authentication_method: authenticationMethod,
    });
  }
  const expiresAt = typeof claims.exp === 'number' ? claims.exp : now + runtime.settings.jwtExpirySeconds;
  return { token: await runtime.keys.signer.sign(claims), expiresAt, expiresIn: expiresAt - now };
}
