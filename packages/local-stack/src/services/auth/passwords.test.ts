import { describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD_HASH_COST, QUICK_PASSWORD_HASH_COST } from '../../config/load-config.ts';
import { AuthError } from './error-codes.ts';
import { assertStrongPassword, hashPassword, passwordMatches } from './passwords.ts';

function reasonsFor(password: string, requirements: string, minimumLength = 8): string[] {
  try {
    assertStrongPassword(password, { minimumLength, requirements });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe('weak_password');
    expect((error as AuthError).status).toBe(422);
    return (error as AuthError).weakPasswordReasons ?? [];
  }
}

describe('password rules from config.toml', () => {
  it('checks minimum_password_length in characters', () => {
    expect(reasonsFor('abc', '')).toEqual(['length']);
    expect(reasonsFor('abcdefgh', '')).toEqual([]);
  });

  it('checks each password_requirements level', () => {
    expect(reasonsFor('abcdefgh', 'letters_digits')).toEqual(['characters']);
    expect(reasonsFor('abcdefg1', 'letters_digits')).toEqual([]);
    expect(reasonsFor('abcdefg1', 'lower_upper_letters_digits')).toEqual(['characters']);
    expect(reasonsFor('Abcdefg1', 'lower_upper_letters_digits')).toEqual([]);
    expect(reasonsFor('Abcdefg1', 'lower_upper_letters_digits_symbols')).toEqual(['characters']);
    expect(reasonsFor('Abcdefg1!', 'lower_upper_letters_digits_symbols')).toEqual([]);
    expect(reasonsFor('ab', 'letters_digits')).toEqual(['length', 'characters']);
  });

  it('hashes with bcrypt at the cost asked for and compares', async () => {
    const hash = await hashPassword('s3cret-pass', DEFAULT_PASSWORD_HASH_COST);
    expect(hash).toMatch(/^\$2[aby]\$10\$/);
    expect(await hashPassword('s3cret-pass', QUICK_PASSWORD_HASH_COST)).toMatch(/^\$2[aby]\$04\$/);
    expect(await passwordMatches('s3cret-pass', hash)).toBe(true);
    expect(await passwordMatches('wrong', hash)).toBe(false);
    expect(await passwordMatches('anything', null)).toBe(false);
  });
});
