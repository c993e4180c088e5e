import type pg from 'pg';
import type { AuthRuntime } from '../auth-runtime.ts';
import { EXPIRED_OR_INVALID } from '../email-verification.ts';
import { AuthError } from '../error-codes.ts';
import { tokenHash } from '../secrets.ts';
import { isBanned, type UserRow } from '../users.ts';
import { applyPhoneChange, confirmPhone, findUserByPhone, findUserByPhoneChange } from './phone-users.ts';

export type PhoneVerifyType = 'sms' | 'phone_change';

/**
 * Checks a code typed from a text message and applies what it confirms: the phone itself
 * (`sms`, for sign-up and sign-in) or the move to a new number (`phone_change`). A wrong,
 * expired or unknown code is the same `otp_expired` to the caller, as in GoTrue.
 */
export async function verifyPhoneToken(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  type: PhoneVerifyType,
  phone: string,
  code: string,
): Promise<UserRow> {
  const user =
    type === 'sms' ? await findUserByPhone(client, phone) : await findUserByPhoneChange(client, phone);
  if (!user) throw new AuthError('otp_expired', EXPIRED_OR_INVALID);
  const stored = type === 'sms' ? user.confirmation_token : user.phone_change_token;
  const sentAt = type === 'sms' ? user.confirmation_sent_at : user.phone_change_sent_at;
  const expired = !sentAt || sentAt.getTime() + runtime.settings.sms.otpExpirySeconds * 1000 < Date.now();
  // A `[auth.sms.test_otp]` number's fixed code is good whenever it is typed, as in GoTrue.
  const testCode = runtime.settings.sms.testOtp.get(phone);
  const matches =
    testCode !== undefined ? code === testCode : !!stored && stored === tokenHash(phone, code) && !expired;
  if (!matches) {
    throw new AuthError('otp_expired', EXPIRED_OR_INVALID);
  }
  if (isBanned(user)) throw new AuthError('user_banned', 'User is banned');
  return type === 'sms' ? confirmPhone(client, user) : applyPhoneChange(client, user);
}
