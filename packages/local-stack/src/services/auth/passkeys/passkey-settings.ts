import type { ConfigToml } from '../../../config/config-schema.ts';

/**
 * `[auth.passkey]` as the /passkeys routes use it, plus the GoTrue defaults config.toml cannot
 * change. The relying party is `[auth.webauthn]`'s, shared with WebAuthn MFA factors
 * (mfa/mfa-settings.ts), as GoTrue's getPasskeyWebAuthn shares GOTRUE_WEBAUTHN_RP_*.
 */
export interface PasskeySettings {
  /** GOTRUE_PASSKEY_ENABLED: off answers every /passkeys route 404 passkey_disabled. */
  enabled: boolean;
  /** GOTRUE_PASSKEY_MAX_PASSKEYS_PER_USER (10); the CLI does not pass it. */
  maxPerUser: number;
  /** GOTRUE_WEBAUTHN_CHALLENGE_EXPIRY_DURATION (5m). */
  challengeExpirySeconds: number;
}

export function passkeySettingsFrom(auth: ConfigToml['auth']): PasskeySettings {
  return { enabled: auth.passkey.enabled, maxPerUser: 10, challengeExpirySeconds: 300 };
}
