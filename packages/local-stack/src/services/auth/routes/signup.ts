import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { recordAudit } from '../audit-log.ts';
import { type AuthRuntime, inTransaction } from '../auth-runtime.ts';
import { validEmail } from '../email-address.ts';
import { sendEmailLink } from '../email-links.ts';
import { AuthError } from '../error-codes.ts';
import { pkceParams } from '../flow-state.ts';
import { assertStrongPassword, hashPassword } from '../passwords.ts';
import { signUpWithPhone } from '../phone/phone-flows.ts';
import { resolveRedirect } from '../redirect-urls.ts';
import { readJsonBody } from '../request-body.ts';
import { type AuthContext, clientInfo, clientIp } from '../request-context.ts';
import { startSession } from '../sessions.ts';
import { createEmailUser, databaseError } from '../user-creation.ts';
import { userJson } from '../user-json.ts';
import { findUserByEmail, identitiesOf, insertUser } from '../users.ts';

/** What GoTrue shows for an already-confirmed address when confirmations are on: a user that reveals nothing. */
function obfuscatedUser(email: string, data: Record<string, unknown>) {
  const now = new Date().toISOString();
  return {
    id: crypto.randomUUID(),
    aud: 'authenticated',
    role: '',
    email,
    phone: '',
    confirmation_sent_at: now,
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: data,
    identities: [],
    created_at: now,
    updated_at: now,
    is_anonymous: false,
  };
}

async function signUpAnonymously(c: AuthContext, runtime: AuthRuntime, data: Record<string, unknown>) {
  if (!runtime.settings.anonymousSignInsEnabled) {
    throw new AuthError('anonymous_provider_disabled', 'Anonymous sign-ins are disabled');
  }
  const info = clientInfo(c, runtime);
  runtime.limits.check('anonymous_sign_ins', clientIp(c, runtime));
  const session = await inTransaction(runtime, async (client) => {
    let user: Awaited<ReturnType<typeof insertUser>>;
    try {
      user = await insertUser(client, {
        email: null,
        encryptedPassword: null,
        appMetadata: { provider: 'anonymous', providers: ['anonymous'] },
        userMetadata: data,
        isAnonymous: true,
      });
    } catch (error) {
      throw databaseError('Database error creating anonymous user', error);
    }
    await recordAudit(client, user, 'user_signedup', info.ip, { provider: 'anonymous' });
    return startSession(runtime, client, user, 'anonymous', info);
  });
  return c.json(session);
}

/** POST /signup: email + password, or anonymous when neither email nor phone is given. */
export function signupRoutes(runtime: AuthRuntime): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();
  const { settings } = runtime;

  app.post('/signup', async (c) => {
    const body = await readJsonBody(c);
    const rawEmail = body.string('email');
    const phone = body.string('phone');
    const password = body.string('password') ?? '';
    const data = body.object('data') ?? {};
    body.object('gotrue_meta_security');
    // As GoTrue's router: no email and no phone is an anonymous sign-in, checked before anything else.
    if (!rawEmail && !phone) return signUpAnonymously(c, runtime, data);

    const info = clientInfo(c, runtime);
    runtime.limits.check('signups', clientIp(c, runtime));
    if (!settings.signupEnabled)
      throw new AuthError('signup_disabled', 'Signups not allowed for this instance');
    if (password === '') throw new AuthError('validation_failed', 'Signup requires a valid password');
    assertStrongPassword(password, {
      minimumLength: settings.minimumPasswordLength,
      requirements: settings.passwordRequirements,
    });
    if (rawEmail && phone) {
      throw new AuthError(
        'validation_failed',
        'Only an email address or phone number should be provided on signup.',
      );
    }
    const pkce = pkceParams(body.string('code_challenge'), body.string('code_challenge_method'));
    if (phone) {
      // Phone sign-ups answer with the session itself (or a code): GoTrue refuses PKCE for them.
      if (pkce) throw new AuthError('validation_failed', 'PKCE not supported for phone signups');
      return signUpWithPhone(c, runtime, {
        phone,
        encryptedPassword: await hashPassword(password, runtime.settings.passwordHashCost),
        data,
        channel: body.string('channel'),
      });
    }
    if (!settings.emailProviderEnabled) {
      throw new AuthError('email_provider_disabled', 'Email signups are disabled', { status: 400 });
    }
    const email = validEmail(rawEmail);
    const redirectTo = resolveRedirect(settings, c.req.query('redirect_to'));
    const encryptedPassword = await hashPassword(password, runtime.settings.passwordHashCost);

    const result = await inTransaction(runtime, async (client) => {
      const existing = await findUserByEmail(client, email);
      if (existing?.email_confirmed_at) {
        if (settings.emailAutoconfirm) throw new AuthError('user_already_exists', 'User already registered');
        return { kind: 'user' as const, body: obfuscatedUser(email, data) };
      }
      // A repeated sign-up of an unconfirmed address only resends the mail: GoTrue does not
      // update the row, since nothing proves the caller owns the address yet.
      let user = existing;
      if (!user) {
        user = await createEmailUser(client, {
          email,
          encryptedPassword,
          userMetadata: data,
          confirmed: settings.emailAutoconfirm,
        });
        await recordAudit(client, user, 'user_signedup', info.ip, { provider: 'email' });
      }
      if (settings.emailAutoconfirm) {
        return {
          kind: 'session' as const,
          body: await startSession(runtime, client, user, 'password', info),
        };
      }
      await sendEmailLink(runtime, client, user, 'signup', { redirectTo, pkce });
      await recordAudit(client, user, 'user_confirmation_requested', info.ip, { provider: 'email' });
      const refreshed = await findUserByEmail(client, email);
      return {
        kind: 'user' as const,
        body: userJson(refreshed ?? user, await identitiesOf(client, user.id)),
      };
    });
    return c.json(result.body);
  });

  return app;
}
