import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { vaultKeyFileFor } from '../processes/data-dir.ts';
import { postgresIdentity } from '../processes/os-user.ts';

/**
 * The key Vault encrypts secrets under: 32 random bytes (hex) in `vault.key` beside the
 * cluster, in the state folder, so it is never in the database, its WAL or a dump. Made
 * once and kept; readable by the server's OS user only. `groundwork reset` removes it
 * with the database it belongs to.
 */
export function ensureVaultKey(dataDir: string): string {
  const file = vaultKeyFileFor(dataDir);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    renameSync(partial, file);
  }
  chmodSync(file, 0o600);
  const identity = postgresIdentity();
  if (identity) chownSync(file, identity.uid, identity.gid);
  return file;
}
