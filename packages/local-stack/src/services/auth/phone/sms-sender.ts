import { MOUNTS } from '../../mounts.ts';
import { AuthError } from '../error-codes.ts';
import { IntervalLimiter } from '../rate-limits.ts';

export interface SmsSender {
  /** Sends `body` to `to` (E.164 digits) and returns the provider's message id. */
  send(message: { to: string; body: string; channel: string }): Promise<string>;
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * Sends Auth's text messages to the local SMS catcher (services/sms) over HTTP, as GoTrue
 * calls its provider's API; on hosted the configured provider gets them instead. The
 * project-wide `[auth.rate_limit] sms_sent` is counted here, per message actually sent.
 */
export function createSmsSender(apiUrl: string, sentPerHour: number): SmsSender {
  const limiter = new IntervalLimiter(sentPerHour, HOUR_MS);
  const endpoint = `${apiUrl}${MOUNTS.sms.path}/api/v1/messages`;
  return {
    async send(message) {
      if (!limiter.take()) throw new AuthError('over_sms_send_rate_limit', 'SMS rate limit exceeded');
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(message),
          signal: AbortSignal.timeout(10_000),
        });
      } catch (error) {
        throw smsFailed(error);
      }
      if (response.status !== 201) throw smsFailed(new Error(`SMS catcher answered ${response.status}`));
      const { id } = (await response.json()) as { id: string };
      return id;
    },
  };
}

/** GoTrue's words for a provider that failed, with the provider's reason after them. */
function smsFailed(cause: unknown): AuthError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new AuthError('sms_send_failed', `Error sending confirmation OTP to provider: ${reason}`, { cause });
}
