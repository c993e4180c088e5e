import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { recordAudit } from '../audit-log.ts';
import { type AuthRuntime, inTransaction } from '../auth-runtime.ts';
import { AuthError, isAuthError } from '../error-codes.ts';
import { consumeAuthCode } from '../flow-state.ts';
import { idTokenGrant } from '../oauth/id-token-grant.ts';
import { assertStrongPassword, passwordMatches } from '../passwords.ts';
import { phonePasswordGrant } from '../phone/phone-flows.ts';
import { type JsonBody, readJsonBody } from '../request-body.ts';
import { type AuthContext, clientInfo, clientIp } from '../request-context.ts';
import { type AuthMethod, refreshSession, startSession } from '../sessions.ts';
import { findUserByEmail, findUserById, isBanned } from '../users.ts';

const INVALID_LOGIN = 'Invalid login credentials';

async function passwordGrant(c: AuthContext, runtime: AuthRuntime, body: JsonBody) {
  const info = clientInfo(c, runtime);
  const email = body.string('email');
  const phone = body.string('phone');
  const password = body.string('password') ?? '';
  if (email && phone) {
    throw new AuthError(
      'validation_failed',
      'Only an email address or phone number should be provided on login.',
    );
  }
  if (phone) {
    const session = await phonePasswordGrant(c, runtime, { phone, password });
    const weak = weakPasswordWarning(password, runtime);
    return c.json(weak ? { ...session, weak_password: weak } : session);
  }
  if (!email) throw new AuthError('validation_failed', 'missing email or phone');
  if (!runtime.settings.emailProviderEnabled) {
    throw new AuthError('email_provider_disabled', 'Email logins are disabled');
  }
  const user = await findUserByEmail(runtime.db, email.trim());
  const matches = await passwordMatches(password, user?.encrypted_password ?? null);
  if (!user || !matches || isBanned(user)) throw new AuthError('invalid_credentials', INVALID_LOGIN);
  if (!user.email_confirmed_at) throw new AuthError('email_not_confirmed', 'Email not confirmed');
  const session = await inTransaction(runtime, async (client) => {
    await recordAudit(client, user, 'login', info.ip, { provider: 'email' });
    return startSession(runtime, client, user, 'password', info);
  });
  // Like GoTrue, a password that no longer meets the rules still signs in, with a warning.
  const weak = weakPasswordWarning(password, runtime);
  return c.json(weak ? { ...session, weak_password: weak } : session);
}

function weakPasswordWarning(password: string, runtime: AuthRuntime) {
  try {
    assertStrongPassword(password, {
      minimumLength: runtime.settings.minimumPasswordLength,
      requirements: runtime.settings.passwordRequirements,
    });
    return undefined;
  } catch (error) {
    // GoTrue only logs other failures of the strength check (a password over 72 bytes) at sign-in.
    if (!isAuthError(error) || error.code !== 'weak_password') return undefined;
    return { reasons: error.weakPasswordReasons ?? [], message: error.message };
  }
}

async function refreshTokenGrant(c: AuthContext, runtime: AuthRuntime, body: JsonBody) {
  const refreshToken = body.string('refresh_token');
  if (!refreshToken) throw new AuthError('validation_failed', 'refresh_token required');
  const session = await inTransaction(
    runtime,
    (client) => refreshSession(runtime, client, refreshToken),
    // Revoking the token family must stick even though the request is refused.
    (error) => isAuthError(error) && error.code === 'refresh_token_already_used',
  );
  return c.json(session);
}

async function pkceGrant(c: AuthContext, runtime: AuthRuntime, body: JsonBody) {
  const info = clientInfo(c, runtime);
  const authCode = body.string('auth_code');
  const codeVerifier = body.string('code_verifier');
  if (!authCode || !codeVerifier) {
    throw new AuthError(
      'validation_failed',
      'invalid request: both auth code and code verifier should be non-empty',
    );
  }
  const session = await inTransaction(
    runtime,
    async (client) => {
      const flow = await consumeAuthCode(client, authCode, codeVerifier);
      const user = await findUserById(client, flow.userId);
      if (!user) throw new AuthError('user_not_found', 'User not found');
      if (isBanned(user)) throw new AuthError('user_banned', 'User is banned');
      const session = await startSession(
        runtime,
        client,
        user,
        flow.authenticationMethod as AuthMethod,
        info,
      );
      // An OAuth flow's provider tokens go to the app with the session, as GoTrue's pkce grant.
      return {
        ...session,
        ...(flow.providerAccessToken ? { provider_token: flow.providerAccessToken } : {}),
        ...(flow.providerRefreshToken ? { provider_refresh_token: flow.providerRefreshToken } : {}),
      };
    },
    (error) => isAuthError(error) && error.code === 'flow_state_expired',
  );
  return c.json(session);
}

const GRANT_TYPES: readonly string[] = ['password', 'refresh_token', 'pkce', 'id_token', 'web3'];

/** POST /token?grant_type=password|refresh_token|pkce (id_token and web3 need providers this stack lacks). */
export function tokenRoutes(runtime: AuthRuntime): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();
  app.post('/token', async (c) => {
    const grantType = c.req.query('grant_type') ?? '';
    if (!GRANT_TYPES.includes(grantType))
      throw new AuthError('invalid_credentials', 'unsupported_grant_type');
    // As GoTrue's Token handler: every grant counts against the `token` bucket (token_refresh),
    // password sign-ins included, web3 against its own; before the body is read.
    runtime.limits.check(grantType === 'web3' ? 'web3' : 'token', clientIp(c, runtime));
    const body = await readJsonBody(c);
    switch (grantType) {
      case 'password':
        return passwordGrant(c, runtime, body);
      case 'refresh_token':
        return refreshTokenGrant(c, runtime, body);
      case 'pkce':
        return pkceGrant(c, runtime, body);
      case 'id_token':
        return idTokenGrant(c, runtime, body);
      case 'web3':
        throw new AuthError('web3_provider_disabled', 'Web3 provider is disabled');
      default:
        throw new AuthError('invalid_credentials', 'unsupported_grant_type');
    }
  });
  return app;
}
