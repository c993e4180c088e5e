import { parseDurationMs } from '../../config/durations.ts';
import type { StackConfig } from '../../config/load-config.ts';

export interface HookTarget {
  schema: string;
  name: string;
}

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
  minimumPasswordLength: number;
  passwordRequirements: string;
  rateLimits: {
    /** Emails per hour for the whole project; null when no custom SMTP is set, as the CLI does. */
    emailSentPerHour: number | null;
    anonymousUsersPerHour: number;
    tokenRefreshPer5Min: number;
    signInSignUpsPer5Min: number;
    tokenVerificationsPer5Min: number;
  };
  customAccessTokenHook: HookTarget | undefined;
  /** Custom SMTP from `[auth.email.smtp]`; undefined sends to the local mail catcher. */
  smtp: SmtpTarget | undefined;
  sender: { address: string; name: string };
  templates: Record<string, EmailTemplate>;
}

type Loose = Record<string, unknown>;
const loose = (value: unknown): Loose => (value && typeof value === 'object' ? (value as Loose) : {});

/** `pg-functions://<database>/<schema>/<function>` as Supabase writes hook URIs. */
export function parseHookUri(uri: string): HookTarget | undefined {
  const match = /^pg-functions:\/\/[^/]+\/([^/]+)\/([^/]+)$/.exec(uri.trim());
  return match ? { schema: match[1] as string, name: match[2] as string } : undefined;
}

export function authSettingsFrom(config: StackConfig, apiUrl: string): AuthSettings {
  const auth = config.toml.auth;
  const email = auth.email as typeof auth.email & Loose;
  const smtp = loose(email.smtp);
  const smtpEnabled = smtp.enabled === true && typeof smtp.host === 'string';
  const hook = auth.hook.custom_access_token;
  const templates: Record<string, EmailTemplate> = {};
  for (const [kind, raw] of Object.entries(loose(email.template))) {
    const template = loose(raw);
    templates[kind] = {
      ...(typeof template.subject === 'string' ? { subject: template.subject } : {}),
      ...(typeof template.content_path === 'string' ? { contentPath: template.content_path } : {}),
    };
  }
  return {
    siteUrl: auth.site_url,
    additionalRedirectUrls: auth.additional_redirect_urls,
    jwtExpirySeconds: auth.jwt_expiry,
    issuer: `${apiUrl}/auth/v1`,
    refreshTokenRotation: auth.enable_refresh_token_rotation,
    refreshTokenReuseIntervalSeconds: auth.refresh_token_reuse_interval,
    signupEnabled: auth.enable_signup,
    anonymousSignInsEnabled: auth.enable_anonymous_sign_ins,
    manualLinkingEnabled: auth.enable_manual_linking,
    // CLI v2+ calls it `enabled`; older files said `enable_signup`.
    emailProviderEnabled: typeof email.enabled === 'boolean' ? email.enabled : email.enable_signup,
    emailAutoconfirm: !email.enable_confirmations,
    doubleConfirmEmailChanges: email.double_confirm_changes,
    securePasswordChange: email.secure_password_change,
    emailMaxFrequencyMs: parseDurationMs(email.max_frequency),
    otpLength: email.otp_length,
    otpExpirySeconds: email.otp_expiry,
    minimumPasswordLength: auth.minimum_password_length,
    passwordRequirements: auth.password_requirements,
    rateLimits: {
      emailSentPerHour: smtpEnabled ? auth.rate_limit.email_sent : null,
      anonymousUsersPerHour: auth.rate_limit.anonymous_users,
      tokenRefreshPer5Min: auth.rate_limit.token_refresh,
      signInSignUpsPer5Min: auth.rate_limit.sign_in_sign_ups,
      tokenVerificationsPer5Min: auth.rate_limit.token_verifications,
    },
    customAccessTokenHook: hook?.enabled ? parseHookUri(hook.uri) : undefined,
    smtp: smtpEnabled
      ? {
          host: smtp.host as string,
          port: typeof smtp.port === 'number' ? smtp.port : 587,
          ...(typeof smtp.user === 'string' ? { user: smtp.user } : {}),
          ...(typeof smtp.pass === 'string' ? { pass: smtp.pass } : {}),
        }
      : undefined,
    sender: {
      address: typeof smtp.admin_email === 'string' ? smtp.admin_email : 'admin@email.com',
      name: typeof smtp.sender_name === 'string' ? smtp.sender_name : 'Admin',
    },
    templates,
  };
}
