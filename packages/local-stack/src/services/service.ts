import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Hono } from 'hono';
import type pg from 'pg';
import type { StackConfig } from '../config/load-config.ts';
import type { ProjectKeys } from '../config/project-keys.ts';
import type { Logger } from '../logger.ts';
import type { Caller, ServiceEnv } from './caller.ts';
import type { Mount } from './mounts.ts';

/**
 * What every service plugged into the gateway is given. Configuration enters here
 * once; services never read process.env.
 */
export interface ServiceContext {
  config: StackConfig;
  keys: ProjectKeys;
  log: Logger;
  /** Connection string for a database role (`postgres`, `supabase_auth_admin`, …). */
  databaseUrl(role?: string): string;
  /** A shared pool connected as `postgres`; services that act for a caller `set local role` inside a transaction. */
  db: pg.Pool;
  /** Public base URL of the gateway, e.g. http://127.0.0.1:54321 */
  apiUrl: string;
  /** Where mail goes (the local mail catcher's SMTP port). */
  smtp: { host: string; port: number };
}

export interface Service {
  /** Its row of the mount table (`MOUNTS`): path and key rule. Background services (cron, net) have none. */
  readonly mount?: Mount;
  /** Routes relative to the mount path. The gateway has resolved the caller (`c.get('caller')`). */
  readonly app?: Hono<ServiceEnv>;
  /** WebSocket upgrades under the mount path (Realtime), after the gateway resolved the caller and the key rule. */
  upgrade?(request: IncomingMessage, socket: Duplex, head: Buffer, caller: Caller): void;
  close(): Promise<void>;
}

export type ServiceFactory = (context: ServiceContext) => Promise<Service>;
