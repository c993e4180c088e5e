import { describe, expect, it } from 'vitest';
import { AuthRateLimits, SlidingWindowLimiter } from './rate-limits.ts';

describe('sliding window limiter', () => {
  it('allows `limit` hits per window per key and frees them as the window moves', () => {
    const limiter = new SlidingWindowLimiter(2, 1000);
    expect(limiter.take('a', 0)).toBe(true);
    expect(limiter.take('a', 10)).toBe(true);
    expect(limiter.take('a', 20)).toBe(false);
    expect(limiter.take('b', 20)).toBe(true);
    expect(limiter.take('a', 1005)).toBe(true);
  });
});

describe('auth rate limits', () => {
  const settings = {
    emailSentPerHour: null,
    anonymousUsersPerHour: 1,
    tokenRefreshPer5Min: 1,
    signInSignUpsPer5Min: 1,
    tokenVerificationsPer5Min: 1,
  };

  it('answers over_request_rate_limit (429) past the limit', () => {
    const limits = new AuthRateLimits(settings);
    limits.check('sign_in_sign_up', '1.2.3.4');
    expect(() => limits.check('sign_in_sign_up', '1.2.3.4')).toThrow(
      expect.objectContaining({ code: 'over_request_rate_limit', status: 429 }),
    );
    limits.check('sign_in_sign_up', '5.6.7.8');
  });

  it('does not limit email without custom SMTP, as the Supabase CLI', () => {
    const limits = new AuthRateLimits(settings);
    for (let index = 0; index < 10; index += 1) limits.check('email_sent', 'project');
  });

  it('answers over_email_send_rate_limit when custom SMTP sets a limit', () => {
    const limits = new AuthRateLimits({ ...settings, emailSentPerHour: 1 });
    limits.check('email_sent', 'project');
    expect(() => limits.check('email_sent', 'project')).toThrow(
      expect.objectContaining({ code: 'over_email_send_rate_limit', status: 429 }),
    );
  });
});
