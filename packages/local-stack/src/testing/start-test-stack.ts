import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayMode } from '../config/config-schema.ts';
import { loadConfig, type Ports } from '../config/load-config.ts';
import { createLogger, type Logger, silentLogger } from '../logger.ts';
import { findFreePort } from '../processes/ports.ts';
import type { ServiceFactory } from '../services/service.ts';
import { dataDirOf, type RunningStack, startStack } from '../stack.ts';

export interface TestStackOptions {
  /** Folder holding `supabase/`; defaults to the nearest one above the current directory. */
  workdir?: string;
  services?: ServiceFactory[];
  /** Keep the data folder after stop (e.g. to restart on it). */
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
}

export interface TestStack extends RunningStack {
  apiUrl: string;
  stateDir: string;
}

/**
 * Ports the OS considers free right now, for a test that must write fixed ports into a
 * config.toml (the CLI's). Another program may take one before it is bound; test stacks
 * don't use this: they bind port 0.
 */
export async function freePorts(): Promise<Ports> {
  const [api, db, mail, smtp] = await Promise.all([
    findFreePort(),
    findFreePort(),
    findFreePort(),
    findFreePort(),
  ]);
  return { api: api as number, db: db as number, mail: mail as number, smtp: smtp as number };
}

/**
 * A whole stack on free ports with its own data folder, so test runs (and tests within
 * a run) can run side by side. Every port is 0 (the OS picks one as it is bound: no port
 * is chosen early and taken by another program before the stack binds it); the bound
 * ones are in `config.ports` and the status. Use with `await using`.
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const ownsStateDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'groundwork-test-'));
  // mkdtemp makes 0700 folders; the database server (its own OS user under root) must enter it.
  if (ownsStateDir) chmodSync(stateDir, 0o755);
  const config = loadConfig({
    ...(options.workdir ? { workdir: options.workdir } : {}),
    ports: { api: 0, db: 0, mail: 0, smtp: 0 },
    ...(options.gateway ? { gateway: options.gateway } : {}),
    ...(options.trustedProxies ? { trustedProxies: options.trustedProxies } : {}),
    stateDir,
    ...(options.configOverrides ? { overrides: options.configOverrides } : {}),
  });
  const log = options.log === 'stderr' ? createLogger('test-stack') : (options.log ?? silentLogger);
  const stack = await startStack({
    config,
    log,
    ...(options.services ? { services: options.services } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
    ...(options.bodyIdleTimeoutMs !== undefined ? { bodyIdleTimeoutMs: options.bodyIdleTimeoutMs } : {}),
  });
  const stop = async () => {
    await stack.stop();
    if (ownsStateDir) {
      rmSync(dataDirOf(config), { recursive: true, force: true });
      rmSync(stateDir, { recursive: true, force: true });
    }
  };
  return { ...stack, apiUrl: stack.status.API_URL, stateDir, stop, [Symbol.asyncDispose]: stop };
}
