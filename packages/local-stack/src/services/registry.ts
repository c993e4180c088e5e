import type { StackConfig } from '../config/load-config.ts';
import { createAuthService } from './auth/index.ts';
import { cronService } from './cron/index.ts';
import { functionsService } from './functions/functions-service.ts';
import { createMailCatcherService } from './mail/index.ts';
import { netService } from './net/index.ts';
import { realtimeService } from './realtime/index.ts';
import type { ServiceFactory } from './service.ts';
import { createSmsCatcherService } from './sms/index.ts';
import { createStorageService } from './storage/index.ts';

/**
 * The services the gateway mounts, each switched by its config.toml section. Where each
 * is mounted, and the key rule there, is the mount table (`MOUNTS` in mounts.ts; each
 * service's `mount` is its row); a row whose service is not started answers 503.
 */
export function enabledServices(
  config: StackConfig,
  /** Test stacks leave out warm Deno spares, and test copies of the database (`startTestDatabase`) cron too. */
  options: { cron?: boolean; functionSpares?: boolean } = {},
): ServiceFactory[] {
  const factories: ServiceFactory[] = [];
  // The mail catcher (Mailpit's role) listens on its own ports; it starts before Auth, which mails through it.
  if (config.toml.local_smtp?.enabled ?? config.toml.inbucket?.enabled ?? true)
    factories.push(createMailCatcherService);
  // The SMS catcher stands in locally for every SMS provider Auth could be configured with.
  if (config.toml.auth.enabled) factories.push(createSmsCatcherService, createAuthService);
  if (config.toml.storage.enabled) factories.push(createStorageService);
  if (config.toml.realtime.enabled) factories.push(realtimeService);
  if (config.toml.edge_runtime.enabled) {
    factories.push(functionsService(options.functionSpares === false ? { keepSpares: false } : {}));
  }
  // Supabase Cron and pg_net's worker: idle until a migration creates pg_cron / pg_net.
  if (options.cron !== false) factories.push(cronService);
  factories.push(netService);
  return factories;
}
