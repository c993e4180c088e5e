/**
 * Joining Realtime channels the same way everywhere: the caller's token is handed to
 * realtime-js first (supabase-js otherwise fetches it asynchronously, and a join that wins
 * that race goes out with the API key's role), and the returned promise settles only when
 * the server has confirmed or refused the join.
 */
import type { RealtimeChannel } from '@supabase/supabase-js';
import type { SdkContext } from './context.ts';
import { GroundworkError } from './errors.ts';

/** A live subscription; `unsubscribe` leaves the channel. */
export interface Subscription {
  unsubscribe(): Promise<void>;
}

const JOIN_TIMEOUT_MS = 10_000;
let channelCount = 0;

/**
 * A topic suffix unique within this client, so two subscriptions never share a channel
 * (realtime-js hands back the existing channel for a repeated topic). Not crypto.randomUUID:
 * React Native's Hermes has no `crypto` global.
 */
export function uniqueSuffix(): string {
  channelCount += 1;
  return `${channelCount.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

export async function joinChannel(ctx: SdkContext, channel: RealtimeChannel): Promise<RealtimeChannel> {
  await ctx.supabase.realtime.setAuth();
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: GroundworkError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Removing the channel reports CLOSED to this callback again; `settled` ends that loop.
      void ctx.supabase.removeChannel(channel);
      reject(error);
    };
    const timer = setTimeout(
      () =>
        fail(
          new GroundworkError('network', 'Realtime did not confirm the subscription in time.', {
            reason: 'timed_out',
          }),
        ),
      JOIN_TIMEOUT_MS,
    );
    channel.subscribe((status, error) => {
      if (settled) return;
      if (status === 'SUBSCRIBED') {
        settled = true;
        clearTimeout(timer);
        resolve(channel);
      } else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' || status === 'CLOSED') {
        fail(joinError(status, error));
      }
    });
  });
}

export function subscriptionOf(ctx: SdkContext, channel: RealtimeChannel): Subscription {
  return {
    async unsubscribe() {
      await ctx.supabase.removeChannel(channel);
    },
  };
}

/** Realtime refuses private channels the caller may not use with an "Unauthorized" reason. */
function joinError(status: string, error: Error | undefined): GroundworkError {
  const message = error?.message ?? `Realtime answered ${status}`;
  if (/unauthori[sz]ed|not authorized|permission/i.test(message)) {
    return new GroundworkError('forbidden', message, {
      status: 403,
      reason: 'channel_unauthorized',
      cause: error,
    });
  }
  if (status === 'TIMED_OUT')
    return new GroundworkError('network', message, { reason: 'timed_out', cause: error });
  return new GroundworkError('unknown', message, { cause: error });
}
