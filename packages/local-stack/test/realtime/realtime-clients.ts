import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';

/**
 * Real supabase-js clients for the Realtime tests. Node 20 has no global WebSocket,
 * so realtime-js is given `ws` as transport (what its own docs advise).
 */
export interface ClientOptions {
  /** A user's access token; omitted → the API key's role. */
  accessToken?: () => Promise<string>;
  heartbeatIntervalMs?: number;
  vsn?: '1.0.0' | '2.0.0';
}

export function realtimeClient(apiUrl: string, apiKey: string, options: ClientOptions = {}): SupabaseClient {
  return createClient(apiUrl, apiKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    ...(options.accessToken ? { accessToken: options.accessToken } : {}),
    realtime: {
      transport: WebSocket as never,
      ...(options.heartbeatIntervalMs ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
      ...(options.vsn ? { vsn: options.vsn } : {}),
    },
  });
}

/**
 * A client acting as a user. The token is handed to realtime-js before any channel
 * joins: supabase-js otherwise fetches it asynchronously, and a join that wins that
 * race goes out with the API key's role instead.
 */
export async function userRealtimeClient(
  apiUrl: string,
  apiKey: string,
  accessToken: () => Promise<string>,
  options: Omit<ClientOptions, 'accessToken'> = {},
): Promise<SupabaseClient> {
  const client = realtimeClient(apiUrl, apiKey, { ...options, accessToken });
  await client.realtime.setAuth();
  return client;
}

/** Subscribes and resolves once the server confirmed the join; rejects with the server's reason. */
export function subscribed(channel: RealtimeChannel, timeoutMs = 10_000): Promise<RealtimeChannel> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('subscribe timed out')), timeoutMs);
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') {
        clearTimeout(timer);
        resolve(channel);
      } else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') {
        clearTimeout(timer);
        reject(error ?? new Error(status));
      }
    });
  });
}

/** Collects what a callback receives, with ways to wait for a count or for a particular item. */
export class Inbox<T> {
  readonly items: T[] = [];
  private waiters: { done: (items: T[]) => boolean; resolve: () => void }[] = [];

  push = (item: T): void => {
    this.items.push(item);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.done(this.items)) return true;
      waiter.resolve();
      return false;
    });
  };

  waitFor(count: number, timeoutMs = 10_000): Promise<T[]> {
    return this.waitUntil(
      (items) => items.length >= count,
      timeoutMs,
      () => `expected ${count} messages`,
    );
  }

  /**
   * Waits for an item that `match` picks out — a sentinel sent after something that must not
   * arrive: once the sentinel is here, an earlier message on the same path would be too.
   */
  waitForItem(match: (item: T) => boolean, timeoutMs = 10_000): Promise<T[]> {
    return this.waitUntil(
      (items) => items.some(match),
      timeoutMs,
      () => 'the awaited message never came',
    );
  }

  private async waitUntil(done: (items: T[]) => boolean, timeoutMs: number, failure: () => string) {
    if (!done(this.items)) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${failure()}, got ${this.items.length}`)),
          timeoutMs,
        );
        this.waiters.push({
          done,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    }
    return this.items;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
