import type pg from 'pg';
import type { AuthRuntime } from '../auth-runtime.ts';
import { AuthError } from '../error-codes.ts';
import { storeOneTimeToken } from '../one-time-tokens.ts';
import { newOtp, tokenHash } from '../secrets.ts';
import { userJson } from '../user-json.ts';
import { identitiesOf, type TokenColumn, type UserRow } from '../users.ts';
import { runSendSmsHook } from './send-sms-hook.ts';

/** What a code sent to a phone confirms, and where GoTrue keeps its hash and sent-at time. */
export type PhoneOtpKind = 'confirmation' | 'phone_change' | 'reauthentication';

const COLUMN: Record<PhoneOtpKind, TokenColumn> = {
  confirmation: 'confirmation_token',
  phone_change: 'phone_change_token',
  reauthentication: 'reauthentication_token',
};

const SENT_AT: Record<PhoneOtpKind, keyof UserRow> = {
  confirmation: 'confirmation_sent_at',
  phone_change: 'phone_change_sent_at',
  reauthentication: 'reauthentication_sent_at',
};

export const MESSAGE_CHANNELS: readonly string[] = ['sms', 'whatsapp'];

/** `channel` of a phone request: sms by default; whatsapp too (GoTrue allows it with Twilio). */
export function messageChannel(channel: string | undefined): string {
  const value = channel || 'sms';
  if (!MESSAGE_CHANNELS.includes(value)) {
    throw new AuthError('validation_failed', 'Invalid channel, only sms or whatsapp are supported');
  }
  return value;
}

/** `[auth.sms] template` with the code in it (`{{ .Code }}`, spaced or not). */
export function smsBody(template: string, code: string): string {
  return (template || 'Your code is {{ .Code }}').replace(/\{\{\s*\.Code\s*\}\}/g, code);
}

/**
 * Sends a one-time code to `phone` as GoTrue's sendPhoneConfirmation does: the per-user
 * pause (`[auth.sms] max_frequency`) first, then the text message (none for a number in
 * `[auth.sms.test_otp]`, whose fixed code is the one stored), then the code's hash (SHA-224
 * of phone + code) on the user. Returns the message id (`test-otp` for a test number).
 */
export async function sendPhoneOtp(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  user: UserRow,
  options: { phone: string; kind: PhoneOtpKind; channel: string },
): Promise<string | undefined> {
  const sms = runtime.settings.sms;
  const sentAt = user[SENT_AT[options.kind]] as Date | null;
  const remaining = sentAt ? sentAt.getTime() + sms.maxFrequencyMs - Date.now() : 0;
  if (remaining > 0) {
    throw new AuthError(
      'over_sms_send_rate_limit',
      `For security purposes, you can only request this after ${Math.ceil(remaining / 1000)} seconds.`,
    );
  }
  const testCode = sms.testOtp.get(options.phone);
  const code = testCode ?? newOtp(sms.otpLength);
  // GoTrue answers a test number's request with the message id `test-otp`.
  let messageId: string | undefined = 'test-otp';
  if (!testCode && sms.sendSmsHook) {
    // The project's Send SMS hook sends it instead (no message id, as GoTrue).
    const pending = options.kind === 'phone_change' ? { ...user, phone_change: options.phone } : user;
    await runSendSmsHook(client, sms.sendSmsHook, {
      user: userJson(pending, await identitiesOf(client, user.id)),
      sms: { otp: code },
    });
    messageId = undefined;
  } else if (!testCode) {
    messageId = await runtime.sms.send({
      to: options.phone,
      body: smsBody(sms.template, code),
      channel: options.channel,
    });
  }
  if (options.kind === 'phone_change') {
    await client.query('update auth.users set phone_change = $2, updated_at = now() where id = $1', [
      user.id,
      options.phone,
    ]);
  }
  await storeOneTimeToken(
    client,
    user.id,
    COLUMN[options.kind],
    tokenHash(options.phone, code),
    options.phone,
  );
  return messageId;
}
