import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Context, Hono } from 'hono';
import type pg from 'pg';
import type { Ports, StackConfig } from '../config/load-config.ts';
import type { ProjectKeys } from '../config/project-keys.ts';
import type { BodyRefusal } from '../http/guarded-body.ts';
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
  /**
   * Words the gateway's refusal of a request body (larger than the mount's `maxBodyBytes`,
   * or stalled) in this service's error shape: 413 or 408. Without it the gateway answers
   * as Kong does.
   */
  refuseBody?(c: Context<ServiceEnv>, refusal: BodyRefusal): Response;
  /**
   * Ports the service bound itself (the mail catcher's): what `[…] port = 0` became, for
   * the services started after it and for the status.
   */
  readonly listensOn?: Partial<Ports>;
  /**
   * The database was just recreated from its template (`groundwork reset` while running): lay
   * anew what the service keeps outside it (Storage: the files, config.toml's buckets).
   * Connections need nothing: pools drop the ended sessions and reconnect.
   */
  afterDatabaseReset?(): Promise<void>;
  close(): Promise<void>;
}

export type ServiceFactory = (context: ServiceContext) => Promise<Service>;
