import type { ConfigToml, HookFunction } from '../../../config/config-schema.ts';
import { formatPhoneNumber } from '../email-address.ts';

/** `[auth.sms]` as Auth uses it, with the values the Supabase CLI hands GoTrue. */
export interface SmsSettings {
  /** GOTRUE_EXTERNAL_PHONE_ENABLED: phone sign-up and sign-in are served. */
  providerEnabled: boolean;
  /** GOTRUE_SMS_AUTOCONFIRM: `enable_confirmations = false` confirms a phone as it signs up. */
  autoconfirm: boolean;
  /** `{{ .Code }}` is replaced by the code. */
  template: string;
  maxFrequencyMs: number;
  /** The CLI fixes these (GOTRUE_SMS_OTP_LENGTH=6, GOTRUE_SMS_OTP_EXP=6000). */
  otpLength: number;
  otpExpirySeconds: number;
  /** Number (digits, no `+`) → its fixed code: nothing is sent to it. */
  testOtp: ReadonlyMap<string, string>;
  /** `[auth.rate_limit] sms_sent`: text messages per hour for the whole project. */
  sentPerHour: number;
  /** `[auth.hook.send_sms]`: the Postgres function that sends the codes instead. */
  sendSmsHook: HookFunction | undefined;
}

export function smsSettingsFrom(auth: ConfigToml['auth']): SmsSettings {
  const sms = auth.sms;
  return {
    providerEnabled: sms.enabled ?? sms.enable_signup,
    autoconfirm: !sms.enable_confirmations,
    template: sms.template,
    maxFrequencyMs: sms.max_frequency,
    otpLength: 6,
    otpExpirySeconds: 6000,
    testOtp: new Map(Object.entries(sms.test_otp).map(([phone, code]) => [formatPhoneNumber(phone), code])),
    sentPerHour: auth.rate_limit.sms_sent,
    sendSmsHook: auth.hook.send_sms?.function,
  };
}
