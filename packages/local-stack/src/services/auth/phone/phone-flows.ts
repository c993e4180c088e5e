import { recordAudit } from '../audit-log.ts';
import { type AuthRuntime, inTransaction } from '../auth-runtime.ts';
import { formatPhoneNumber, validPhone } from '../email-address.ts';
import { AuthError } from '../error-codes.ts';
import { passwordMatches } from '../passwords.ts';
import { type AuthContext, clientInfo } from '../request-context.ts';
import { type SessionResponse, startSession } from '../sessions.ts';
import { createPhoneUser } from '../user-creation.ts';
import { userJson } from '../user-json.ts';
import { findUserById, identitiesOf, isBanned, type UserRow } from '../users.ts';
import { messageChannel, sendPhoneOtp } from './phone-otp.ts';
import { findUserByPhone, findUserByPhoneChange } from './phone-users.ts';
import { type PhoneVerifyType, verifyPhoneToken } from './phone-verification.ts';

/** Each phone flow refuses with GoTrue's words for it while `[auth.sms]` is off. */
function requirePhoneProvider(runtime: AuthRuntime, message: string, status?: number): void {
  if (!runtime.settings.sms.providerEnabled) {
    throw new AuthError('phone_provider_disabled', message, status ? { status } : {});
  }
}

/** A user that reveals nothing, for a repeated sign-up of a confirmed number while confirmations are on. */
function obfuscatedPhoneUser(phone: string, data: Record<string, unknown>) {
  const now = new Date().toISOString();
  return {
    id: crypto.randomUUID(),
    aud: 'authenticated',
    role: '',
    email: '',
    phone,
    confirmation_sent_at: now,
    app_metadata: { provider: 'phone', providers: ['phone'] },
    user_metadata: data,
    identities: [],
    created_at: now,
    updated_at: now,
    is_anonymous: false,
  };
}

/**
 * POST /signup with `phone` and `password`: the user with its `phone` identity, then either
 * a session (confirmations off) or a code by text message and the user JSON.
 */
export async function signUpWithPhone(
  c: AuthContext,
  runtime: AuthRuntime,
  input: {
    phone: string;
    encryptedPassword: string;
    data: Record<string, unknown>;
    channel?: string | undefined;
  },
) {
  requirePhoneProvider(runtime, 'Phone signups are disabled');
  const phone = validPhone(input.phone);
  const channel = messageChannel(input.channel);
  const info = clientInfo(c, runtime);
  const { sms } = runtime.settings;
  const result = await inTransaction(runtime, async (client) => {
    const existing = await findUserByPhone(client, phone);
    if (existing?.phone_confirmed_at) {
      // GoTrue says so whenever either provider confirms at sign-up (Mailer or Sms Autoconfirm).
      if (sms.autoconfirm || runtime.settings.emailAutoconfirm) {
        throw new AuthError('user_already_exists', 'User already registered');
      }
      return { body: obfuscatedPhoneUser(phone, input.data) };
    }
    // As for email: a repeated sign-up of an unconfirmed number only sends the code again.
    let user = existing;
    if (!user) {
      user = await createPhoneUser(client, {
        phone,
        encryptedPassword: input.encryptedPassword,
        userMetadata: input.data,
        appMetadata: {},
        confirmed: sms.autoconfirm,
        bannedUntil: null,
        identityExtra: input.data,
      });
      await recordAudit(client, user, 'user_signedup', info.ip, { provider: 'phone' });
    }
    if (sms.autoconfirm) return { body: await startSession(runtime, client, user, 'password', info) };
    await sendPhoneOtp(runtime, client, user, { phone, kind: 'confirmation', channel });
    await recordAudit(client, user, 'user_confirmation_requested', info.ip, { provider: 'phone' });
    const refreshed = (await findUserById(client, user.id)) ?? user;
    return { body: userJson(refreshed, await identitiesOf(client, user.id)) };
  });
  return c.json(result.body);
}

/**
 * POST /otp with `phone` (signInWithOtp): a code by text message, making the user first
 * unless `create_user` is false. As GoTrue's SmsOtp: a number not yet confirmed goes through
 * sign-up (its confirmation code, answered `{}`), a confirmed one gets a sign-in code and
 * `{message_id}`.
 */
