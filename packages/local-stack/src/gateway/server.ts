import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { StackError } from '../errors.ts';
import type { ServiceEnv } from '../services/caller.ts';
import type { UpgradeHandler } from './upgrade.ts';

export interface RunningGateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The gateway's socket, bound before the rest of the stack starts and served once it is up. */
export interface BoundGateway extends RunningGateway {
  /** Starts answering with `app`; requests that arrived while the stack was starting are answered now. */
  serve(app: Hono<ServiceEnv>, onUpgrade: UpgradeHandler): void;
}

type FetchHandler = Hono<ServiceEnv>['fetch'];

/**
 * Binds the gateway's port on 127.0.0.1 (0 picks a free one) right away, so the port is the
 * stack's from the first step: no other program can take it while Postgres and the services
 * start, and a stack on port 0 knows its URL before anything needs it. Until `serve` is
 * called, requests and WebSocket upgrades wait (a stack that fails to start closes them).
 */
export async function bindGateway(port: number): Promise<BoundGateway> {
  let fetchHandler: FetchHandler | undefined;
  let upgradeHandler: UpgradeHandler | undefined;
  let closed = false;
  const waiting: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const whenServed = () =>
    new Promise<void>((resolve, reject) => {
      if (fetchHandler) resolve();
      else if (closed) reject(new Error('the stack did not start'));
      else waiting.push({ resolve, reject });
    });
  const fetch: FetchHandler = (request, env, context) =>
    fetchHandler
      ? fetchHandler(request, env, context)
      : whenServed().then(() => (fetchHandler as FetchHandler)(request, env, context));

  let server: ServerType | undefined;
  await new Promise<void>((resolve, reject) => {
    server = serve({ fetch, port, hostname: '127.0.0.1' }, () => resolve());
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
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (upgradeHandler) return upgradeHandler(request, socket, head);
    whenServed().then(
      () => upgradeHandler?.(request, socket, head),
      () => socket.destroy(),
    );
  });
  const bound = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    serve(app, onUpgrade) {
      fetchHandler = app.fetch;
      upgradeHandler = onUpgrade;
      for (const { resolve } of waiting.splice(0)) resolve();
    },
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        for (const { reject } of waiting.splice(0)) reject(new Error('the stack stopped'));
        http.closeAllConnections?.();
        http.close(() => resolve());
      }),
  };
}

/** Binds and serves at once (in-process tests of the gateway). */
export async function listenGateway(
  app: Hono<ServiceEnv>,
  onUpgrade: UpgradeHandler,
  port: number,
): Promise<RunningGateway> {
  const gateway = await bindGateway(port);
  gateway.serve(app, onUpgrade);
  return gateway;
}
