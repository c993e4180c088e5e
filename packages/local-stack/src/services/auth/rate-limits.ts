import { AuthError } from './error-codes.ts';

/**
 * Counts requests per key in a sliding window. GoTrue limits per client IP (the
 * forwarded-for address Kong sets); the email limit is per project.
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records a hit for `key`; false when the key already used its allowance. */
  take(key: string, now = Date.now()): boolean {
    const since = now - this.windowMs;
    const recent = (this.hits.get(key) ?? []).filter((time) => time > since);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      return false;
    }
    recent.push(now);
    this.hits.set(key, recent);
    // Keep the map from growing with one-off keys.
    if (this.hits.size > 10_000) {
      for (const [other, times] of this.hits) if ((times.at(-1) ?? 0) <= since) this.hits.delete(other);
    }
    return true;
  }
}

export type LimitedAction = 'sign_in_sign_up' | 'anonymous' | 'token_refresh' | 'verify' | 'email_sent';

export interface RateLimitSettings {
  emailSentPerHour: number | null;
  anonymousUsersPerHour: number;
  tokenRefreshPer5Min: number;
  signInSignUpsPer5Min: number;
  tokenVerificationsPer5Min: number;
}

const FIVE_MINUTES = 5 * 60_000;
const HOUR = 60 * 60_000;

export class AuthRateLimits {
  private readonly limiters: Partial<Record<LimitedAction, SlidingWindowLimiter>>;
  constructor(settings: RateLimitSettings) {
    this.limiters = {
      sign_in_sign_up: new SlidingWindowLimiter(settings.signInSignUpsPer5Min, FIVE_MINUTES),
      anonymous: new SlidingWindowLimiter(settings.anonymousUsersPerHour, HOUR),
      token_refresh: new SlidingWindowLimiter(settings.tokenRefreshPer5Min, FIVE_MINUTES),
      verify: new SlidingWindowLimiter(settings.tokenVerificationsPer5Min, FIVE_MINUTES),
      ...(settings.emailSentPerHour === null
        ? {}
        : { email_sent: new SlidingWindowLimiter(settings.emailSentPerHour, HOUR) }),
    };
  }

  /** Throws GoTrue's 429 when `key` (an IP, or 'project' for email) is over the limit. */
  check(action: LimitedAction, key: string): void {
    const limiter = this.limiters[action];
    if (!limiter || limiter.take(key)) return;
    if (action === 'email_sent')
      throw new AuthError('over_email_send_rate_limit', 'Email rate limit exceeded');
    throw new AuthError('over_request_rate_limit', 'Request rate limit reached');
  }
}
