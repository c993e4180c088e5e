import type pg from 'pg';
import type { AuthRuntime } from '../auth-runtime.ts';
import { validPhone } from '../email-address.ts';
import { AuthError } from '../error-codes.ts';
import type { UserRow } from '../users.ts';
import { messageChannel, sendPhoneOtp } from './phone-otp.ts';
import { applyPhoneChange, findUserByPhone } from './phone-users.ts';

/** PUT /user's `phone` and `channel`, read and checked as GoTrue's UserUpdate params are. */
export function readPhoneUpdate(
  runtime: AuthRuntime,
  phone: string | undefined,
  channel: string | undefined,
): { phone: string; channel: string } | undefined {
  if (!phone) return undefined;
  if (!runtime.settings.sms.providerEnabled) {
    throw new AuthError('phone_provider_disabled', 'Unsupported phone provider');
  }
  return { phone: validPhone(phone), channel: messageChannel(channel) };
}

/** Refuses a number another user already has, before anything is written. */
export async function assertPhoneFree(runtime: AuthRuntime, user: UserRow, phone: string): Promise<void> {
  const taken = await findUserByPhone(runtime.db, phone);
  if (taken && taken.id !== user.id) {
    throw new AuthError('phone_exists', 'A user with this phone number has already been registered');
  }
}

/**
 * Starts the move to a new number: with confirmations off it happens at once, otherwise a
 * code goes to the new number and `phone_change` waits for /verify type `phone_change`.
 */
export async function changePhone(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  user: UserRow,
  update: { phone: string; channel: string },
): Promise<void> {
  if (runtime.settings.sms.autoconfirm) {
    await client.query('update auth.users set phone_change = $2, updated_at = now() where id = $1', [
      user.id,
      update.phone,
    ]);
    await applyPhoneChange(client, { ...user, phone_change: update.phone });
    return;
  }
  await sendPhoneOtp(runtime, client, user, {
    phone: update.phone,
    kind: 'phone_change',
    channel: update.channel,
  });
}
