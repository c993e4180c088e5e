import { rmSync } from 'node:fs';
import type { GatewayMode } from '../config/config-schema.ts';
import { loadConfig, QUICK_PASSWORD_HASH_COST } from '../config/load-config.ts';
import { createLogger, type Logger, silentLogger } from '../logger.ts';
import { enabledServices } from '../services/registry.ts';
import type { ServiceFactory } from '../services/service.ts';
import { dataDirOf, type RunningStack, startStack } from '../stack.ts';
import { makeThrowawayDir } from './temp-dirs.ts';

export interface TestStackOptions {
  /** Folder holding `supabase/`; defaults to the nearest one above the current directory. */
  workdir?: string;
  /**
   * Services to serve; default: those config.toml enables, with no Deno kept warm ahead (each
   * idle one costs CPU to start and preload; a test's first call to a function starts it).
   */
  services?: ServiceFactory[];
  /**
   * Keep the data folder after stop (e.g. to restart on it). Without one the stack makes its
   * own (in /dev/shm when it has room), stops Postgres without a shutdown checkpoint and
   * deletes the folder.
   */
  stateDir?: string;
  log?: Logger | 'stderr';
  onStep?: (step: string, elapsedMs: number) => void;
  /** Laid over the project's config.toml, e.g. `{ auth: { rate_limit: { sign_in_sign_ups: 10_000 } } }`. */
  configOverrides?: Record<string, unknown>;
  /** Hosted's gateway (default) or `supabase start`'s. */
  gateway?: GatewayMode;
  /** Reverse proxies whose X-Forwarded-For is believed, e.g. `['127.0.0.1']` for a test that plays several clients. */
  trustedProxies?: string[];
  /** How long a request body may stall before the gateway answers 408 (default 60 s). */
  bodyIdleTimeoutMs?: number;
  /**
   * Whether a cold start copies the database template for these migrations and seed (saved by
   * the first start that ran them), as `groundwork start` does; default true. False runs the
   * migrations and seed on every cold start, for a test of that path or of a project made anew
   * for each run (saving a template nobody takes again costs a stop, a copy and a start).
   */
  databaseTemplate?: boolean;
  /** Copies of the template kept ready for `resetDatabase()` and `startTestDatabase` (default 0). */
  spareDatabases?: number;
}

export interface TestStack extends RunningStack {
  apiUrl: string;
  stateDir: string;
}

/**
 * A whole stack on free ports with its own data folder, so test runs (and tests within
 * a run) can run side by side. Every port is 0 (the OS picks one as it is bound: no port
 * is chosen early and taken by another program before the stack binds it); the bound
 * ones are in `config.ports` and the status. Use with `await using`.
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const ownsStateDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? makeThrowawayDir('groundwork-test-');
  const config = loadConfig({
    ...(options.workdir ? { workdir: options.workdir } : {}),
    ports: { api: 0, db: 0, mail: 0, smtp: 0 },
    ...(options.gateway ? { gateway: options.gateway } : {}),
    ...(options.trustedProxies ? { trustedProxies: options.trustedProxies } : {}),
    stateDir,
    ...(options.configOverrides ? { overrides: options.configOverrides } : {}),
    passwordHashCost: QUICK_PASSWORD_HASH_COST,
  });
  const removeStateDir = () => {
    if (!ownsStateDir) return;
    rmSync(dataDirOf(config), { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  };
  const log = options.log === 'stderr' ? createLogger('test-stack') : (options.log ?? silentLogger);
  let stack: RunningStack;
  try {
    stack = await startStack({
      config,
      log,
      services: options.services ?? enabledServices(config, { functionSpares: false }),
      ...(options.onStep ? { onStep: options.onStep } : {}),
      ...(options.bodyIdleTimeoutMs !== undefined ? { bodyIdleTimeoutMs: options.bodyIdleTimeoutMs } : {}),
      databaseTemplate: options.databaseTemplate ?? true,
      ...(options.spareDatabases !== undefined ? { spareDatabases: options.spareDatabases } : {}),
      throwawayData: ownsStateDir,
    });
  } catch (error) {
    // A failed start stopped what it started; its folder goes too (in /dev/shm it is memory).
    removeStateDir();
    throw error;
  }
  const stopStack = stack.stop;
  const stop = async () => {
    await stopStack();
    removeStateDir();
  };
  // Assigned onto the stack (not spread into a new object): its `postgrest` is a getter,
  // since resetDatabase() replaces PostgREST.
  return Object.assign(stack, { apiUrl: stack.status.API_URL, stateDir, stop, [Symbol.asyncDispose]: stop });
}
