import type { ConfigToml } from '../../../config/config-schema.ts';

export interface FactorTypeSwitches {
  enroll: boolean;
  verify: boolean;
}

/** `[auth.mfa]` as the MFA routes use it, plus the GoTrue defaults config.toml cannot change. */
export interface MfaSettings {
  maxEnrolledFactors: number;
  /** GOTRUE_MFA_MAX_VERIFIED_FACTORS; the CLI does not pass it, so GoTrue's default applies. */
  maxVerifiedFactors: number;
  /** GOTRUE_MFA_CHALLENGE_EXPIRY_DURATION (300 s). */
  challengeExpirySeconds: number;
  /** GOTRUE_MFA_FACTOR_EXPIRY_DURATION (300 s): unverified factors older than this are dropped. */
  unverifiedFactorExpirySeconds: number;
  totp: FactorTypeSwitches;
  webAuthn: FactorTypeSwitches;
  /** The TOTP issuer when the client names none: the site URL's host, as GoTrue takes it. */
  defaultTotpIssuer: string;
  relyingParty: RelyingParty;
}

/** `[auth.webauthn]`; unset parts follow site_url (its host name and origin). */
export interface RelyingParty {
  name: string;
  id: string;
  origins: string[];
}

export function mfaSettingsFrom(auth: ConfigToml['auth']): MfaSettings {
  const switches = (table: { enroll_enabled: boolean; verify_enabled: boolean }) => ({
    enroll: table.enroll_enabled,
    verify: table.verify_enabled,
  });
  let site: URL | undefined;
  try {
    site = new URL(auth.site_url);
  } catch {
    // A site_url that is not a URL leaves the issuer empty; GoTrue answers 500 then, we enrol without one.
  }
  return {
    maxEnrolledFactors: auth.mfa.max_enrolled_factors,
    maxVerifiedFactors: 10,
    challengeExpirySeconds: 300,
    unverifiedFactorExpirySeconds: 300,
    totp: switches(auth.mfa.totp),
    webAuthn: switches(auth.mfa.web_authn),
    defaultTotpIssuer: site?.host ?? '',
    relyingParty: {
      name: auth.webauthn.rp_display_name ?? 'Supabase',
      id: auth.webauthn.rp_id ?? site?.hostname ?? 'localhost',
      origins: auth.webauthn.rp_origins ?? (site ? [site.origin] : []),
    },
  };
}
