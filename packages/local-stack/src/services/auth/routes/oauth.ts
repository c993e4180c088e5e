import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../../database-unavailable.ts';
import { type AuthRuntime, inTransaction } from '../auth-runtime.ts';
import { AuthError, isAuthError, OAUTH_ERROR_FOR_STATUS } from '../error-codes.ts';
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

/** Refusals GoTrue reports as `access_denied` whatever their status. */
const ACCESS_DENIED: ReadonlySet<string> = new Set(['signup_disabled', 'user_banned']);

/** A failed callback's redirect, as GoTrue's redirectErrors: the error in the query and again in the fragment. */
function redirectWithError(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  url.hash = new URLSearchParams(params).toString();
  return url.toString();
}

function errorParams(error: AuthError): Record<string, string> {
  return {
    error: ACCESS_DENIED.has(error.code)
      ? 'access_denied'
      : (OAUTH_ERROR_FOR_STATUS[error.status] ?? 'server_error'),
    error_code: error.code,
    error_description: error.message,
  };
}

/** Sends the browser on to the provider, or (skip_http_redirect=true, as linkIdentity asks) answers `{url}`. */
function toProvider(c: AuthContext, url: string) {
  return c.req.query('skip_http_redirect') === 'true' ? c.json({ url }) : c.redirect(url, 302);
}

async function startFlow(c: AuthContext, runtime: AuthRuntime, linkingTargetId?: string) {
  const provider = await resolveProvider(runtime, c.req.query('provider'));
  const pkce = pkceParams(c.req.query('code_challenge'), c.req.query('code_challenge_method'));
  const redirectTo = resolveRedirect(runtime.settings, c.req.query('redirect_to'));
  const url = await inTransaction(runtime, (client) =>
    authorizationUrl(runtime, client, provider, { redirectTo, pkce, linkingTargetId }),
  );
  return toProvider(c, url);
}

/** Signs in whoever the provider vouched for; returns where the browser goes next. */
async function finishCallback(
  c: AuthContext,
  runtime: AuthRuntime,
  state: Awaited<ReturnType<typeof readState>>,
  code: string | undefined,
): Promise<string> {
  const provider = await resolveProvider(runtime, state.provider);
  if (!code)
    throw new AuthError('bad_oauth_callback', 'OAuth callback with missing authorization code missing');
  const tokens = await exchangeCode(runtime, provider, code);
  const info = clientInfo(c, runtime);
  return inTransaction(runtime, async (client) => {
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
}

/**
 * The provider sent the browser back: exchange its code, sign the user in, return to the app.
 * Every failure, a bad state included, goes back as a redirect (to the state's redirect_to,
 * else site_url) carrying the error, never as a JSON answer the browser would be left on.
 */
async function callback(c: AuthContext, runtime: AuthRuntime) {
  const form = c.req.method === 'POST' ? await c.req.parseBody() : {};
  const param = (name: string) => {
    const value = form[name] ?? c.req.query(name);
    return typeof value === 'string' ? value : undefined;
  };
  let back = runtime.settings.siteUrl;
  try {
    const state = await readState(runtime, param('state'));
    back = state.redirectTo;
    const providerError = param('error');
    if (providerError) {
      // The provider's own refusal (the user cancelled): passed on as it came, without an error_code.
      const params = { error: providerError, error_description: param('error_description') ?? '' };
      return c.redirect(redirectWithError(back, params), 302);
    }
    return c.redirect(await finishCallback(c, runtime, state, param('code')), 302);
  } catch (error) {
    if (!isAuthError(error)) {
      runtime.log.error(`${c.req.method} ${c.req.path}: ${(error as Error).stack ?? String(error)}`);
    }
    const failure = isAuthError(error)
      ? error
      : isDatabaseUnavailable(error)
        ? new AuthError('database_unavailable', DATABASE_UNAVAILABLE_MESSAGE)
        : new AuthError(
            'unexpected_failure',
            'Unexpected failure, please check server logs for more information',
          );
    return c.redirect(redirectWithError(back, errorParams(failure)), 302);
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
