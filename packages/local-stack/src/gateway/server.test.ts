import http from 'node:http';
import { createServer } from 'node:net';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { isStackError } from '../errors.ts';
import type { ServiceEnv } from '../services/caller.ts';
import { bindGateway } from './server.ts';

/** Tries to listen on `port`; resolves with the error code, or undefined if it could. */
function tryListen(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

describe('bindGateway', () => {
  it('holds the port from the moment it is bound, port 0 included, before anything is served', async () => {
    const gateway = await bindGateway(0);
    try {
      expect(gateway.port).toBeGreaterThan(0);
      expect(gateway.url).toBe(`http://127.0.0.1:${gateway.port}`);
      expect(await tryListen(gateway.port)).toBe('EADDRINUSE');
      const second = await bindGateway(gateway.port).catch((error: unknown) => error);
      expect(isStackError(second) && second.code).toBe('port_in_use');
    } finally {
      await gateway.close();
    }
  });

  it('answers requests that arrived while the stack was starting once it serves, in order', async () => {
    const gateway = await bindGateway(0);
    const events: string[] = [];
    try {
      let connected: () => void = () => {};
      const isConnected = new Promise<void>((resolve) => (connected = resolve));
      const early = new Promise<void>((resolve, reject) => {
        const request = http.get(`${gateway.url}/early`, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => {
            events.push(`answered ${body}`);
            resolve();
          });
        });
        request.on('error', reject);
        request.on('socket', (socket) => socket.once('connect', () => connected()));
      });
      // The request is on the wire before the gateway serves: its answer can only come after.
      await isConnected;
      events.push('served');
      const app = new Hono<ServiceEnv>();
      app.get('*', (c) => c.text(c.req.path));
      gateway.serve(app, (_request, socket) => socket.destroy());
      await early;
      expect(events).toEqual(['served', 'answered /early']);
    } finally {
      await gateway.close();
    }
  });
});
