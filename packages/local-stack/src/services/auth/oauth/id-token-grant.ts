import { createHash } from 'node:crypto';
import { type AuthRuntime, inTransaction } from '../auth-runtime.ts';
import { AuthError } from '../error-codes.ts';
import type { JsonBody } from '../request-body.ts';
import { type AuthContext, clientInfo, requireUser } from '../request-context.ts';
import { startSession } from '../sessions.ts';
import { signInExternalIdentity } from './external-users.ts';
import { verifyIdToken } from './oauth-flow.ts';

/** The providers GoTrue's IdTokenGrant accepts by name; any other is a "Custom OIDC provider". */
const ID_TOKEN_PROVIDERS: readonly string[] = ['apple', 'google', 'azure', 'facebook', 'keycloak', 'kakao'];

/**
 * GoTrue answers a bad ID token with an OAuth-style body, `{error, error_description}`
 * (supabase-js: the description as message, no code), not its usual error shape.
 */
class OAuthStyleError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

const NONCE_MISMATCH = 'Passed nonce and nonce in id_token should either both exist or not.';

/**
 * POST /token?grant_type=id_token (signInWithIdToken, and linkIdentity with an ID token):
 * an ID token the provider issued to the app, checked as GoTrue's IdTokenGrant does —
 * signature and issuer (locally the test identity provider's), audience (the provider's
 * client id), and the nonce (sha256 hex of the one the app passes) unless `skip_nonce_check`.
 */
export async function idTokenGrant(c: AuthContext, runtime: AuthRuntime, body: JsonBody): Promise<Response> {
  try {
    return c.json(await signInWithIdToken(c, runtime, body));
  } catch (error) {
    if (!(error instanceof OAuthStyleError)) throw error;
    return c.json({ error: error.error, error_description: error.description }, 400);
  }
}

async function signInWithIdToken(c: AuthContext, runtime: AuthRuntime, body: JsonBody) {
  const provider = body.string('provider') ?? '';
  const idToken = body.string('id_token');
  const nonce = body.string('nonce');
  const linkIdentity = body.boolean('link_identity') ?? false;
  body.string('access_token');
  body.object('gotrue_meta_security');
  if (!idToken) throw new OAuthStyleError('invalid request', 'id_token required');
  if (!provider) throw new OAuthStyleError('invalid request', 'provider or client_id and issuer required');
  if (!ID_TOKEN_PROVIDERS.includes(provider)) {
    throw new AuthError('validation_failed', `Custom OIDC provider "${provider}" not allowed`);
  }
  const settings = runtime.settings.oauthProviders.get(provider);
  const identityProvider = await runtime.identityProvider;
  if (!settings?.enabled || !identityProvider) {
    throw new AuthError(
      'provider_disabled',
      `Provider (issuer "${identityProvider?.issuer ?? provider}") is not enabled`,
    );
  }
  let claims: Awaited<ReturnType<typeof verifyIdToken>>;
  try {
    claims = await verifyIdToken(identityProvider, undefined, idToken);
  } catch {
    throw new OAuthStyleError('invalid request', 'Bad ID token');
  }
  const audience = Array.isArray(claims.aud) ? claims.aud : claims.aud ? [claims.aud] : [];
  if (!audience.includes(settings.clientId)) {
    throw new OAuthStyleError(
      'invalid request',
      `Unacceptable audience in id_token: [${audience.join(' ')}]`,
    );
  }
  if (!settings.skipNonceCheck) {
    const tokenNonce = typeof claims.nonce === 'string' ? claims.nonce : '';
    if ((tokenNonce !== '') !== !!nonce) throw new OAuthStyleError('invalid request', NONCE_MISMATCH);
    if (nonce && createHash('sha256').update(nonce).digest('hex') !== tokenNonce) {
      throw new OAuthStyleError('invalid nonce', 'Nonces mismatch');
    }
  }
  const linkingTargetId = linkIdentity ? await requireLinkingUser(c, runtime) : undefined;
  const info = clientInfo(c, runtime);
  return inTransaction(runtime, async (client) => {
    const { user } = await signInExternalIdentity(runtime, client, {
      provider,
      claims,
      linkingTargetId,
      ip: info.ip,
    });
    return startSession(runtime, client, user, 'oauth', info);
  });
}

async function requireLinkingUser(c: AuthContext, runtime: AuthRuntime): Promise<string> {
  const { user } = await requireUser(c, runtime);
  if (!runtime.settings.manualLinkingEnabled) {
    throw new AuthError('manual_linking_disabled', 'Manual linking is disabled');
  }
  return user.id;
}
