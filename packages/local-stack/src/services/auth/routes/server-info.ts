import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import type { AuthRuntime } from '../auth-runtime.ts';
import { KNOWN_PROVIDERS } from '../oauth/oauth-settings.ts';

/**
 * What GoTrue lists under `external` in /settings: its OAuth providers (served through the
 * local identity provider when enabled, oauth/oauth-settings.ts), phone and SAML.
 */
const EXTERNAL_PROVIDERS: readonly string[] = [...KNOWN_PROVIDERS, 'phone', 'saml'];

/** GET /settings, GET /health and GET /.well-known/jwks.json. */
export function serverInfoRoutes(runtime: AuthRuntime): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();
  const { settings } = runtime;

  app.get('/settings', (c) => {
    const external: Record<string, boolean> = Object.fromEntries(
      EXTERNAL_PROVIDERS.map((name) => [name, false]),
    );
    external.email = settings.emailProviderEnabled;
    external.anonymous_users = settings.anonymousSignInsEnabled;
    external.phone = settings.sms.providerEnabled;
    for (const provider of settings.oauthProviders.values()) external[provider.name] = provider.enabled;
    return c.json({
      external,
      disable_signup: !settings.signupEnabled,
      mailer_autoconfirm: settings.emailAutoconfirm,
      phone_autoconfirm: settings.sms.providerEnabled && settings.sms.autoconfirm,
      sms_provider: '',
      saml_enabled: false,
    });
  });

  app.get('/health', (c) =>
    c.json({
      version: 'groundwork',
      name: 'GoTrue',
      description: 'GoTrue is a user registration and authentication API',
    }),
  );

  // With HS256 only the key set is empty, as on hosted; supabase-js then verifies via GET /user.
  app.get('/.well-known/jwks.json', (c) => {
    c.header('Cache-Control', 'public, max-age=600');
    return c.json({ keys: runtime.keys.jwks.keys });
  });

  return app;
}
