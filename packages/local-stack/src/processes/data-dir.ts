import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type ProcessIdentity, postgresIdentity } from './os-user.ts';

function canTraverse(dir: string, identity: ProcessIdentity): boolean {
  const stats = statSync(dir);
  if (stats.uid === identity.uid) return (stats.mode & 0o100) !== 0;
  if (stats.gid === identity.gid) return (stats.mode & 0o010) !== 0;
  return (stats.mode & 0o001) !== 0;
}

/** Every existing ancestor of `path` can be entered by the given OS user. */
export function reachableBy(path: string, identity: ProcessIdentity): boolean {
  let dir = dirname(resolve(path));
  const ancestors: string[] = [];
  for (;;) {
    if (existsSync(dir)) ancestors.push(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return ancestors.every((ancestor) => canTraverse(ancestor, identity));
}

/**
 * Where the cluster lives. Normally `<stateDir>/postgres`. When we run as root and the
 * project sits in a folder the `postgres` OS user can't enter (a 0700 home, say), the
 * server couldn't open its own files there, so the cluster goes to a per-project folder
 * under the system temp dir instead.
 */
export function clusterDirFor(stateDir: string): string {
  const preferred = join(stateDir, 'postgres');
  const identity = postgresIdentity();
  if (!identity) return preferred;
  mkdirSync(stateDir, { recursive: true });
  if (reachableBy(join(stateDir, 'x'), identity)) return preferred;
  const key = createHash('sha256').update(resolve(stateDir)).digest('hex').slice(0, 16);
  return join(tmpdir(), `groundwork-pg-${key}`, 'postgres');
}

/**
 * The cluster's Unix socket folder: short (a socket path must fit 108 bytes), per cluster,
 * under the system temp dir.
 */
export function socketDirFor(dataDir: string): string {
  const key = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
  return join(tmpdir(), `groundwork-sock-${key}`);
}

/** The Vault key beside the cluster (in the state folder), where the vault extension reads it. */
export function vaultKeyFileFor(dataDir: string): string {
  return join(dirname(resolve(dataDir)), 'vault.key');
}
