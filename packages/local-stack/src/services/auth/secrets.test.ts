import { describe, expect, it } from 'vitest';
import { newOtp, newRefreshToken, s256Challenge, tokenHash } from './secrets.ts';

describe('secrets', () => {
  it('makes 12-character refresh tokens and numeric OTPs', () => {
    expect(newRefreshToken()).toMatch(/^[a-z0-9]{12}$/);
    expect(newOtp(6)).toMatch(/^\d{6}$/);
    expect(newOtp(8)).toMatch(/^\d{8}$/);
  });

  it('hashes address + code with SHA-224 as GoTrue', () => {
    expect(tokenHash('a@b.co', '123456')).toMatch(/^[0-9a-f]{56}$/);
    expect(tokenHash('a@b.co', '123456')).toBe(tokenHash('a@b.co', '123456'));
    expect(tokenHash('a@b.co', '123456')).not.toBe(tokenHash('a@b.co', '123457'));
  });

  it('computes the RFC 7636 S256 challenge', () => {
    expect(s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });
});
