import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { StackError } from '../errors.ts';
import { TrustedProxies } from '../http/client-address.ts';
import {
  type ConfigToml,
  configTomlSchema,
  GATEWAY_MODE_VARIABLE,
  type GatewayMode,
  gatewayModeSchema,
  TRUSTED_PROXIES_VARIABLE,
} from './config-schema.ts';
import { locationOf, readConfigToml, resolveWorkdir } from './project-location.ts';
import { findUnsupportedSettings } from './unsupported-settings.ts';

export interface Ports {
  /** The gateway: REST, Auth, Storage, Realtime and Functions, as Supabase's Kong. */
  api: number;
  db: number;
  /** Mail catcher web page and HTTP API (Mailpit's port in `supabase start`). */
  mail: number;
  /** Mail catcher SMTP. */
  smtp: number;
}

export interface StackConfig {
  projectId: string;
  /** The folder holding `supabase/`. */
  workdir: string;
  supabaseDir: string;
  /** Git-ignored runtime state: database files, stored objects, logs, pid file. */
  stateDir: string;
  ports: Ports;
  /** Host name used in printed URLs. */
  host: string;
  /** Hosted's gateway or `supabase start`'s (`GROUNDWORK_GATEWAY`, see config-schema.ts). */
  gateway: GatewayMode;
  /** Reverse proxies whose X-Forwarded-For is believed (`GROUNDWORK_TRUSTED_PROXIES`); none by default. */
  trustedProxies: string[];
  toml: ConfigToml;
  /** Settings that are switched on in config.toml but that groundwork does not serve. */
  unsupported: string[];
  /** Environment the config was resolved with (`env(NAME)` values, function secrets). */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * bcrypt cost of the passwords Auth hashes: GoTrue's 10, unless a test stack asks for the
   * quickest (see `QUICK_PASSWORD_HASH_COST`).
   */
  passwordHashCost: number;
}

export interface LoadConfigOptions {
  /** As the Supabase CLI's `--workdir`: used as given; otherwise searched upward from cwd. */
  workdir?: string;
  cwd?: string;
  env?: Record<string, string | undefined>;
  ports?: Partial<Ports>;
  stateDir?: string;
  /** Values laid over config.toml before validation (test stacks raise rate limits this way). */
  overrides?: Record<string, unknown>;
  /** The gateway mode; defaults to `GROUNDWORK_GATEWAY` in `env`, else `hosted`. */
  gateway?: GatewayMode;
  /** Trusted reverse proxies; defaults to `GROUNDWORK_TRUSTED_PROXIES` in `env`, else none. */
  trustedProxies?: string[];
  /** bcrypt cost for new password hashes; defaults to GoTrue's (`DEFAULT_PASSWORD_HASH_COST`). */
  passwordHashCost?: number;
}

/** GoTrue's bcrypt cost (Go's bcrypt.DefaultCost), what hosted hashes passwords with. */
export const DEFAULT_PASSWORD_HASH_COST = 10;

/**
 * bcrypt's minimum cost, for disposable test stacks: a hash costs ~2 ms instead of ~90 ms of
 * CPU. Supabase Auth's own test suite does the same (`crypto.QuickHashCost`). The hashes are
 * real bcrypt and checked the same way; only the work factor in them differs.
 */
export const QUICK_PASSWORD_HASH_COST = 4;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = deepMerge(base[key], value);
  return merged;
}

export function loadConfig(options: LoadConfigOptions = {}): StackConfig {
  const env = options.env ?? process.env;
  const workdir = resolveWorkdir(options);
  const path = join(workdir, 'supabase', 'config.toml');
  const raw = deepMerge(readConfigToml(path, env), options.overrides ?? {});
  // Every value services read is checked here, before anything starts.
  const parsed = configTomlSchema.safeParse(raw);
  if (!parsed.success) {
    throw new StackError('config_invalid', `${path}: ${describeIssues(parsed.error.issues)}`, 'config');
  }
  const toml = parsed.data;
  const mailPort = toml.local_smtp?.port ?? toml.inbucket?.port ?? 54324;
  const ports: Ports = {
    api: toml.api.port,
    db: toml.db.port,
    mail: mailPort,
    // The CLI's SMTP port is the web page's + 1; 0 (any free port) stays 0.
    smtp: mailPort === 0 ? 0 : mailPort + 1,
    ...options.ports,
  };
  const gateway = gatewayModeSchema.safeParse(options.gateway ?? (env[GATEWAY_MODE_VARIABLE] || undefined));
  if (!gateway.success) {
    throw new StackError(
      'config_invalid',
      `${GATEWAY_MODE_VARIABLE}: ${gateway.error.issues[0]?.message ?? 'invalid'}`,
      'config',
    );
  }
  const trustedProxies = options.trustedProxies ?? TrustedProxies.parse(env[TRUSTED_PROXIES_VARIABLE]);
  try {
    new TrustedProxies(trustedProxies);
  } catch (error) {
    throw new StackError(
      'config_invalid',
      `${TRUSTED_PROXIES_VARIABLE}: ${(error as Error).message}`,
      'config',
    );
  }
  const location = locationOf(workdir, toml.project_id);
  return {
    projectId: toml.project_id,
    workdir,
    supabaseDir: location.supabaseDir,
    stateDir: options.stateDir ? resolve(options.stateDir) : location.stateDir,
    ports,
    host: '127.0.0.1',
    gateway: gateway.data,
    trustedProxies,
    toml,
    unsupported: findUnsupportedSettings(raw as Record<string, unknown>),
    env,
    passwordHashCost: options.passwordHashCost ?? DEFAULT_PASSWORD_HASH_COST,
  };
}

/** One line naming the first bad key and what is wrong with it. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const [first] = issues;
  if (!first) return 'invalid';
  const key = first.path.map(String).join('.') || '(top level)';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `${key}: ${first.message}${more}`;
}

// Defined beside the project's location so the stack process can use it without the schema.
export { resolveProjectPath } from './project-location.ts';
