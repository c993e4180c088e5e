import type { JWTPayload } from 'jose';
import { createRemoteJWKSet } from 'jose/jwks/remote';
import { SignJWT } from 'jose/jwt/sign';
import { jwtVerify } from 'jose/jwt/verify';
import type pg from 'pg';
import type { AuthRuntime } from '../auth-runtime.ts';
import { AuthError } from '../error-codes.ts';
import type { PkceRequest } from '../flow-state.ts';
import { newAuthCode } from '../secrets.ts';
import type { ExternalClaims } from './external-users.ts';
import type { LocalIdentityProvider } from './local-identity-provider.ts';
import { KNOWN_PROVIDERS, type OAuthProviderSettings } from './oauth-settings.ts';

/** How long a browser may take between /authorize and /callback (GoTrue's state JWT lives 5 minutes). */
const STATE_LIFETIME = '5m';
/** What Auth asks the provider for; the test provider knows these scopes and no others. */
const PROVIDER_SCOPES = 'openid email profile';

/** An enabled provider and the local identity provider that stands in for it. */
export interface ResolvedProvider {
  settings: OAuthProviderSettings;
  identityProvider: LocalIdentityProvider;
}

/** The `provider` of /authorize and /user/identities/authorize, refused in GoTrue's words. */
export async function resolveProvider(
  runtime: AuthRuntime,
  name: string | undefined,
): Promise<ResolvedProvider> {
  // GoTrue lower-cases the name: ?provider=GitHub is github.
  const provider = (name ?? '').toLowerCase();
  if (!KNOWN_PROVIDERS.includes(provider)) {
    throw new AuthError('validation_failed', `Unsupported provider: Provider ${provider} could not be found`);
  }
  const settings = runtime.settings.oauthProviders.get(provider);
  if (!settings?.enabled || !runtime.identityProvider) {
    throw new AuthError('validation_failed', 'Unsupported provider: provider is not enabled');
  }
  return { settings, identityProvider: await runtime.identityProvider };
}

/** What the state parameter carries from /authorize to /callback, signed so it can't be forged. */
export interface OAuthState {
  provider: string;
  redirectTo: string;
  flowStateId?: string | undefined;
  linkingTargetId?: string | undefined;
}

const secretOf = (runtime: AuthRuntime) => new TextEncoder().encode(runtime.keys.jwtSecret);

async function signState(runtime: AuthRuntime, state: OAuthState): Promise<string> {
  return new SignJWT({
    provider: state.provider,
    referrer: state.redirectTo,
    ...(state.flowStateId ? { flow_state_id: state.flowStateId } : {}),
    ...(state.linkingTargetId ? { linking_target_id: state.linkingTargetId } : {}),
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(STATE_LIFETIME)
    .sign(secretOf(runtime));
}

export async function readState(runtime: AuthRuntime, state: string | undefined): Promise<OAuthState> {
  if (!state) throw new AuthError('bad_oauth_callback', 'OAuth state parameter missing');
  try {
    const { payload } = await jwtVerify(state, secretOf(runtime), { algorithms: ['HS256'] });
    if (typeof payload.provider !== 'string' || typeof payload.referrer !== 'string')
      throw new Error('claims');
    return {
      provider: payload.provider,
      redirectTo: payload.referrer,
      flowStateId: typeof payload.flow_state_id === 'string' ? payload.flow_state_id : undefined,
      linkingTargetId: typeof payload.linking_target_id === 'string' ? payload.linking_target_id : undefined,
    };
  } catch {
    throw new AuthError('bad_oauth_state', 'OAuth callback with invalid state');
  }
}

/**
 * The provider URL a browser is sent to: a PKCE request first gets its flow_state row (the
 * user is filled in at the callback), then everything travels in the signed state.
 */
export async function authorizationUrl(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  provider: ResolvedProvider,
  request: { redirectTo: string; pkce: PkceRequest | undefined; linkingTargetId?: string | undefined },
): Promise<string> {
  let flowStateId: string | undefined;
  if (request.pkce) {
    const { rows } = await client.query<{ id: string }>(
      `insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge, provider_type,
                                    authentication_method, created_at, updated_at)
       values (gen_random_uuid(), null, $1, $2::auth.code_challenge_method, $3, $4, 'oauth', now(), now())
       returning id`,
      [newAuthCode(), request.pkce.method, request.pkce.codeChallenge, provider.settings.name],
    );
    flowStateId = rows[0]?.id;
  }
  const state = await signState(runtime, {
    provider: provider.settings.name,
    redirectTo: request.redirectTo,
    flowStateId,
    linkingTargetId: request.linkingTargetId,
  });
  const url = new URL('/auth', provider.identityProvider.issuer);
  url.search = new URLSearchParams({
    client_id: provider.settings.clientId,
    redirect_uri: callbackUrl(runtime),
    response_type: 'code',
    scope: PROVIDER_SCOPES,
    state,
  }).toString();
  return url.toString();
}

export function callbackUrl(runtime: AuthRuntime): string {
  return `${runtime.settings.issuer}/callback`;
}

export interface ProviderTokens {
  claims: ExternalClaims;
  accessToken: string;
  refreshToken: string | undefined;
}

const jwksCache = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/**
 * Verifies an ID token the local identity provider issued (signature, issuer, expiry) and
 * returns its claims; with `clientId`, its audience must be that client too.
 */
export async function verifyIdToken(
  identityProvider: LocalIdentityProvider,
  clientId: string | undefined,
  idToken: string,
): Promise<ExternalClaims & JWTPayload> {
  let jwks = jwksCache.get(identityProvider.issuer);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL('/jwks', identityProvider.issuer));
    jwksCache.set(identityProvider.issuer, jwks);
  }
  const { payload } = await jwtVerify(idToken, jwks, {
    issuer: identityProvider.issuer,
    ...(clientId ? { audience: clientId } : {}),
  });
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('no sub');
  return payload as ExternalClaims & JWTPayload;
}

/** The callback's code exchanged at the provider's token endpoint, and who it says signed in. */
export async function exchangeCode(
  runtime: AuthRuntime,
  provider: ResolvedProvider,
  code: string,
): Promise<ProviderTokens> {
  const response = await fetch(new URL('/token', provider.identityProvider.issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: callbackUrl(runtime),
      client_id: provider.settings.clientId,
      client_secret: provider.settings.secret,
    }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.id_token !== 'string' || typeof body.access_token !== 'string') {
    throw new AuthError(
      'bad_oauth_callback',
      `Unable to exchange external code: ${String(body.error_description ?? body.error ?? response.status)}`,
    );
  }
  const claims = await verifyIdToken(provider.identityProvider, provider.settings.clientId, body.id_token);
  return {
    claims,
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
  };
}

/** Completes a PKCE flow: its user and the provider's tokens, and the auth code the app exchanges. */
export async function completeFlowState(
  client: pg.PoolClient,
  flowStateId: string,
  userId: string,
  tokens: ProviderTokens,
): Promise<string> {
  const { rows } = await client.query<{ auth_code: string }>(
    `update auth.flow_state
        set user_id = $2, provider_access_token = $3, provider_refresh_token = $4,
            auth_code_issued_at = now(), updated_at = now()
      where id = $1 and user_id is null
      returning auth_code`,
    [flowStateId, userId, tokens.accessToken, tokens.refreshToken ?? null],
  );
  const code = rows[0]?.auth_code;
  if (!code) throw new AuthError('flow_state_not_found', 'invalid flow state, no valid flow state found');
  return code;
}
