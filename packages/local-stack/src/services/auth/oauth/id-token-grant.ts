import { createHash } from 'node:crypto';
import { type AuthRuntime, inTransaction } from '../auth-runtime.ts';
import { AuthError } from '../error-codes.ts';
import type { JsonBody } from '../request-body.ts';
import { type AuthContext, clientInfo, requireUser } from '../request-context.ts';
import { type SessionResponse, startSession } from '../sessions.ts';
import { signInExternalIdentity } from './external-users.ts';
import { verifyIdToken } from './oauth-flow.ts';
import { KNOWN_PROVIDERS } from './oauth-settings.ts';

const NONCE_MISMATCH = 'Passed nonce and nonce in id_token should either both exist or not.';

/**
 * POST /token?grant_type=id_token (signInWithIdToken, and linkIdentity with an ID token):
 * an ID token the provider issued to the app, checked as GoTrue's IdTokenGrant does —
 * signature and issuer (locally the test identity provider's), audience (the provider's
 * client id), and the nonce (sha256 hex of the one the app passes) unless `skip_nonce_check`.
 */
export async function idTokenGrant(
  c: AuthContext,
  runtime: AuthRuntime,
  body: JsonBody,
): Promise<SessionResponse> {
  const provider = body.string('provider') ?? '';
  const idToken = body.string('id_token');
  const nonce = body.string('nonce');
  const linkIdentity = body.boolean('link_identity') ?? false;
  body.string('access_token');
  body.object('gotrue_meta_security');
  if (!idToken) throw new AuthError('validation_failed', 'id_token required');
  if (!provider) throw new AuthError('validation_failed', 'provider or client_id and issuer required');
  if (!KNOWN_PROVIDERS.includes(provider)) {
    throw new AuthError('validation_failed', `Custom OIDC provider "${provider}" not allowed`);
  }
  const settings = runtime.settings.oauthProviders.get(provider);
  const identityProvider = runtime.identityProvider;
  if (!settings?.enabled || !identityProvider) {
    throw new AuthError(
      'provider_disabled',
      `Provider (issuer "${identityProvider?.issuer ?? provider}") is not enabled`,
    );
  }
  let claims: Awaited<ReturnType<typeof verifyIdToken>>;
  try {
    claims = await verifyIdToken(identityProvider, settings.clientId, idToken);
  } catch {
    throw new AuthError('validation_failed', 'Bad ID token');
  }
  const tokenNonce = typeof claims.nonce === 'string' ? claims.nonce : '';
  if (!settings.skipNonceCheck) {
    if ((tokenNonce !== '') !== !!nonce) throw new AuthError('validation_failed', NONCE_MISMATCH);
    if (nonce && createHash('sha256').update(nonce).digest('hex') !== tokenNonce) {
      throw new AuthError('validation_failed', 'Nonces mismatch');
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
