import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { type AuthRuntime, inTransaction } from '../auth-runtime.ts';
import { AuthError, isAuthError } from '../error-codes.ts';
import { pkceParams } from '../flow-state.ts';
import { signInExternalIdentity } from '../oauth/external-users.ts';
import { unlinkIdentity } from '../oauth/identity-unlink.ts';
import {
  authorizationUrl,
  completeFlowState,
  exchangeCode,
  readState,
  resolveProvider,
} from '../oauth/oauth-flow.ts';
import { resolveRedirect } from '../redirect-urls.ts';
import { type AuthContext, clientInfo, requireUser } from '../request-context.ts';
import { startSession } from '../sessions.ts';

/** GoTrue's oauth-style `error` for a status, beside `error_code` in a failed callback's redirect. */
const OAUTH_ERROR: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized_client',
  403: 'access_denied',
  404: 'invalid_request',
  422: 'invalid_request',
  500: 'server_error',
};

/** Parameters in the fragment, and for PKCE flows in the query as well, as GoTrue redirects. */
function redirectWith(base: string, params: Record<string, string>, alsoInQuery: boolean): string {
  const url = new URL(base);
  if (alsoInQuery) for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  url.hash = new URLSearchParams(params).toString();
  return url.toString();
}

/** Sends the browser on to the provider, or (skip_http_redirect=true, as linkIdentity asks) answers `{url}`. */
function toProvider(c: AuthContext, url: string) {
  return c.req.query('skip_http_redirect') === 'true' ? c.json({ url }) : c.redirect(url, 302);
}

async function startFlow(c: AuthContext, runtime: AuthRuntime, linkingTargetId?: string) {
  const provider = resolveProvider(runtime, c.req.query('provider'));
  const pkce = pkceParams(c.req.query('code_challenge'), c.req.query('code_challenge_method'));
  const redirectTo = resolveRedirect(runtime.settings, c.req.query('redirect_to'));
  const url = await inTransaction(runtime, (client) =>
    authorizationUrl(runtime, client, provider, { redirectTo, pkce, linkingTargetId }),
  );
  return toProvider(c, url);
}

/** The provider sent the browser back: exchange its code, sign the user in, return to the app. */
async function callback(c: AuthContext, runtime: AuthRuntime) {
  const form = c.req.method === 'POST' ? await c.req.parseBody() : {};
  const param = (name: string) => {
    const value = form[name] ?? c.req.query(name);
    return typeof value === 'string' ? value : undefined;
  };
  const state = await readState(runtime, param('state'));
  const pkce = state.flowStateId !== undefined;
  const fail = (params: Record<string, string>) =>
    c.redirect(redirectWith(state.redirectTo, params, pkce), 303);
  const providerError = param('error');
  if (providerError) {
    return fail({
      error: providerError,
      error_code: 'bad_oauth_callback',
      error_description: param('error_description') ?? providerError,
    });
  }
  try {
    const provider = resolveProvider(runtime, state.provider);
    const code = param('code');
    if (!code) throw new AuthError('bad_oauth_callback', 'OAuth callback with missing authorization code');
    const tokens = await exchangeCode(runtime, provider, code);
    const info = clientInfo(c, runtime);
    const location = await inTransaction(runtime, async (client) => {
      const { user } = await signInExternalIdentity(runtime, client, {
        provider: provider.settings.name,
        claims: tokens.claims,
        linkingTargetId: state.linkingTargetId,
        ip: info.ip,
      });
      if (state.flowStateId) {
        const authCode = await completeFlowState(client, state.flowStateId, user.id, tokens);
        const url = new URL(state.redirectTo);
        url.searchParams.set('code', authCode);
        return url.toString();
      }
      const session = await startSession(runtime, client, user, 'oauth', info);
      const url = new URL(state.redirectTo);
      url.hash = new URLSearchParams({
        access_token: session.access_token,
        expires_at: String(session.expires_at),
        expires_in: String(session.expires_in),
        provider_token: tokens.accessToken,
        ...(tokens.refreshToken ? { provider_refresh_token: tokens.refreshToken } : {}),
        refresh_token: session.refresh_token,
        token_type: 'bearer',
      }).toString();
      return url.toString();
    });
    return c.redirect(location, 302);
  } catch (error) {
    if (!isAuthError(error) || error.status >= 500) throw error;
    return fail({
      error: OAUTH_ERROR[error.status] ?? 'invalid_request',
      error_code: error.code,
      error_description: error.message,
    });
  }
}

/**
 * OAuth / OIDC sign-in through `[auth.external.<provider>]` (signInWithOAuth, PKCE and
 * implicit), the provider's callback, and identity linking and unlinking. Locally the test
 * identity provider (oauth/local-identity-provider.ts) stands in for every provider.
 */
export function oauthRoutes(runtime: AuthRuntime): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();

  app.get('/authorize', (c) => startFlow(c, runtime));
  app.get('/callback', (c) => callback(c, runtime));
  // Providers that answer with response_mode=form_post (Apple) post back.
  app.post('/callback', (c) => callback(c, runtime));

  app.get('/user/identities/authorize', async (c) => {
    const { user } = await requireUser(c, runtime);
    if (!runtime.settings.manualLinkingEnabled) {
      throw new AuthError('manual_linking_disabled', 'Manual linking is disabled');
    }
    return startFlow(c, runtime, user.id);
  });

  app.delete('/user/identities/:id', async (c) => {
    const signedIn = await requireUser(c, runtime);
    await unlinkIdentity(runtime, signedIn, c.req.param('id'), clientInfo(c, runtime).ip);
    return c.json({});
  });

  return app;
}
