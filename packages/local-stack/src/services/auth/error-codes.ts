/**
 * Supabase Auth's error codes (supabase/auth internal/api/apierrors) that this service
 * answers with, each with the HTTP status GoTrue pairs it with. One table, so a code
 * never leaves with two different statuses.
 */
export const AUTH_ERROR_STATUS = {
  bad_json: 400,
  validation_failed: 400,
  email_address_invalid: 400,
  invalid_credentials: 400,
  email_not_confirmed: 400,
  phone_not_confirmed: 400,
  refresh_token_not_found: 400,
  refresh_token_already_used: 400,
  session_expired: 400,
  flow_state_expired: 400,
  reauthentication_needed: 400,
  reauthentication_not_valid: 400,
  phone_provider_disabled: 400,
  provider_disabled: 400,
  bad_oauth_state: 400,
  bad_oauth_callback: 400,
  no_authorization: 401,
  bad_jwt: 403,
  not_admin: 403,
  session_not_found: 403,
  user_not_found: 404,
  user_banned: 403,
  otp_expired: 403,
  bad_code_verifier: 403,
  flow_state_not_found: 404,
  manual_linking_disabled: 404,
  saml_provider_disabled: 404,
  sso_provider_not_found: 404,
  mfa_factor_not_found: 404,
  identity_not_found: 404,
  not_found: 404,
  conflict: 409,
  user_already_exists: 422,
  email_exists: 422,
  phone_exists: 422,
  identity_already_exists: 422,
  single_identity_not_deletable: 422,
  weak_password: 422,
  same_password: 422,
  signup_disabled: 422,
  email_provider_disabled: 422,
  anonymous_provider_disabled: 422,
  otp_disabled: 422,
  invite_not_found: 404,
  mfa_totp_enroll_not_enabled: 422,
  mfa_phone_enroll_not_enabled: 422,
  mfa_webauthn_enroll_not_enabled: 422,
  mfa_totp_verify_not_enabled: 422,
  mfa_webauthn_verify_not_enabled: 422,
  mfa_phone_verify_not_enabled: 422,
  mfa_factor_name_conflict: 422,
  too_many_enrolled_mfa_factors: 422,
  mfa_challenge_expired: 422,
  mfa_ip_address_mismatch: 422,
  mfa_verification_failed: 422,
  // Passkeys (GoTrue's passkey_*.go): the switch, the per-user limit and the ceremonies' refusals.
  passkey_disabled: 404,
  too_many_passkeys: 422,
  webauthn_credential_exists: 422,
  webauthn_challenge_not_found: 400,
  webauthn_challenge_expired: 400,
  webauthn_verification_failed: 400,
  // 403 when enrolling another factor at aal1, 422 when unenrolling a verified one (GoTrue's pairs).
  insufficient_aal: 403,
  web3_provider_disabled: 400,
  email_address_not_authorized: 400,
  over_request_rate_limit: 429,
  over_email_send_rate_limit: 429,
  over_sms_send_rate_limit: 429,
  sms_send_failed: 500,
  request_timeout: 504,
  // Not GoTrue's own: on hosted the platform's gateway refuses such a body before Auth sees it.
  request_too_large: 413,
  // Not GoTrue's own (it answers 500 "Database error …"): the database is unreachable for the
  // moment, answered 503 as REST answers then (services/database-unavailable.ts).
  database_unavailable: 503,
  unexpected_failure: 500,
} as const;

export type AuthErrorCode = keyof typeof AUTH_ERROR_STATUS;

/**
 * GoTrue's oauthErrorMap: the OAuth-style `error` put beside `error_code` when a failure goes
 * back to the app as a redirect (a mail link, an OAuth callback); other statuses have none.
 */
export const OAUTH_ERROR_FOR_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  401: 'unauthorized_client',
  403: 'access_denied',
  500: 'server_error',
  503: 'temporarily_unavailable',
};

export interface AuthErrorOptions {
  /** Overrides the table, for the few places GoTrue uses a code with another status. */
  status?: number;
  /** `weak_password.reasons` in the body. */
  weakPasswordReasons?: string[];
  cause?: unknown;
}

/** A failure GoTrue would report to the client: a code, a message and an HTTP status. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly status: number;
  readonly weakPasswordReasons: string[] | undefined;
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options: AuthErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status ?? AUTH_ERROR_STATUS[code];
    this.weakPasswordReasons = options.weakPasswordReasons;
  }
}

export function isAuthError(value: unknown): value is AuthError {
  return value instanceof AuthError;
}
