import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { recordAudit } from '../audit-log.ts';
import { type AuthRuntime, inTransaction } from '../auth-runtime.ts';
import { validEmail } from '../email-address.ts';
import { sendEmailChangeLinks, sendEmailLink } from '../email-links.ts';
import { assertSendAllowed, sendReauthenticationCode } from '../email-tokens.ts';
import { AuthError } from '../error-codes.ts';
import { pkceParams } from '../flow-state.ts';
import { resendPhoneCode, sendPhoneReauthenticationCode, sendPhoneSignInCode } from '../phone/phone-flows.ts';
import { resolveRedirect } from '../redirect-urls.ts';
import { readJsonBody } from '../request-body.ts';
import { clientInfo, clientIp, requireUser } from '../request-context.ts';
import { createEmailUser } from '../user-creation.ts';
import { findUserByEmail, findUserByEmailOrPendingChange } from '../users.ts';

/** POST /otp, /recover, /resend and GET /reauthenticate: the routes that mail a link or code. */
export function emailLinkRoutes(runtime: AuthRuntime): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();
  const { settings } = runtime;

  // Each route has its own bucket, all sized by sign_in_sign_ups, taken before the body is read.
  app.post('/otp', async (c) => {
    runtime.limits.check('otp', clientIp(c, runtime));
    const body = await readJsonBody(c);
    const info = clientInfo(c, runtime);
    const rawEmail = body.string('email');
    const phone = body.string('phone');
    const data = body.object('data') ?? {};
    const createUser = body.boolean('create_user') ?? true;
    body.object('gotrue_meta_security');
    const pkce = pkceParams(body.string('code_challenge'), body.string('code_challenge_method'));
    if (rawEmail && phone) {
      throw new AuthError('validation_failed', 'Only an email address or phone number should be provided');
    }
    if (phone) {
      return sendPhoneSignInCode(c, runtime, { phone, data, createUser, channel: body.string('channel') });
    }
    if (!rawEmail) throw new AuthError('validation_failed', 'One of email or phone must be set');
    if (!settings.emailProviderEnabled)
      throw new AuthError('email_provider_disabled', 'Email logins are disabled');
    const email = validEmail(rawEmail);
    const redirectTo = resolveRedirect(settings, c.req.query('redirect_to'));

    await inTransaction(runtime, async (client) => {
      let user = await findUserByEmail(client, email);
      if (!user) {
        if (!createUser) throw new AuthError('otp_disabled', 'Signups not allowed for otp');
        if (!settings.signupEnabled)
          throw new AuthError('signup_disabled', 'Signups not allowed for this instance');
        user = await createEmailUser(client, {
          email,
          encryptedPassword: null,
          userMetadata: data,
          confirmed: settings.emailAutoconfirm,
        });
        await recordAudit(client, user, 'user_signedup', info.ip, { provider: 'email' });
      }
      const type = user.email_confirmed_at ? 'magiclink' : 'signup';
      await sendEmailLink(runtime, client, user, type, { redirectTo, pkce });
    });
    return c.json({});
  });

  app.post('/recover', async (c) => {
    runtime.limits.check('recover', clientIp(c, runtime));
    const body = await readJsonBody(c);
    const info = clientInfo(c, runtime);
    body.object('gotrue_meta_security');
    const pkce = pkceParams(body.string('code_challenge'), body.string('code_challenge_method'));
    const email = validEmail(body.string('email'));
    const redirectTo = resolveRedirect(settings, c.req.query('redirect_to'));
    await inTransaction(runtime, async (client) => {
      const user = await findUserByEmail(client, email);
      // Unknown addresses get the same empty answer, so /recover cannot probe for accounts.
      if (!user) return;
      await sendEmailLink(runtime, client, user, 'recovery', { redirectTo, pkce });
      await recordAudit(client, user, 'user_recovery_requested', info.ip);
    });
    return c.json({});
  });

  app.post('/resend', async (c) => {
    runtime.limits.check('resend', clientIp(c, runtime));
    const body = await readJsonBody(c);
    const type = body.string('type');
    body.object('gotrue_meta_security');
    const pkce = pkceParams(body.string('code_challenge'), body.string('code_challenge_method'));
    if (type === 'sms' || type === 'phone_change') {
      return resendPhoneCode(c, runtime, { type, phone: body.string('phone') });
    }
    if (type !== 'signup' && type !== 'email_change') {
      throw new AuthError(
        'validation_failed',
        'Missing one of these types: signup, email_change, sms, phone_change',
      );
    }
    const email = validEmail(body.string('email'));
    const redirectTo = resolveRedirect(settings, c.req.query('redirect_to'));
    await inTransaction(runtime, async (client) => {
      if (type === 'signup') {
        const user = await findUserByEmail(client, email);
        if (!user || user.email_confirmed_at) return;
        await sendEmailLink(runtime, client, user, 'signup', { redirectTo, pkce });
        return;
      }
      const user = await findUserByEmailOrPendingChange(client, email);
      if (!user?.email_change) return;
      await sendEmailChangeLinks(runtime, client, user, redirectTo);
    });
    return c.json({});
  });

  app.get('/reauthenticate', async (c) => {
    const { user } = await requireUser(c, runtime);
    if (!user.email && !user.phone)
      throw new AuthError(
        'validation_failed',
        'Reauthentication requires the user to have an email or a phone number',
      );
    // A user with no address gets the code by text message (phone/phone-flows.ts).
    if (!user.email) return sendPhoneReauthenticationCode(c, runtime, user);
    await inTransaction(runtime, async (client) => {
      assertSendAllowed(runtime, user.reauthentication_sent_at);
      await sendReauthenticationCode(runtime, client, user);
    });
    return c.json({});
  });

  return app;
}
