import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { StackError } from '../errors.ts';
import type { ServiceEnv } from '../services/caller.ts';
import type { UpgradeHandler } from './upgrade.ts';

export interface RunningGateway {
  url: string;
  close(): Promise<void>;
}

/** Serves the gateway app on 127.0.0.1 (port 0 picks a free one) and hands WebSocket upgrades on. */
export async function listenGateway(
  app: Hono<ServiceEnv>,
  onUpgrade: UpgradeHandler,
  port: number,
): Promise<RunningGateway> {
  let server: ServerType | undefined;
  await new Promise<void>((resolve, reject) => {
    server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve());
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new StackError(
          error.code === 'EADDRINUSE' ? 'port_in_use' : 'service_failed',
          error.code === 'EADDRINUSE' ? `port ${port} (API gateway) is already in use` : error.message,
          'gateway',
        ),
      ),
    );
  });
  const http = server as unknown as Server;
  // Supabase clients keep connections open between requests; don't cut them short.
  http.keepAliveTimeout = 65_000;
  http.on('upgrade', onUpgrade);
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections?.();
        http.close(() => resolve());
      }),
  };
}
