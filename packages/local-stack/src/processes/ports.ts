import { createServer } from 'node:net';
import { StackError } from '../errors.ts';
import { findPortHolder } from './port-holder.ts';

/** A port the stack needs, and the config.toml setting that moves it. */
export interface PortUse {
  port: number;
  purpose: string;
  setting: string;
}

/**
 * Resolves when the port can be bound on 127.0.0.1. When it can't, the error names the
 * program holding it (from /proc where there is one) and the setting that moves the port.
 */
export async function assertPortFree(use: PortUse): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new StackError(
          'port_in_use',
          error.code === 'EADDRINUSE'
            ? portInUseMessage(use)
            : `port ${use.port} (${use.purpose}): ${error.message}`,
          'ports',
        ),
      );
    });
    server.listen({ port: use.port, host: '127.0.0.1', exclusive: true }, () =>
      server.close(() => resolve()),
    );
  });
}

function portInUseMessage({ port, purpose, setting }: PortUse): string {
  const taken = `port ${port} (${purpose}) is in use`;
  const moveIt = `or set another ${setting} in supabase/config.toml`;
  const holder = findPortHolder(port);
  if (!holder) return `${taken} by another program; stop it ${moveIt}`;
  const stackWorkdir = /[/\\]cli[/\\]daemon\.[jt]s (.+)$/.exec(holder.command)?.[1];
  if (stackWorkdir) {
    return `${taken} by the groundwork stack of ${stackWorkdir} (pid ${holder.pid}); stop it with "groundwork stop --workdir ${stackWorkdir}" ${moveIt}`;
  }
  return `${taken} by pid ${holder.pid} (${holder.command}); stop that program ${moveIt}`;
}

/**
 * Whether the port can be bound on 127.0.0.1 right now (an exclusive bind, released at once).
 * `assertPortFree` says why it can't; this only answers yes or no, for callers choosing a port.
 */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
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
