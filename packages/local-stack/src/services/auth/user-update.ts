import type pg from 'pg';
import { recordAudit } from './audit-log.ts';
import { type AuthRuntime, inTransaction } from './auth-runtime.ts';
import { validEmail } from './email-address.ts';
import { sendEmailChangeLinks } from './email-links.ts';
import { applyEmailChange } from './email-verification.ts';
import { AuthError } from './error-codes.ts';
import { clearOneTimeToken } from './one-time-tokens.ts';
import { assertStrongPassword, hashPassword, passwordMatches } from './passwords.ts';
import { assertPhoneFree, changePhone, readPhoneUpdate } from './phone/phone-change.ts';
import type { JsonBody, JsonObject } from './request-body.ts';
import type { AuthenticatedUser } from './request-context.ts';
import { tokenHash } from './secrets.ts';
import { endSessions } from './sessions.ts';
import { type UserJson, userJson } from './user-json.ts';
import {
  findUserByEmail,
  findUserById,
  identitiesOf,
  mergeMetadata,
  type UserRow,
  updateUser,
} from './users.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What PUT /user asks to change; `email` is already normalized. */
export interface UserUpdate {
  email: string | undefined;
  password: string | undefined;
  data: JsonObject | undefined;
  appMetadata: JsonObject | undefined;
  nonce: string | undefined;
  /** A new number (validated), and the channel its code goes by. */
  phone?: { phone: string; channel: string } | undefined;
}

/** Reads PUT /user's body in GoTrue's order, so the first bad input is the one reported. */
export function readUserUpdate(body: JsonBody, runtime: AuthRuntime): UserUpdate {
  const rawEmail = body.string('email');
  const password = body.string('password');
  const data = body.object('data');
  const appMetadata = body.object('app_metadata');
  const nonce = body.string('nonce');
  const email = rawEmail ? validEmail(rawEmail) : undefined;
  const phone = readPhoneUpdate(runtime, body.string('phone'), body.string('channel'));
  return { email, password, data, appMetadata, nonce, phone };
}

/**
 * `[auth] secure_password_change`: a session older than a day must prove itself with the
 * reauthentication code (`nonce`) before the password changes.
 */
async function assertRecentlyAuthenticated(
  runtime: AuthRuntime,
  { user, sessionId }: AuthenticatedUser,
  nonce: string | undefined,
): Promise<void> {
  const { rows } = await runtime.db.query<{ created_at: Date }>(
    'select created_at from auth.sessions where id = $1',
    [sessionId],
  );
  const sessionAge = rows[0] ? Date.now() - rows[0].created_at.getTime() : Number.POSITIVE_INFINITY;
  if (sessionAge <= DAY_MS) return;
  if (!nonce) throw new AuthError('reauthentication_needed', 'Password update requires reauthentication');
  const expected = user.reauthentication_token ?? '';
  const sentAt = user.reauthentication_sent_at?.getTime() ?? 0;
  if (
    expected === '' ||
    // The code went to the address, or to the phone of a user without one.
    expected !== tokenHash(user.email || user.phone || '', nonce) ||
    sentAt + runtime.settings.otpExpirySeconds * 1000 < Date.now()
  ) {
    throw new AuthError('reauthentication_not_valid', 'Requested nonce is invalid');
  }
}

