import { rmSync, statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { expect, it } from 'vitest';
import { makeThrowawayDir } from './temp-dirs.ts';

it('makes a 0755 folder in /dev/shm when it has 2 GB free, else under the system temp dir', () => {
  const dir = makeThrowawayDir('groundwork-throwaway-test-');
  try {
    let shmFree = 0;
    try {
      const { bavail, bsize } = statfsSync('/dev/shm');
      shmFree = bavail * bsize;
    } catch {
      // No /dev/shm here.
    }
    expect(dirname(dir)).toBe(shmFree >= 2 * 1024 ** 3 ? '/dev/shm' : tmpdir());
    expect(statSync(dir).mode & 0o777).toBe(0o755);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
