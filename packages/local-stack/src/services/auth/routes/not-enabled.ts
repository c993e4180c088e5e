import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import type { AuthRuntime } from '../auth-runtime.ts';
import { AuthError } from '../error-codes.ts';

/**
 * Parts of Supabase Auth this stack does not run — SAML SSO — answer with the error GoTrue
 * gives when they are switched off. (OAuth and identity linking: routes/oauth.ts; MFA: routes/mfa.ts.)
 */
export function notEnabledRoutes(_runtime: AuthRuntime): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();
  const samlDisabled = () => {
    throw new AuthError('saml_provider_disabled', 'SAML 2.0 is disabled');
  };
  app.all('/sso', samlDisabled);
  app.all('/sso/*', samlDisabled);
  app.all('/admin/sso/*', samlDisabled);

  return app;
}
