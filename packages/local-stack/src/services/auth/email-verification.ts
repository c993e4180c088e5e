import type pg from 'pg';
import type { AuthRuntime } from './auth-runtime.ts';
import { AuthError } from './error-codes.ts';
import { clearOneTimeToken } from './one-time-tokens.ts';
import { tokenHash } from './secrets.ts';
import type { AuthMethod } from './sessions.ts';
import { confirmEmail } from './user-creation.ts';
import {
  findUserByEmail,
  findUserById,
  findUserByToken,
  identitiesOf,
  isBanned,
  type TokenColumn,
  type UserRow,
  updateEmailIdentity,
  updateUser,
} from './users.ts';

export type EmailVerifyType = 'signup' | 'invite' | 'magiclink' | 'recovery' | 'email_change' | 'email';
export const EMAIL_VERIFY_TYPES: readonly string[] = [
  'signup',
  'invite',
  'magiclink',
  'recovery',
  'email_change',
  'email',
];

/** Which users columns hold the token a verification of each type checks, as GoTrue looks them up. */
const COLUMNS: Record<EmailVerifyType, TokenColumn[]> = {
  signup: ['confirmation_token'],
  invite: ['confirmation_token'],
  magiclink: ['recovery_token'],
  recovery: ['recovery_token'],
  email_change: ['email_change_token_new', 'email_change_token_current'],
  email: ['confirmation_token', 'recovery_token'],
};

const SENT_AT: Record<TokenColumn, keyof UserRow> = {
  confirmation_token: 'confirmation_sent_at',
  recovery_token: 'recovery_sent_at',
  email_change_token_new: 'email_change_sent_at',
  email_change_token_current: 'email_change_sent_at',
  reauthentication_token: 'reauthentication_sent_at',
  phone_change_token: 'phone_change_sent_at',
};

const METHOD: Record<EmailVerifyType, AuthMethod> = {
  signup: 'email/signup',
  invite: 'invite',
  magiclink: 'magiclink',
  recovery: 'recovery',
  email_change: 'email_change',
  email: 'otp',
};

export const EXPIRED_OR_INVALID = 'Token has expired or is invalid';

export interface VerifiedEmail {
  user: UserRow;
  method: AuthMethod;
  /** The stored token was issued for a PKCE flow (`pkce_` prefix). */
  pkce: boolean;
  /** Set when only the first of two email-change confirmations arrived. */
  pendingMessage?: string;
}

const stripPkce = (value: string | null) => (value ?? '').replace(/^pkce_/, '');

function address(user: UserRow, column: TokenColumn): string {
  return column === 'email_change_token_new' ? (user.email_change ?? '') : (user.email ?? '');
}

async function locate(
  client: pg.PoolClient,
  type: EmailVerifyType,
  proof: { tokenHash?: string; otp?: string; email?: string },
): Promise<{ user: UserRow; column: TokenColumn } | undefined> {
  if (proof.tokenHash) {
    for (const column of COLUMNS[type]) {
      const user = await findUserByToken(client, column, proof.tokenHash);
      if (user) return { user, column };
    }
    return undefined;
  }
  const email = proof.email ?? '';
  if (type === 'email_change') {
    const { rows } = await client.query<UserRow>(
      'select * from auth.users where lower(email_change) = lower($1) or lower(email) = lower($1)',
      [email],
    );
    for (const user of rows) {
      for (const column of COLUMNS.email_change) {
        const stored = stripPkce(user[column]);
        if (stored !== '' && stored === tokenHash(address(user, column), proof.otp ?? ''))
          return { user, column };
      }
    }
    return undefined;
  }
  const user = await findUserByEmail(client, email);
  if (!user) return undefined;
  for (const column of COLUMNS[type]) {
    const stored = stripPkce(user[column]);
    if (stored !== '' && stored === tokenHash(user.email ?? '', proof.otp ?? '')) return { user, column };
  }
  return undefined;
}

/**
 * Checks an emailed token (by hash from a link, or by the typed code and address) and
 * applies what it confirms: the sign-up, the invite, the magic link, the recovery or the
 * email change. Expired and unknown tokens are the same `otp_expired` to the caller.
 */
export async function verifyEmailToken(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  type: EmailVerifyType,
  proof: { tokenHash?: string; otp?: string; email?: string },
): Promise<VerifiedEmail> {
  const found = await locate(client, type, proof);
  if (!found) throw new AuthError('otp_expired', EXPIRED_OR_INVALID);
  const { column } = found;
  let user = found.user;
  const sentAt = user[SENT_AT[column]] as Date | null;
  if (!sentAt || sentAt.getTime() + runtime.settings.otpExpirySeconds * 1000 < Date.now()) {
    throw new AuthError('otp_expired', EXPIRED_OR_INVALID);
  }
  if (isBanned(user)) throw new AuthError('user_banned', 'User is banned');
  const pkce = (user[column] ?? '').startsWith('pkce_');
  await clearOneTimeToken(client, user.id, column);

  if (column === 'email_change_token_new' || column === 'email_change_token_current') {
    const other: TokenColumn =
      column === 'email_change_token_new' ? 'email_change_token_current' : 'email_change_token_new';
    const otherPending = stripPkce(user[other]) !== '';
    if (
      runtime.settings.doubleConfirmEmailChanges &&
      otherPending &&
      (user.email_change_confirm_status ?? 0) === 0
    ) {
      await updateUser(client, user.id, { email_change_confirm_status: 1 });
      return {
        user: (await findUserById(client, user.id)) as UserRow,
        method: 'email_change',
        pkce,
        pendingMessage: 'Confirmation link accepted. Please proceed to confirm link sent to the other email',
      };
    }
    user = await applyEmailChange(client, user);
    return { user, method: 'email_change', pkce };
  }

  const method = METHOD[type];
  user = await confirmEmail(client, user);
  if (type === 'invite' && !user.invited_at)
    user = await updateUser(client, user.id, { invited_at: new Date() });
  return { user, method, pkce };
}

/** Moves `email_change` into `email`, for a verified change or an admin/autoconfirmed one. */
export async function applyEmailChange(client: pg.PoolClient, user: UserRow): Promise<UserRow> {
  const newEmail = user.email_change ?? '';
  const patch: Record<string, unknown> = {
    email: newEmail,
    email_change: '',
    email_change_token_new: '',
    email_change_token_current: '',
    email_change_confirm_status: 0,
    email_confirmed_at: user.email_confirmed_at ?? new Date(),
  };
  // An anonymous user who confirms an address becomes a permanent email user.
  if (user.is_anonymous) {
    const app = user.raw_app_meta_data ?? {};
    const providers = Array.isArray(app.providers) ? (app.providers as string[]) : [];
    patch.is_anonymous = false;
    patch.raw_app_meta_data = {
      ...app,
      provider: 'email',
      providers: [...new Set([...providers.filter((name) => name !== 'anonymous'), 'email'])],
    };
  }
  const updated = await updateUser(client, user.id, patch);
  const identities = await identitiesOf(client, user.id);
  if (identities.some((identity) => identity.provider === 'email')) {
    await updateEmailIdentity(client, user.id, { email: newEmail, email_verified: true });
  } else {
    await client.query(
      `insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
       values (gen_random_uuid(), $1, $2, $3, 'email', now(), now(), now())`,
      [
        user.id,
        user.id,
        JSON.stringify({ sub: user.id, email: newEmail, email_verified: true, phone_verified: false }),
      ],
    );
  }
  return updated;
}
