import { describe, expect, it } from 'vitest';
import { AuthRateLimits, IntervalLimiter, TokenBucketLimiter } from './rate-limits.ts';

describe('token bucket limiter (GoTrue tollbooth)', () => {
  it('lets a burst through at once, then refills at its rate, per key', () => {
    const limiter = new TokenBucketLimiter(0.1, 3); // 30 per 5 minutes would be 0.1/s
    for (let index = 0; index < 3; index += 1) expect(limiter.take('a', 0)).toBe(true);
    expect(limiter.take('a', 0)).toBe(false);
    expect(limiter.take('b', 0)).toBe(true);
    expect(limiter.take('a', 9_000)).toBe(false);
    expect(limiter.take('a', 10_000)).toBe(true);
    expect(limiter.take('a', 10_000)).toBe(false);
    // Never more than the burst, however long the key was idle.
    for (let index = 0; index < 3; index += 1) expect(limiter.take('a', 1e9)).toBe(true);
    expect(limiter.take('a', 1e9)).toBe(false);
  });
});

describe('interval limiter (GoTrue email)', () => {
  it('allows `limit` per interval and starts again in the next', () => {
    const limiter = new IntervalLimiter(2, 1000, 0);
    expect(limiter.take(10)).toBe(true);
    expect(limiter.take(20)).toBe(true);
    expect(limiter.take(999)).toBe(false);
    expect(limiter.take(1000)).toBe(true);
  });
});

describe('auth rate limits', () => {
  const settings = {
    emailSentPerHour: null,
    anonymousUsersPerHour: 2,
    tokenRefreshPer5Min: 1,
    signInSignUpsPer5Min: 1,
    tokenVerificationsPer5Min: 1,
    web3Per5Min: 1,
  };

  it('keeps a bucket of 30 per endpoint family and IP, answering over_request_rate_limit (429)', () => {
    const limits = new AuthRateLimits(settings);
    for (let index = 0; index < 30; index += 1) limits.check('signups', '1.2.3.4');
    expect(() => limits.check('signups', '1.2.3.4')).toThrow(
      expect.objectContaining({
        code: 'over_request_rate_limit',
        status: 429,
        message: 'Request rate limit reached',
      }),
    );
    // Same config key, separate buckets: sign-ups do not use up recovery or /token.
    limits.check('recover', '1.2.3.4');
    limits.check('token', '1.2.3.4');
    limits.check('signups', '5.6.7.8');
  });

  it('sizes the anonymous bucket by anonymous_users', () => {
    const limits = new AuthRateLimits(settings);
    limits.check('anonymous_sign_ins', 'ip');
    limits.check('anonymous_sign_ins', 'ip');
    expect(() => limits.check('anonymous_sign_ins', 'ip')).toThrow(
      expect.objectContaining({ code: 'over_request_rate_limit' }),
    );
  });

  it('does not limit email when not configured', () => {
    const limits = new AuthRateLimits(settings);
    for (let index = 0; index < 10; index += 1) limits.checkEmailSent();
  });

  it('answers over_email_send_rate_limit past email_sent', () => {
    const limits = new AuthRateLimits({ ...settings, emailSentPerHour: 1 });
    limits.checkEmailSent();
    expect(() => limits.checkEmailSent()).toThrow(
      expect.objectContaining({
        code: 'over_email_send_rate_limit',
        status: 429,
        message: 'email rate limit exceeded',
      }),
    );
  });
});
