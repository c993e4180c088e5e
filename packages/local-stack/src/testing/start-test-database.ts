import { rmSync } from 'node:fs';
import type { GatewayMode } from '../config/config-schema.ts';
import { loadConfig, QUICK_PASSWORD_HASH_COST } from '../config/load-config.ts';
import {
  createDatabaseCopy,
  prepareSpareDatabases,
  retireDatabaseCopy,
} from '../database/database-copies.ts';
import { projectTemplateKey } from '../database/project-template.ts';
import { createLogger, type Logger, silentLogger } from '../logger.ts';
import { databaseUrl } from '../processes/database-url.ts';
import { SUPERUSER } from '../processes/postgres.ts';
import { enabledServices } from '../services/registry.ts';
import type { ServiceFactory } from '../services/service.ts';
import { startStack } from '../stack.ts';
import type { TestStack } from './start-test-stack.ts';
import { makeThrowawayDir } from './temp-dirs.ts';

export interface TestDatabaseOptions {
  /**
   * The database URL of a running test stack of the same project (what a vitest global setup
   * started with `startTestStack` and `provide`d): the copy is made in that server.
   */
  dbUrl: string;
  /** Folder holding `supabase/`; defaults to the nearest one above the current directory. */
  workdir?: string;
  /**
   * Services to serve for the copy; default: those config.toml enables, but Supabase Cron
   * (jobs name the database `postgres` and would run there) and with no Deno kept warm ahead.
   */
  services?: ServiceFactory[];
  configOverrides?: Record<string, unknown>;
  gateway?: GatewayMode;
  trustedProxies?: string[];
  log?: Logger | 'stderr';
  /**
   * Spares to keep ready in the shared server for the next files (default 1): this copy is
   * one renamed when there is one, and a new one is made while this file's tests run.
   */
  spareDatabases?: number;
}

export interface TestDatabase extends TestStack {
  /** The copy's name in the shared server (`groundwork_test_…`). */
  database: string;
  /** How long `CREATE DATABASE … TEMPLATE` took, in ms (the rest is the API starting for it). */
  copyMs: number;
}

let copies = 0;

/**
 * An isolated copy of the migrated and seeded database, made in a running test stack's
 * Postgres with `CREATE DATABASE … TEMPLATE` (no migration or seed runs), with its own
 * gateway on a free port serving REST, Auth, Storage, Realtime, Functions and the mail catcher
 * for it — one per test file, so files can write the same ids side by side. Disposed with
 * `await using`: the API stops and the copy is retired at once (renamed away, its replication
 * slot dropped); the next file's copy drops retired ones in the background.
 *
 * @example
 * // tests/tasks.test.ts (vitest; tests/global-setup.ts provides the shared stack's dbUrl)
 * await using db = await startTestDatabase({ dbUrl: inject('stack').dbUrl });
 * const supabase = createClient(db.apiUrl, db.keys.publishableKey);
 */
export async function startTestDatabase(options: TestDatabaseOptions): Promise<TestDatabase> {
  const port = Number(new URL(options.dbUrl).port);
  const superuserUrl = (database: string) => databaseUrl(port, SUPERUSER, database);
  // Storage's files and the copy's own state; in /dev/shm when it has room.
  const stateDir = makeThrowawayDir('groundwork-testdb-');
  const config = loadConfig({
    ...(options.workdir ? { workdir: options.workdir } : {}),
    ports: { api: 0, db: port, mail: 0, smtp: 0 },
    ...(options.gateway ? { gateway: options.gateway } : {}),
    ...(options.trustedProxies ? { trustedProxies: options.trustedProxies } : {}),
    stateDir,
    ...(options.configOverrides ? { overrides: options.configOverrides } : {}),
    passwordHashCost: QUICK_PASSWORD_HASH_COST,
  });
  copies += 1;
  const database = `groundwork_test_${process.pid}_${copies}`;
  const started = performance.now();
  await createDatabaseCopy(superuserUrl, projectTemplateKey(config), database);
  const copyMs = performance.now() - started;
  // The next file's copy: a spare made now, while this file's tests run.
  const replenished = prepareSpareDatabases(superuserUrl, options.spareDatabases ?? 1).catch(() => {});
  const dropCopy = async () => {
    await replenished;
    await retireDatabaseCopy(superuserUrl, database).catch(() => {});
    rmSync(stateDir, { recursive: true, force: true });
  };
  const log = options.log === 'stderr' ? createLogger('test-database') : (options.log ?? silentLogger);
  const services = options.services ?? enabledServices(config, { cron: false, functionSpares: false });
  let stack: Awaited<ReturnType<typeof startStack>>;
  try {
    stack = await startStack({ config, log, services, attach: { port, database } });
  } catch (error) {
    await dropCopy();
    throw error;
  }
  const stopStack = stack.stop;
  const stop = async () => {
    await stopStack();
    await dropCopy();
  };
  const status = { ...stack.status, DB_URL: databaseUrl(port, 'postgres', database) };
  return Object.assign(stack, {
    status,
    apiUrl: stack.status.API_URL,
    stateDir,
    database,
    copyMs,
    stop,
    [Symbol.asyncDispose]: stop,
  });
}
