import { AuthError } from './error-codes.ts';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const SYMBOLS = '!@#$%^&*()_+-=[]{};\'\\:"|<>?,./`~';

/** The character sets each `password_requirements` value demands, as GoTrue lists them. */
const REQUIREMENTS: Record<string, string[]> = {
  '': [],
  letters_digits: [LOWER + UPPER, DIGITS],
  lower_upper_letters_digits: [LOWER, UPPER, DIGITS],
  lower_upper_letters_digits_symbols: [LOWER, UPPER, DIGITS, SYMBOLS],
};

export interface PasswordRules {
  minimumLength: number;
  requirements: string;
}

/**
 * bcrypt reads only the first 72 bytes of a password, so a longer one would sign in with any
 * ending. GoTrue refuses it (MaxPasswordLength, measured in bytes as Go's len() does) before
 * any strength rule, with this exact message.
 */
export const MAX_PASSWORD_BYTES = 72;

export function assertPasswordFitsBcrypt(password: string): void {
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw new AuthError(
      'validation_failed',
      `Password cannot be longer than ${MAX_PASSWORD_BYTES} characters`,
    );
  }
}

/**
 * Throws `validation_failed` (400) for a password over 72 bytes, else `weak_password` (422)
 * with GoTrue's reasons: `length`, `characters`.
 */
export function assertStrongPassword(password: string, rules: PasswordRules): void {
  assertPasswordFitsBcrypt(password);
  const reasons: string[] = [];
  const messages: string[] = [];
  if ([...password].length < rules.minimumLength) {
    reasons.push('length');
    messages.push(`Password should be at least ${rules.minimumLength} characters.`);
  }
  const sets = REQUIREMENTS[rules.requirements] ?? [];
  if (sets.some((set) => ![...password].some((char) => set.includes(char)))) {
    reasons.push('characters');
    messages.push(`Password should contain at least one character of each: ${sets.join(', ')}.`);
  }
  if (reasons.length > 0) {
    throw new AuthError('weak_password', messages.join(' '), { weakPasswordReasons: reasons });
  }
}

/** bcryptjs is loaded with the first password hashed or checked, not at stack start. */
const bcryptLibrary = () => import('bcryptjs').then((module) => module.default);

/** Refuses what bcrypt would truncate, as Go's bcrypt.GenerateFromPassword does (ErrPasswordTooLong). */
export async function hashPassword(password: string, cost: number): Promise<string> {
  assertPasswordFitsBcrypt(password);
  return (await bcryptLibrary()).hash(password, cost);
}

export async function passwordMatches(password: string, hash: string | null): Promise<boolean> {
  if (!hash || password === '') return false;
  try {
    return await (await bcryptLibrary()).compare(password, hash);
  } catch {
    return false;
  }
}
