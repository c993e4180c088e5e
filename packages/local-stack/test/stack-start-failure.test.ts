/**
 * A start that fails in the services step, while PostgREST (started side by side with the
 * services) is already up, names the step and leaves no process behind.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isStackError } from '../src/errors.ts';
import type { ServiceFactory } from '../src/services/service.ts';
import { startTestStack } from '../src/testing/index.ts';

const fixture = new URL('./fixtures/rls-project', import.meta.url).pathname;

/** This process's children by program name (`/proc/<pid>/stat`: pid, (comm), state, ppid). */
function children(name: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (match?.[1] === name && Number(match[2]) === process.pid) found.push(Number(entry));
    } catch {
      // The process ended while we read.
    }
  }
  return found;
}

describe('a start whose services fail', () => {
  it('fails naming the services step, and stops the PostgREST and Postgres it had started', async () => {
    // Fails once PostgREST is running beside it, so the cleanup has a PostgREST to stop.
    const failing: ServiceFactory = async () => {
      await expect.poll(() => children('postgrest').length, { timeout: 30_000, interval: 20 }).toBe(1);
      throw new Error('this service cannot start');
    };
    const failure = await startTestStack({ workdir: fixture, services: [failing] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isStackError(failure) && failure.code).toBe('service_failed');
    expect((failure as Error).message).toBe('services: this service cannot start');
    expect(children('postgrest')).toEqual([]);
    expect(children('postgres')).toEqual([]);
  });
});
