import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { StackError } from '../errors.ts';
import type { Service } from '../services/service.ts';
import type { GatewayEnv } from './caller.ts';

export interface RunningGateway {
  url: string;
  close(): Promise<void>;
}

export async function listenGateway(
  app: Hono<GatewayEnv>,
  services: Service[],
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
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://gateway').pathname;
    const service = services.find(
      (candidate) => candidate.upgrade && path.startsWith(`${candidate.basePath}/`),
    );
    if (!service?.upgrade) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    service.upgrade(request, socket, head);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections?.();
        http.close(() => resolve());
      }),
  };
}