/** Who may change what, checked before any write; the new password comes back hashed. */
async function checkUserUpdate(
  runtime: AuthRuntime,
  signedIn: AuthenticatedUser,
  update: UserUpdate,
): Promise<{ changesEmail: boolean; changesPhone: boolean; encryptedPassword: string | undefined }> {
  const { settings } = runtime;
  const { user, claims } = signedIn;
  const { email, password, appMetadata } = update;
  if (password !== undefined) {
    assertStrongPassword(password, {
      minimumLength: settings.minimumPasswordLength,
      requirements: settings.passwordRequirements,
    });
  }
  if (appMetadata && claims.role !== 'service_role' && claims.role !== 'supabase_admin') {
    throw new AuthError('not_admin', 'Updating app_metadata requires admin privileges');
  }
  if (user.is_anonymous && password && !email && !update.phone) {
    throw new AuthError(
      'validation_failed',
      'Updating password of an anonymous user without an email or phone is not allowed',
      { status: 422 },
    );
  }
  const changesEmail = email !== undefined && email !== (user.email ?? '').toLowerCase();
  if (changesEmail) {
    const taken = await findUserByEmail(runtime.db, email);
    if (taken && taken.id !== user.id) {
      throw new AuthError('email_exists', 'A user with this email address has already been registered');
    }
  }
  const changesPhone = update.phone !== undefined && update.phone.phone !== (user.phone ?? '');
  if (changesPhone && update.phone) await assertPhoneFree(runtime, user, update.phone.phone);
  if (password !== undefined && settings.securePasswordChange) {
    await assertRecentlyAuthenticated(runtime, signedIn, update.nonce);
  }
  if (password && (await passwordMatches(password, user.encrypted_password))) {
    throw new AuthError('same_password', 'New password should be different from the old password.');
  }
  return {
    changesEmail,
    changesPhone,
    encryptedPassword:
      password !== undefined ? await hashPassword(password, runtime.settings.passwordHashCost) : undefined,
  };
}

async function changePassword(
  client: pg.PoolClient,
  user: UserRow,
  sessionId: string | undefined,
  encryptedPassword: string,
  ip: string | undefined,
): Promise<UserRow> {
  const updated = await updateUser(client, user.id, { encrypted_password: encryptedPassword });
  if (updated.reauthentication_token) await clearOneTimeToken(client, updated.id, 'reauthentication_token');
  // As GoTrue: a new password signs out every other session of the user.
  if (sessionId) await endSessions(client, updated.id, sessionId, 'others');
  await recordAudit(client, updated, 'user_updated_password', ip);
  return updated;
}

async function changeEmail(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  user: UserRow,
  email: string,
  redirectTo: string,
): Promise<UserRow> {
  const pending = await updateUser(client, user.id, { email_change: email, email_change_confirm_status: 0 });
  // Only an anonymous user adding an address is confirmed at once (like a sign-up);
  // everyone else proves the new address by mail.
  if (pending.is_anonymous && runtime.settings.emailAutoconfirm) return applyEmailChange(client, pending);
  await sendEmailChangeLinks(runtime, client, pending, redirectTo);
  return (await findUserById(client, pending.id)) as UserRow;
}

/**
 * PUT /user as GoTrue does it: inputs first, then who may change what, then every write
 * in one transaction (password, metadata, app metadata, email change), audited.
 */
export async function updateOwnUser(
  runtime: AuthRuntime,
  signedIn: AuthenticatedUser,
  update: UserUpdate,
  request: { redirectTo: string; ip: string | undefined },
): Promise<UserJson> {
  const { changesEmail, changesPhone, encryptedPassword } = await checkUserUpdate(runtime, signedIn, update);
  return inTransaction(runtime, async (client) => {
    let current = signedIn.user;
    if (encryptedPassword !== undefined) {
      current = await changePassword(client, current, signedIn.sessionId, encryptedPassword, request.ip);
    }
    if (update.data) {
      current = await updateUser(client, current.id, {
        raw_user_meta_data: mergeMetadata(current.raw_user_meta_data, update.data),
      });
    }
    if (update.appMetadata) {
      current = await updateUser(client, current.id, {
        raw_app_meta_data: mergeMetadata(current.raw_app_meta_data, update.appMetadata),
      });
    }
    if (changesEmail && update.email) {
      current = await changeEmail(runtime, client, current, update.email, request.redirectTo);
    }
    if (changesPhone && update.phone) {
      await changePhone(runtime, client, current, update.phone);
      current = (await findUserById(client, current.id)) as UserRow;
    }
    await recordAudit(client, current, 'user_modified', request.ip);
    return userJson(current, await identitiesOf(client, current.id));
  });
}
