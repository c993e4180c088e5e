import type { HookFunction } from '../../config/config-schema.ts';
import type { StackConfig } from '../../config/load-config.ts';
import { TrustedProxies } from '../../http/client-address.ts';
import { MOUNTS } from '../mounts.ts';
import { type MfaSettings, mfaSettingsFrom } from './mfa/mfa-settings.ts';
import { type OAuthProviderSettings, oauthProvidersFrom } from './oauth/oauth-settings.ts';
import { type PasskeySettings, passkeySettingsFrom } from './passkeys/passkey-settings.ts';
import { type SmsSettings, smsSettingsFrom } from './phone/sms-settings.ts';
import type { RateLimitSettings } from './rate-limits.ts';

export type HookTarget = HookFunction;

export interface SmtpTarget {
  host: string;
  port: number;
  user?: string;
  pass?: string;
}

export interface EmailTemplate {
  subject?: string;
  contentPath?: string;
}

/** Everything the Auth service reads from config.toml, resolved once. */
export interface AuthSettings {
  siteUrl: string;
  additionalRedirectUrls: string[];
  jwtExpirySeconds: number;
  issuer: string;
  refreshTokenRotation: boolean;
  refreshTokenReuseIntervalSeconds: number;
  signupEnabled: boolean;
  anonymousSignInsEnabled: boolean;
  manualLinkingEnabled: boolean;
  emailProviderEnabled: boolean;
  /** `enable_confirmations = false` means users are confirmed as they sign up (GoTrue's autoconfirm). */
  emailAutoconfirm: boolean;
  doubleConfirmEmailChanges: boolean;
  securePasswordChange: boolean;
  emailMaxFrequencyMs: number;
  otpLength: number;
  otpExpirySeconds: number;
  /** bcrypt cost of new password hashes (`StackConfig.passwordHashCost`). */
  passwordHashCost: number;
  minimumPasswordLength: number;
  passwordRequirements: string;
  rateLimits: RateLimitSettings;
  /** Proxies whose X-Forwarded-For names the client (`GROUNDWORK_TRUSTED_PROXIES`, see http/client-address.ts). */
  trustedProxies: TrustedProxies;
  customAccessTokenHook: HookTarget | undefined;
  /** Custom SMTP from `[auth.email.smtp]`; undefined sends to the local mail catcher. */
  smtp: SmtpTarget | undefined;
  sender: { address: string; name: string };
  templates: Record<string, EmailTemplate>;
  /** `[auth.sms]`: the phone provider (phone/sms-settings.ts). */
  sms: SmsSettings;
  /** `[auth.external.<provider>]` by provider name (oauth/oauth-settings.ts). */
  oauthProviders: Map<string, OAuthProviderSettings>;
  /** `[auth.mfa]` (mfa/mfa-settings.ts). */
  mfa: MfaSettings;
  /** `[auth.passkey]` (passkeys/passkey-settings.ts). */
  passkeys: PasskeySettings;
}

export function authSettingsFrom(config: StackConfig, apiUrl: string): AuthSettings {
  const auth = config.toml.auth;
  const email = auth.email;
  const smtp = email.smtp?.enabled ? email.smtp : undefined;
  const templates: Record<string, EmailTemplate> = {};
  for (const [kind, template] of Object.entries(email.template)) {
    templates[kind] = {
      ...(template.subject !== undefined ? { subject: template.subject } : {}),
      ...(template.content_path !== undefined ? { contentPath: template.content_path } : {}),
    };
  }
  return {
    siteUrl: auth.site_url,
    additionalRedirectUrls: auth.additional_redirect_urls,
    jwtExpirySeconds: auth.jwt_expiry,
    issuer: `${apiUrl}${MOUNTS.auth.path}`,
    refreshTokenRotation: auth.enable_refresh_token_rotation,
    refreshTokenReuseIntervalSeconds: auth.refresh_token_reuse_interval,
    signupEnabled: auth.enable_signup,
    anonymousSignInsEnabled: auth.enable_anonymous_sign_ins,
    manualLinkingEnabled: auth.enable_manual_linking,
    // CLI v2+ calls it `enabled`; older files said `enable_signup`.
    emailProviderEnabled: email.enabled ?? email.enable_signup,
    emailAutoconfirm: !email.enable_confirmations,
    doubleConfirmEmailChanges: email.double_confirm_changes,
    securePasswordChange: email.secure_password_change,
    emailMaxFrequencyMs: email.max_frequency,
    otpLength: email.otp_length,
    otpExpirySeconds: email.otp_expiry,
    passwordHashCost: config.passwordHashCost,
    minimumPasswordLength: auth.minimum_password_length,
    passwordRequirements: auth.password_requirements,
    rateLimits: {
      // GoTrue counts mails only while confirmations are on (not autoconfirm); the CLI passes
      // email_sent only with custom SMTP, and mail to the local catcher is not limited here.
      emailSentPerHour: smtp && email.enable_confirmations ? auth.rate_limit.email_sent : null,
      anonymousUsersPerHour: auth.rate_limit.anonymous_users,
      tokenRefreshPer5Min: auth.rate_limit.token_refresh,
      signInSignUpsPer5Min: auth.rate_limit.sign_in_sign_ups,
      tokenVerificationsPer5Min: auth.rate_limit.token_verifications,
      web3Per5Min: auth.rate_limit.web3,
    },
    trustedProxies: new TrustedProxies(config.trustedProxies),
    customAccessTokenHook: auth.hook.custom_access_token?.function,
    smtp: smtp
      ? {
          host: smtp.host,
          port: smtp.port,
          ...(smtp.user !== undefined ? { user: smtp.user } : {}),
          ...(smtp.pass !== undefined ? { pass: smtp.pass } : {}),
        }
      : undefined,
    sender: {
      address: email.smtp?.admin_email ?? 'admin@email.com',
      name: email.smtp?.sender_name ?? 'Admin',
    },
    templates,
    sms: smsSettingsFrom(auth),
    oauthProviders: oauthProvidersFrom(auth),
    mfa: mfaSettingsFrom(auth),
    passkeys: passkeySettingsFrom(auth),
  };
}
