import type pg from 'pg';
import type { AuthRuntime } from './auth-runtime.ts';
import { type EmailKind, renderEmail } from './email-templates.ts';
import { AuthError } from './error-codes.ts';
import { storeOneTimeToken } from './one-time-tokens.ts';
import { newOtp, tokenHash } from './secrets.ts';
import type { TokenColumn, UserRow } from './users.ts';

/** `type` values of /verify that mail links carry. */
export type LinkType = 'signup' | 'invite' | 'magiclink' | 'recovery' | 'email_change';

export interface EmailToken {
  otp: string;
  hashedToken: string;
  actionLink: string;
  redirectTo: string;
}

/**
 * Makes a one-time code for `address`, stores its hash on the user (prefixed `pkce_` for
 * PKCE flows, as GoTrue marks them) and returns the /verify link that carries it.
 */
export async function createEmailToken(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  options: {
    user: UserRow;
    column: TokenColumn;
    address: string;
    type: LinkType;
    redirectTo: string;
    pkce: boolean;
  },
): Promise<EmailToken> {
  const otp = newOtp(runtime.settings.otpLength);
  const hash = tokenHash(options.address, otp);
  const stored = options.pkce ? `pkce_${hash}` : hash;
  await storeOneTimeToken(client, options.user.id, options.column, stored, options.address);
  const query = new URLSearchParams({ token: stored, type: options.type, redirect_to: options.redirectTo });
  return {
    otp,
    hashedToken: stored,
    actionLink: `${runtime.settings.issuer}/verify?${query.toString()}`,
    redirectTo: options.redirectTo,
  };
}

/** GoTrue's per-user pause between mails of one kind (`[auth.email] max_frequency`). */
export function assertSendAllowed(runtime: AuthRuntime, sentAt: Date | null): void {
  const waitMs = runtime.settings.emailMaxFrequencyMs;
  if (!sentAt || waitMs <= 0) return;
  const remaining = sentAt.getTime() + waitMs - Date.now();
  if (remaining > 0) {
    throw new AuthError(
      'over_email_send_rate_limit',
      `For security purposes, you can only request this after ${Math.ceil(remaining / 1000)} seconds.`,
    );
  }
}

export async function sendEmailToken(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  options: {
    user: UserRow;
    kind: EmailKind;
    column: TokenColumn;
    to: string;
    type: LinkType;
    redirectTo: string;
    pkce: boolean;
    newEmail?: string;
  },
): Promise<EmailToken> {
  const token = await createEmailToken(runtime, client, { ...options, address: options.to });
  const { subject, html } = renderEmail(
    options.kind,
    {
      ConfirmationURL: token.actionLink,
      Token: token.otp,
      TokenHash: token.hashedToken,
      SiteURL: runtime.settings.siteUrl,
      RedirectTo: options.redirectTo,
      Email: options.user.email ?? '',
      NewEmail: options.newEmail ?? '',
      Data: options.user.raw_user_meta_data ?? {},
    },
    runtime.settings.templates,
    runtime.supabaseDir,
  );
  await runtime.mailer.send({ to: options.to, subject, html });
  return token;
}

/** The reauthentication code: digits only, no link. */
export async function sendReauthenticationCode(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  user: UserRow,
): Promise<void> {
  const email = user.email ?? '';
  const otp = newOtp(runtime.settings.otpLength);
  await storeOneTimeToken(client, user.id, 'reauthentication_token', tokenHash(email, otp), email);
  const { subject, html } = renderEmail(
    'reauthentication',
    {
      ConfirmationURL: '',
      Token: otp,
      TokenHash: tokenHash(email, otp),
      SiteURL: runtime.settings.siteUrl,
      RedirectTo: '',
      Email: email,
      NewEmail: '',
      Data: user.raw_user_meta_data ?? {},
    },
    runtime.settings.templates,
    runtime.supabaseDir,
  );
  await runtime.mailer.send({ to: email, subject, html });
}
