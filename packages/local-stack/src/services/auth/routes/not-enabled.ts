import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import type { AuthRuntime } from '../auth-runtime.ts';
import { AuthError } from '../error-codes.ts';
import { readJsonBody } from '../request-body.ts';
import { requireUser } from '../request-context.ts';

/**
 * Parts of Supabase Auth this stack does not run — SAML SSO, MFA — answer with the error
 * GoTrue gives when they are switched off. (OAuth and identity linking: routes/oauth.ts.)
 */
export function notEnabledRoutes(runtime: AuthRuntime): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();
  const samlDisabled = () => {
    throw new AuthError('saml_provider_disabled', 'SAML 2.0 is disabled');
  };
  app.all('/sso', samlDisabled);
  app.all('/sso/*', samlDisabled);
  app.all('/admin/sso/*', samlDisabled);

  app.post('/factors', async (c) => {
    await requireUser(c, runtime);
    const body = await readJsonBody(c);
    const type = body.string('factor_type');
    if (type === 'totp')
      throw new AuthError('mfa_totp_enroll_not_enabled', 'MFA enroll is disabled for TOTP');
    if (type === 'phone')
      throw new AuthError('mfa_phone_enroll_not_enabled', 'MFA enroll is disabled for Phone');
    if (type === 'webauthn') {
      throw new AuthError('mfa_webauthn_enroll_not_enabled', 'MFA enroll is disabled for WebAuthn');
    }
    throw new AuthError('validation_failed', 'factor_type needs to be totp, phone, or webauthn');
  });
  const factorNotFound = async (c: Parameters<typeof requireUser>[0]) => {
    await requireUser(c, runtime);
    throw new AuthError('mfa_factor_not_found', 'Factor not found');
  };
  app.all('/factors/:id', factorNotFound);
  app.all('/factors/:id/*', factorNotFound);

  return app;
}
