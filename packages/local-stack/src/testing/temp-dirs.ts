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

/**
 * A new folder under `root` (default: the system temp dir) for a stack's project or state
 * folder. Made 0755, not mkdtemp's 0700: under root the database server runs as its own OS user
 * and must enter it, or its cluster would go to a folder of its own under the temp dir that
 * outlives this one.
 */
export function makeStackTempDir(prefix: string, root = tmpdir()): string {
  const dir = mkdtempSync(join(root, prefix));
  chmodSync(dir, 0o755);
  return dir;
}

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
 * a disk), else under the system temp dir.
 */
export function makeThrowawayDir(prefix: string): string {
  try {
    return makeStackTempDir(prefix, throwawayRoot());
  } catch {
    // /dev/shm not writable here.
    return makeStackTempDir(prefix);
  }
}
