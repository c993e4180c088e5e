import { createServer } from 'node:net';
import { StackError } from '../errors.ts';

/** Resolves when the port can be bound on 127.0.0.1; names the port's purpose when it can't. */
export async function assertPortFree(port: number, purpose: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new StackError(
          'port_in_use',
          error.code === 'EADDRINUSE'
            ? `port ${port} (${purpose}) is already in use; stop whatever holds it or run "groundwork stop"`
            : `port ${port} (${purpose}): ${error.message}`,
          purpose,
        ),
      );
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve()));
  });
}

/** A port the OS considers free right now (for internal upstreams and isolated test stacks). */
export async function findFreePort(): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
