import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.ts';
import { startSupervised } from './supervise.ts';

/** A child that lives until killed. */
const sleeper = () => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });

/** A spawn function that starts sleepers and keeps each child it started. */
function spawnSleepers(): { spawned: ChildProcess[]; spawn: () => ChildProcess } {
  const spawned: ChildProcess[] = [];
  return {
    spawned,
    spawn: () => {
      const child = sleeper();
      spawned.push(child);
      return child;
    },
  };
}

describe('startSupervised', () => {
  it('counts a restart as the new process starts, before its readiness check passes', async () => {
    let releaseReadiness: () => void = () => {};
    let checks = 0;
    const { spawned, spawn } = spawnSleepers();
    const supervised = await startSupervised({
      name: 'sleeper',
      spawn,
      waitUntilReady: () => {
        checks += 1;
        // The first start is ready at once; the restart's check stays pending until released.
        return checks === 1 ? Promise.resolve() : new Promise((resolve) => (releaseReadiness = resolve));
      },
      log: silentLogger,
    });
    try {
      const first = spawned[0] as ChildProcess;
      first.kill('SIGKILL');
      await once(first, 'exit');
      await expect.poll(() => spawned.length).toBe(2);
      // Whoever can reach the new process already sees it counted.
      expect(supervised.pid).toBe(spawned[1]?.pid);
      expect(supervised.restarts).toBe(1);
    } finally {
      releaseReadiness();
      await supervised.stop();
    }
  });

  it('stops with the signal given to stop() instead of its usual one', async () => {
    const { spawned, spawn } = spawnSleepers();
    const supervised = await startSupervised({
      name: 'sleeper',
      spawn,
      waitUntilReady: async () => {},
      log: silentLogger,
      stopSignal: 'SIGINT',
    });
    const child = spawned[0] as ChildProcess;
    const exited = once(child, 'exit');
    await supervised.stop('SIGQUIT');
    expect((await exited)[1]).toBe('SIGQUIT');
  });
});
