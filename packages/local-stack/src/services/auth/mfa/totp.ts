/**
 * otpauth and uqr (the QR code) are loaded with the first TOTP enrolment or verification, not at
 * stack start.
 */
const otpLibrary = () => import('otpauth');

/** GoTrue's TOTP parameters (pquerna/otp defaults): SHA-1, 6 digits, 30-second period. */
const TOTP_OPTIONS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;

export interface NewTotpKey {
  secret: string;
  uri: string;
  /** An SVG QR code of `uri`; supabase-js prefixes it with `data:image/svg+xml;utf-8,`. */
  qrCode: string;
}

/** A fresh 160-bit secret for `accountName` at `issuer`, as `otpauth://totp/...` and a QR code. */
export async function newTotpKey(issuer: string, accountName: string): Promise<NewTotpKey> {
  const [{ Secret, TOTP }, { renderSVG }] = await Promise.all([otpLibrary(), import('uqr')]);
  const totp = new TOTP({ ...TOTP_OPTIONS, issuer, label: accountName, secret: new Secret({ size: 20 }) });
  const uri = totp.toString();
  return { secret: totp.secret.base32, uri, qrCode: renderSVG(uri, { ecc: 'H' }) };
}

/** Whether `code` is the current code of `secret`, allowing one period either side (GoTrue's skew 1). */
export async function totpCodeMatches(secret: string, code: string): Promise<boolean> {
  const { Secret, TOTP } = await otpLibrary();
  const totp = new TOTP({ ...TOTP_OPTIONS, secret: Secret.fromBase32(secret) });
  return totp.validate({ token: code, window: 1 }) !== null;
}
