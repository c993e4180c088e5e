import { isStackError } from '../errors.ts';
import { findFreePort } from './ports.ts';

const ATTEMPTS = 5;

/**
 * Starts something whose ports a child process binds itself (Postgres, PostgREST), so they
 * can't be held for it in between: on ports the OS calls free now, and on fresh ones again
 * when another program took one first (the start fails with `port_in_use`).
 */
export async function startOnFreePorts<T>(count: number, start: (ports: number[]) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports = new Set<number>();
    while (ports.size < count) ports.add(await findFreePort());
    try {
      return await start([...ports]);
    } catch (error) {
      if (attempt >= ATTEMPTS || !isStackError(error) || error.code !== 'port_in_use') throw error;
    }
  }
}
