import pg from 'pg';
import type { Logger } from '../logger.ts';

export interface ChannelListener {
  close(): Promise<void>;
}

export interface ListenOptions {
  url: string;
  channel: string;
  /** Shown in pg_stat_activity (pg_net's net.check_worker_is_up looks for its worker by it). */
  applicationName: string;
  /** Called for every notification, and once after each (re)connect to catch up on what was missed. */
  onNotify(payload: string): void;
  log: Logger;
}

/**
 * LISTEN on a channel for as long as the stack runs. Postgres delivers a NOTIFY only when
 * the notifying transaction commits. When the connection drops (Postgres restarted by its
 * supervisor), it reconnects with backoff and calls onNotify so nothing is missed.
 */
export async function listenChannel(options: ListenOptions): Promise<ChannelListener> {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let failures = 0;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: options.url, application_name: options.applicationName });
    next.on('notification', (message) => options.onNotify(message.payload ?? ''));
    next.on('error', (error) => {
      if (closed) return;
      options.log.warn(`lost the ${options.channel} listener connection (${error.message}); reconnecting`);
      void next.end().catch(() => {});
      schedule();
    });
    await next.connect();
    await next.query(`listen ${pg.escapeIdentifier(options.channel)}`);
    client = next;
    failures = 0;
  };

  const schedule = () => {
    if (closed || retry) return;
    failures += 1;
    retry = setTimeout(
      () => {
        retry = undefined;
        connect()
          .then(() => options.onNotify(''))
          .catch(() => schedule());
      },
      Math.min(2_000, 100 * failures),
    );
  };

  await connect();
  return {
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
