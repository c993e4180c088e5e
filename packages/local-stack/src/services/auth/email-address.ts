import { AuthError } from './error-codes.ts';

// The same shape GoTrue accepts: something@domain.tld, no spaces, at most 255 characters.
const EMAIL_SHAPE =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;

/** Normalizes and validates an address as GoTrue's validateEmail: trimmed, lower-cased. */
export function validEmail(raw: string | undefined): string {
  const email = (raw ?? '').trim().toLowerCase();
  if (email === '') throw new AuthError('validation_failed', 'An email address is required');
  if (email.length > 255) throw new AuthError('validation_failed', 'An email address is too long');
  if (!EMAIL_SHAPE.test(email)) {
    throw new AuthError('email_address_invalid', 'Unable to validate email address: invalid format');
  }
  return email;
}

/** GoTrue's formatPhoneNumber: one leading `+` and every space dropped, nothing else. */
export function formatPhoneNumber(raw: string): string {
  return raw.replace(/^\+/, '').replaceAll(' ', '');
}

/**
 * E.164 digits without the plus, as GoTrue stores phone numbers and validates them
 * (validatePhone): brackets and dashes are not stripped, so `+1 (555) 010-0000` is refused.
 */
export function validPhone(raw: string): string {
  const phone = formatPhoneNumber(raw);
  if (!/^[1-9]\d{1,14}$/.test(phone)) {
    throw new AuthError('validation_failed', 'Invalid phone number format (E.164 required)');
  }
  return phone;
}
