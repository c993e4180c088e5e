import { AuthError } from './error-codes.ts';

/**
 * A token bucket per key, as GoTrue's tollbooth limiters (golang.org/x/time/rate) keep
 * them: a key starts with `burst` tokens, each request takes one, and tokens come back at
 * `perSecond` up to `burst`. So a limit of 30 per 5 minutes lets 30 requests through at
 * once and then one every 10 s, rather than shutting the door for 5 minutes.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    readonly perSecond: number,
    readonly burst: number,
  ) {}

  /** Takes a token for `key`; false (and nothing taken) when its bucket is empty. */
  take(key: string, now = Date.now()): boolean {
    const bucket = this.buckets.get(key);
    const tokens = bucket ? this.refilled(bucket, now) : this.burst;
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return false;
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > 10_000) this.forgetFullBuckets(now);
    return true;
  }

  private refilled(bucket: { tokens: number; at: number }, now: number): number {
    return Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
  }

  /** A full bucket is the same as no bucket: dropping those keeps one-off keys from piling up. */
  private forgetFullBuckets(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (this.refilled(bucket, now) >= this.burst) this.buckets.delete(key);
    }
  }
}

/**
 * GoTrue's email limiter (ratelimit.IntervalLimiter): `limit` mails per interval for the
 * whole project, the count starting again when an interval ends.
 */
export class IntervalLimiter {
  private windowStart: number;
  private count = 0;
  constructor(
    readonly limit: number,
    readonly intervalMs: number,
    now = Date.now(),
  ) {
    this.windowStart = now;
  }

  take(now = Date.now()): boolean {
    const elapsed = Math.floor((now - this.windowStart) / this.intervalMs);
    if (elapsed > 0) {
      this.windowStart += elapsed * this.intervalMs;
      this.count = 0;
    }
    if (this.count >= this.limit) return false;
    this.count += 1;
    return true;
  }
}

/**
 * The per-IP limiters GoTrue keeps (internal/api/apilimiter), one bucket family each, named
 * as there. Several share a config.toml key yet count separately: sign-ups, recovery,
 * resend, magic links, OTP and PUT /user all read `sign_in_sign_ups` (GOTRUE_RATE_LIMIT_OTP);
 * every /token grant but web3 reads `token_refresh`, password sign-ins included.
 */
export type LimitedEndpoint =
  | 'signups'
  | 'recover'
  | 'resend'
  | 'magic_link'
  | 'otp'
  | 'user'
  | 'token'
  | 'web3'
  | 'verify'
  | 'anonymous_sign_ins';

/** `[auth.rate_limit]`, resolved (see settings.ts). */
export interface RateLimitSettings {
  /** Mails per hour for the whole project; null when not enforced (see settings.ts). */
  emailSentPerHour: number | null;
  anonymousUsersPerHour: number;
  tokenRefreshPer5Min: number;
  signInSignUpsPer5Min: number;
  tokenVerificationsPer5Min: number;
  web3Per5Min: number;
}

const FIVE_MINUTES_S = 5 * 60;
const HOUR_S = 60 * 60;
/** GoTrue's fixed bucket size for every per-5-minute limiter. */
const BURST = 30;

export class AuthRateLimits {
  private readonly limiters: Record<LimitedEndpoint, TokenBucketLimiter>;
  private readonly email: IntervalLimiter | undefined;

  constructor(settings: RateLimitSettings) {
    const per5Minutes = (limit: number) => new TokenBucketLimiter(limit / FIVE_MINUTES_S, BURST);
    this.limiters = {
      signups: per5Minutes(settings.signInSignUpsPer5Min),
      recover: per5Minutes(settings.signInSignUpsPer5Min),
      resend: per5Minutes(settings.signInSignUpsPer5Min),
      magic_link: per5Minutes(settings.signInSignUpsPer5Min),
      otp: per5Minutes(settings.signInSignUpsPer5Min),
      user: per5Minutes(settings.signInSignUpsPer5Min),
      token: per5Minutes(settings.tokenRefreshPer5Min),
      web3: per5Minutes(settings.web3Per5Min),
      verify: per5Minutes(settings.tokenVerificationsPer5Min),
      // The one per-IP bucket as large as its hourly limit.
      anonymous_sign_ins: new TokenBucketLimiter(
        settings.anonymousUsersPerHour / HOUR_S,
        settings.anonymousUsersPerHour,
      ),
    };
    this.email =
      settings.emailSentPerHour === null
        ? undefined
        : new IntervalLimiter(settings.emailSentPerHour, HOUR_S * 1000);
  }

  /** Throws GoTrue's 429 over_request_rate_limit when `clientIp` has used up `endpoint`'s bucket. */
  check(endpoint: LimitedEndpoint, clientIp: string): void {
    if (this.limiters[endpoint].take(clientIp)) return;
    throw new AuthError('over_request_rate_limit', 'Request rate limit reached');
  }

  /** Throws GoTrue's 429 over_email_send_rate_limit when the project has sent its mails for this hour. */
  checkEmailSent(): void {
    if (!this.email || this.email.take()) return;
    throw new AuthError('over_email_send_rate_limit', 'email rate limit exceeded');
  }
}
