import { chmodSync, mkdtempSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Linux's tmpfs for shared memory: files in RAM, so writes and fsyncs cost next to nothing. */
const SHM = '/dev/shm';
/**
 * Room /dev/shm must have left for a throwaway folder to go there: a test stack's cluster is
 * ~40–75 MB and a suite runs a few side by side, while a fuller /dev/shm is someone's memory.
 */
const MIN_SHM_FREE_BYTES = 2 * 1024 ** 3;

function throwawayRoot(): string {
  try {
    const { bavail, bsize } = statfsSync(SHM);
    if (bavail * bsize >= MIN_SHM_FREE_BYTES) return SHM;
  } catch {
    // No /dev/shm (macOS, some containers): the system temp dir.
  }
  return tmpdir();
}

/**
 * A new folder for data a test stack owns and deletes when disposed: in /dev/shm when it has
 * room (the cluster copy, Postgres' writes and fsyncs, and the delete cost less CPU there than on
 * a disk), else under the system temp dir. Made 0755: the database server (its own OS user
 * under root) must enter it, and mkdtemp makes 0700 folders.
 */
export function makeThrowawayDir(prefix: string): string {
  let dir: string;
  try {
    dir = mkdtempSync(join(throwawayRoot(), prefix));
  } catch {
    // /dev/shm not writable here.
    dir = mkdtempSync(join(tmpdir(), prefix));
  }
  chmodSync(dir, 0o755);
  return dir;
}
