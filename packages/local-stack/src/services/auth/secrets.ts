import { createHash, randomBytes, randomInt } from 'node:crypto';

const REFRESH_TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** GoTrue's legacy refresh tokens: 12 random lowercase letters and digits. */
export function newRefreshToken(): string {
  const bytes = randomBytes(12);
  let token = '';
  for (const byte of bytes) token += REFRESH_TOKEN_ALPHABET[byte % REFRESH_TOKEN_ALPHABET.length];
  return token;
}

/** A numeric one-time code of `length` digits, as mailed for `{{ .Token }}`. */
export function newOtp(length: number): string {
  let code = '';
  for (let index = 0; index < length; index += 1) code += String(randomInt(10));
  return code;
}

/**
 * What GoTrue stores and puts in links instead of the OTP itself: hex SHA-224 of the
 * address followed by the code. Verifying a typed code recomputes it.
 */
export function tokenHash(emailOrPhone: string, otp: string): string {
  return createHash('sha224')
    .update(emailOrPhone + otp)
    .digest('hex');
}

/** Opaque random string for PKCE auth codes. */
export function newAuthCode(): string {
  return crypto.randomUUID();
}

/** RFC 7636 S256: base64url(SHA-256(verifier)), no padding. */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
