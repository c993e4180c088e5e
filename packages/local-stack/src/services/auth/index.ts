import { type Context, Hono } from 'hono';
import pg from 'pg';
import { type BodyRefusal, BodyRefusedError } from '../../http/guarded-body.ts';
import type { ServiceEnv } from '../caller.ts';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../database-unavailable.ts';
import { MOUNTS } from '../mounts.ts';
import type { Service, ServiceContext } from '../service.ts';
import type { AuthRuntime } from './auth-runtime.ts';
import { AuthError, isAuthError } from './error-codes.ts';
import { createMailer } from './mailer.ts';
import { startLocalIdentityProvider } from './oauth/local-identity-provider.ts';
import { createSmsSender } from './phone/sms-sender.ts';
import { AuthRateLimits } from './rate-limits.ts';
import { API_VERSION_HEADER, renderAuthError } from './render-error.ts';
import { adminRoutes } from './routes/admin.ts';
import { adminFactorRoutes } from './routes/admin-factors.ts';
import { emailLinkRoutes } from './routes/email-links.ts';
import { mfaRoutes } from './routes/mfa.ts';
import { notEnabledRoutes } from './routes/not-enabled.ts';
import { oauthRoutes } from './routes/oauth.ts';
import { passkeyRoutes } from './routes/passkeys.ts';
import { serverInfoRoutes } from './routes/server-info.ts';
import { signupRoutes } from './routes/signup.ts';
import { tokenRoutes } from './routes/token.ts';
import { userRoutes } from './routes/user.ts';
import { verifyRoutes } from './routes/verify.ts';
import { authSettingsFrom } from './settings.ts';

/** Builds the Hono app for /auth/v1 from a ready runtime (tests and the service share it). */
export function createAuthApp(runtime: AuthRuntime): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();
  app.use('*', async (c, next) => {
    await next();
    // GoTrue answers every request with the API version it speaks.
    if (!c.res.headers.has(API_VERSION_HEADER)) c.res.headers.set(API_VERSION_HEADER, '2024-01-01');
  });
  for (const routes of [
    serverInfoRoutes(runtime),
    signupRoutes(runtime),
    tokenRoutes(runtime),
    verifyRoutes(runtime),
    emailLinkRoutes(runtime),
    userRoutes(runtime),
    adminRoutes(runtime),
    adminFactorRoutes(runtime),
    oauthRoutes(runtime),
    mfaRoutes(runtime),
    passkeyRoutes(runtime),
    notEnabledRoutes(runtime),
  ]) {
    app.route('/', routes);
  }
  // A catch-all route rather than notFound(): a mounted sub-app's notFound is not used by the gateway.
  app.all('*', (c) => renderAuthError(c, new AuthError('not_found', 'Not Found')));
  app.onError((error, c) => {
    // The gateway stopped reading the body (too large, stalled); it answers with this too.
    if (error instanceof BodyRefusedError) return renderBodyRefusal(c, error.refusal);
    // Postgres stopped or restarting, raw or wrapped in a "Database error …" 500: retry later.
    if (isDatabaseUnavailable(isAuthError(error) && error.status >= 500 ? error.cause : error)) {
      return renderAuthError(c, new AuthError('database_unavailable', DATABASE_UNAVAILABLE_MESSAGE));
    }
    const cause = isAuthError(error) ? (error.cause as { code?: unknown } | undefined) : undefined;
    if (isAuthError(error) && typeof cause?.code === 'string' && cause.code.startsWith('22')) {
      return renderAuthError(
        c,
        new AuthError('validation_failed', 'Request contains characters or values that cannot be stored'),
      );
    }
    if (isAuthError(error)) {
      if (error.status >= 500)
        runtime.log.error(`${c.req.method} ${c.req.path}: ${error.message}: ${String(error.cause ?? '')}`);
      return renderAuthError(c, error);
    }
    // Postgres "data exception" (class 22): input Postgres cannot store, such as a NUL
    // character in a string. It is the caller's input, so it is a 400, never a 500.
    const pgCode = (error as { code?: unknown }).code;
    if (typeof pgCode === 'string' && pgCode.startsWith('22')) {
      return renderAuthError(
        c,
        new AuthError('validation_failed', 'Request contains characters or values that cannot be stored'),
      );
    }
    runtime.log.error(`${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`);
    return renderAuthError(
      c,
      new AuthError(
        'unexpected_failure',
        'Unexpected failure, please check server logs for more information',
      ),
    );
  });
  return app;
}

/** The gateway's refusal of a request body, in GoTrue's error shape. */
function renderBodyRefusal(c: Context, refusal: BodyRefusal): Response {
  return renderAuthError(
    c,
    refusal.reason === 'too_large'
      ? new AuthError('request_too_large', `Request body is larger than ${refusal.limitBytes} bytes`)
      : new AuthError('request_timeout', 'Timed out reading the request body', { status: 408 }),
  );
}

/**
 * Supabase Auth (GoTrue) at /auth/v1: email + password, magic links and codes, phone,
 * OAuth providers (through the local test identity provider), anonymous sign-in, PKCE,
 * refresh-token rotation and the admin API, on the real auth schema.
 */
export async function createAuthService(ctx: ServiceContext): Promise<Service> {
  const settings = authSettingsFrom(ctx.config, ctx.apiUrl);
  const log = ctx.log.child('auth');
  const enabledProviders = [...settings.oauthProviders.values()].filter((provider) => provider.enabled);
  // Started beside the rest of the stack rather than before it (oidc-provider takes ~0.4 s to
  // load): OAuth requests wait for it, nothing else does.
  const identityProvider =
    enabledProviders.length > 0
      ? startLocalIdentityProvider({
          host: ctx.config.host,
          clients: enabledProviders.map((provider) => ({
            provider: provider.name,
            clientId: provider.clientId,
            clientSecret: provider.secret,
          })),
          redirectUri: `${settings.issuer}/callback`,
          log,
        })
      : undefined;
  identityProvider?.then(
    (started) =>
      log.info(
        `local identity provider at ${started.issuer} stands in for ${enabledProviders.map((provider) => provider.name).join(', ')}`,
      ),
    (error: Error) => log.error(`local identity provider did not start: ${error.message}`),
  );
  const db = new pg.Pool({ connectionString: ctx.databaseUrl('supabase_auth_admin'), max: 8 });
  db.on('error', (error) => log.warn(`database pool: ${error.message}`));
  const limits = new AuthRateLimits(settings.rateLimits);
  const mailer = createMailer({
    smtp: settings.smtp ?? { host: ctx.smtp.host, port: ctx.smtp.port },
    sender: settings.sender,
    limits,
    log,
  });
  const runtime: AuthRuntime = {
    settings,
    db,
    keys: ctx.keys,
    mailer,
    sms: createSmsSender(ctx.apiUrl, settings.sms.sentPerHour),
    limits,
    identityProvider,
    log,
    apiUrl: ctx.apiUrl,
    supabaseDir: ctx.config.supabaseDir,
  };
  return {
    mount: MOUNTS.auth,
    app: createAuthApp(runtime),
    refuseBody: renderBodyRefusal,
    close: async () => {
      mailer.close();
      await identityProvider?.then(
        (started) => started.close(),
        () => {},
      );
      await db.end();
    },
  };
}