export async function sendPhoneSignInCode(
  c: AuthContext,
  runtime: AuthRuntime,
  input: { phone: string; data: Record<string, unknown>; createUser: boolean; channel?: string | undefined },
) {
  requirePhoneProvider(runtime, 'Unsupported phone provider');
  const phone = validPhone(input.phone);
  const channel = messageChannel(input.channel);
  const info = clientInfo(c, runtime);
  const { sms } = runtime.settings;
  const messageId = await inTransaction(runtime, async (client) => {
    let user = await findUserByPhone(client, phone);
    const signingUp = !user?.phone_confirmed_at;
    if (!user) {
      if (!input.createUser) throw new AuthError('otp_disabled', 'Signups not allowed for otp');
      if (!runtime.settings.signupEnabled) {
        throw new AuthError('signup_disabled', 'Signups not allowed for this instance');
      }
      user = await createPhoneUser(client, {
        phone,
        encryptedPassword: null,
        userMetadata: input.data,
        appMetadata: {},
        confirmed: sms.autoconfirm,
        bannedUntil: null,
      });
      await recordAudit(client, user, 'user_signedup', info.ip, { provider: 'phone' });
    }
    const sent = await sendPhoneOtp(runtime, client, user, { phone, kind: 'confirmation', channel });
    if (signingUp && !sms.autoconfirm) {
      await recordAudit(client, user, 'user_confirmation_requested', info.ip, { provider: 'phone' });
      return undefined;
    }
    await recordAudit(client, user, 'user_recovery_requested', info.ip, { channel });
    return sent;
  });
  return c.json(messageId ? { message_id: messageId } : {});
}

const INVALID_LOGIN = 'Invalid login credentials';

/** POST /token?grant_type=password with `phone`: a confirmed phone user and the right password. */
export async function phonePasswordGrant(
  c: AuthContext,
  runtime: AuthRuntime,
  input: { phone: string; password: string },
): Promise<SessionResponse> {
  requirePhoneProvider(runtime, 'Phone logins are disabled', 422);
  const info = clientInfo(c, runtime);
  // GoTrue only formats the number here: a malformed one simply matches no one.
  const phone = formatPhoneNumber(input.phone);
  const user = await findUserByPhone(runtime.db, phone);
  const matches = await passwordMatches(input.password, user?.encrypted_password ?? null);
  if (!user || !matches || isBanned(user)) throw new AuthError('invalid_credentials', INVALID_LOGIN);
  if (!user.phone_confirmed_at) throw new AuthError('phone_not_confirmed', 'Phone not confirmed');
  return inTransaction(runtime, async (client) => {
    await recordAudit(client, user, 'login', info.ip, { provider: 'phone' });
    return startSession(runtime, client, user, 'password', info);
  });
}

/** POST /verify with `phone`, `token` and type `sms` or `phone_change`: the code, then a session. */
export async function verifyPhoneCode(
  c: AuthContext,
  runtime: AuthRuntime,
  input: { type: PhoneVerifyType; phone: string; token: string },
): Promise<SessionResponse> {
  requirePhoneProvider(runtime, 'Unsupported phone provider');
  const phone = validPhone(input.phone);
  const info = clientInfo(c, runtime);
  return inTransaction(runtime, async (client) => {
    const user = await verifyPhoneToken(runtime, client, input.type, phone, input.token.trim());
    await recordAudit(client, user, input.type === 'sms' ? 'user_signedup' : 'user_modified', info.ip, {
      provider: 'phone',
    });
    // GoTrue issues every session from a verified code as an `otp` sign-in.
    return startSession(runtime, client, user, 'otp', info);
  });
}

/** POST /resend with type `sms` or `phone_change`: the code again, within max_frequency. */
export async function resendPhoneCode(
  c: AuthContext,
  runtime: AuthRuntime,
  input: { type: PhoneVerifyType; phone: string | undefined },
) {
  if (!input.phone) {
    throw new AuthError(
      'validation_failed',
      input.type === 'sms'
        ? 'Type provided requires a phone number'
        : 'Missing email address or phone number',
    );
  }
  requirePhoneProvider(runtime, 'Phone logins are disabled');
  const phone = validPhone(input.phone);
  const messageId = await inTransaction(runtime, async (client) => {
    if (input.type === 'sms') {
      const user = await findUserByPhone(client, phone);
      // Unknown and already confirmed numbers get the same empty answer: /resend probes nothing.
      if (!user || user.phone_confirmed_at) return undefined;
      return sendPhoneOtp(runtime, client, user, { phone, kind: 'confirmation', channel: 'sms' });
    }
    // GoTrue looks the user up by the current number; the pending one is accepted too.
    const user = (await findUserByPhone(client, phone)) ?? (await findUserByPhoneChange(client, phone));
    if (!user?.phone_change) return undefined;
    return sendPhoneOtp(runtime, client, user, {
      phone: user.phone_change,
      kind: 'phone_change',
      channel: 'sms',
    });
  });
  return c.json(messageId ? { message_id: messageId } : {});
}

/** GET /reauthenticate for a user with a phone and no address: the nonce for PUT /user by text message. */
export async function sendPhoneReauthenticationCode(c: AuthContext, runtime: AuthRuntime, user: UserRow) {
  requirePhoneProvider(runtime, 'Unsupported phone provider');
  if (!user.phone_confirmed_at)
    throw new AuthError('phone_not_confirmed', 'Please verify your phone first.', { status: 422 });
  const phone = user.phone ?? '';
  const messageId = await inTransaction(runtime, (client) =>
    sendPhoneOtp(runtime, client, user, { phone, kind: 'reauthentication', channel: 'sms' }),
  );
  return c.json(messageId ? { message_id: messageId } : {});
}
