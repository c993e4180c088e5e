import { join } from 'node:path';
import pg from 'pg';
import type { StackConfig } from './config/load-config.ts';
import { createProjectKeys, type ProjectKeys } from './config/project-keys.ts';
import { createStateDir } from './config/project-location.ts';
import { bootstrapCluster } from './database/bootstrap-cluster.ts';
import { createClusterFromTemplate } from './database/cluster-template.ts';
import { applyMigrations } from './database/migrations.ts';
import { applySeed } from './database/seed.ts';
import { ensureVaultKey } from './database/vault-key.ts';
import { StackError } from './errors.ts';
import { createGatewayApp } from './gateway/app.ts';
import { type BoundGateway, bindGateway } from './gateway/server.ts';
import { createUpgradeHandler } from './gateway/upgrade.ts';
import type { Logger } from './logger.ts';
import { clusterDirFor, socketDirFor } from './processes/data-dir.ts';
import { startOnFreePorts } from './processes/free-ports.ts';
import { assertPortFree, type PortUse } from './processes/ports.ts';
import { type RunningPostgres, SUPERUSER, startPostgres } from './processes/postgres.ts';
import { type RunningPostgrest, startPostgrest } from './processes/postgrest.ts';
import type { SupervisedProcess } from './processes/supervise.ts';
import { createMailCatcherService } from './services/mail/index.ts';
import { MOUNTS, type Mount } from './services/mounts.ts';
import { enabledServices } from './services/registry.ts';
import type { Service, ServiceFactory } from './services/service.ts';
import { type StackStatus, stackStatus } from './status.ts';

export interface StartStackOptions {
  config: StackConfig;
  log: Logger;
  /** Services to mount; defaults to every service config.toml enables. */
  services?: ServiceFactory[];
  /** Called as each step completes, for progress output and benchmarks. */
  onStep?: (step: string, elapsedMs: number) => void;
  /** How long a request body may stall before the gateway answers 408 (default 60 s, as nginx). */
  bodyIdleTimeoutMs?: number;
}

export interface RunningStack extends AsyncDisposable {
  /** The config it runs with; a port given as 0 is the one the stack bound. */
  config: StackConfig;
  keys: ProjectKeys;
  status: StackStatus;
  postgres: RunningPostgres;
  postgrest: RunningPostgrest;
  /** A pool connected as `postgres`, for tests and tools. */
  db: pg.Pool;
  /** True when this start created the database (cold start: migrations from scratch and seed). */
  createdDatabase: boolean;
  stop(): Promise<void>;
}

/** The mounts whose requests reach the database; REST also needs PostgREST. */
const DATABASE_MOUNTS: ReadonlySet<Mount> = new Set([
  MOUNTS.rest,
  MOUNTS.auth,
  MOUNTS.storage,
  MOUNTS.realtime,
]);

function processesBehind(
  mount: Mount,
  processes: { postgres: RunningPostgres; postgrest: RunningPostgrest },
): SupervisedProcess[] {
  if (!DATABASE_MOUNTS.has(mount)) return [];
  return mount === MOUNTS.rest
    ? [processes.postgres.process, processes.postgrest.process]
    : [processes.postgres.process];
}

/** The supervised processes of a running stack, for `groundwork status` and the state file. */
export function stackProcesses(stack: Pick<RunningStack, 'postgres' | 'postgrest'>): SupervisedProcess[] {
  return [stack.postgres.process, stack.postgrest.process];
}

export function dataDirOf(config: StackConfig): string {
  return clusterDirFor(config.stateDir);
}

async function step<T>(name: string, options: StartStackOptions, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await run();
    options.onStep?.(name, performance.now() - started);
    return result;
  } catch (error) {
    if (error instanceof StackError) throw error;
    throw new StackError('service_failed', `${name}: ${(error as Error).message}`, name, { cause: error });
  }
}

/**
 * Brings the whole local API up in order — Postgres, platform bootstrap, migrations by
 * the real CLI, seed, PostgREST, services, gateway — and tears down what it started if a
 * step fails, so a failed start leaves no process behind.
 */
export async function startStack(options: StartStackOptions): Promise<RunningStack> {
  const { config, log } = options;
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const close of cleanups.reverse()) await close().catch(() => {});
    cleanups.length = 0;
  };
  try {
    createStateDir(config);
    const factories = options.services ?? enabledServices(config);
    const ports = { ...config.ports };
    // Every fixed port is checked before anything starts, so a clash never leaves half a stack
    // (0 is any free port: nothing to check). The gateway's port is then bound and held, so
    // nothing can take it while the rest starts; Postgres, PostgREST and the mail catcher
    // bind theirs as they start.
    const gateway: BoundGateway = await step('ports', options, async () => {
      const uses: PortUse[] = [
        { port: config.ports.api, purpose: 'API gateway', setting: 'api.port' },
        { port: config.ports.db, purpose: 'database', setting: 'db.port' },
      ];
      if (factories.includes(createMailCatcherService)) {
        uses.push(
          { port: config.ports.mail, purpose: 'mail catcher web page', setting: 'local_smtp.port' },
          {
            port: config.ports.smtp,
            purpose: 'mail catcher SMTP (the web page port + 1)',
            setting: 'local_smtp.port',
          },
        );
      }
      for (const use of uses) if (use.port !== 0) await assertPortFree(use);
      return bindGateway(config.ports.api);
    });
    let gatewayClosed: Promise<void> | undefined;
    const closeGateway = () => {
      gatewayClosed ??= gateway.close();
      return gatewayClosed;
    };
    cleanups.push(closeGateway);
    ports.api = gateway.port;
    const keys = await step('keys', options, () => createProjectKeys(config));
    const dataDir = dataDirOf(config);
    let createdDatabase = false;
    const postgres = await step('postgres', options, async () => {
      const { existsSync } = await import('node:fs');
      createdDatabase = !existsSync(join(dataDir, 'PG_VERSION'));
      if (createdDatabase) await createClusterFromTemplate(dataDir, log.child('postgres'));
      ensureVaultKey(dataDir);
      const start = (port: number) =>
        startPostgres({ dataDir, port, log: log.child('postgres'), socketDir: socketDirFor(dataDir) });
      return config.ports.db === 0
        ? startOnFreePorts(1, ([port]) => start(port as number))
        : start(config.ports.db);
    });
    ports.db = postgres.port;
    cleanups.push(() => postgres.stop());
    const db = new pg.Pool({ connectionString: postgres.url(), max: 10 });
    db.on('error', (error) => log.warn(`database pool: ${error.message}`));
    cleanups.push(() => db.end());

    await step('bootstrap', options, () => bootstrapCluster(postgres.url(SUPERUSER), dataDir));
    if (!config.toml.realtime.enabled) {
      // A replication slot nobody reads pins WAL forever: drop Realtime's when it is switched off.
      await db.query(
        `select pg_drop_replication_slot(slot_name) from pg_replication_slots
          where slot_name = 'groundwork_realtime' and not active`,
      );
    }
    if (config.toml.db.migrations.enabled) {
      const applied = await step('migrations', options, () =>
        applyMigrations({
          db,
          workdir: config.workdir,
          supabaseDir: config.supabaseDir,
          dbUrl: postgres.url(),
        }),
      );
      if (applied.length > 0) log.info(`applied ${applied.length} migration(s)`);
    }
    if (createdDatabase) {
      const seeded = await step('seed', options, () => applySeed(db, config));
      if (seeded.length > 0) log.info(`seeded from ${seeded.join(', ')}`);
    }

    const postgrest = await step('postgrest', options, () =>
      startOnFreePorts(2, ([port, adminPort]) =>
        startPostgrest({
          dbUrl: postgres.url('authenticator'),
          port: port as number,
          adminPort: adminPort as number,
          schemas: config.toml.api.schemas,
          extraSearchPath: config.toml.api.extra_search_path,
          maxRows: config.toml.api.max_rows,
          keys,
          log: log.child('postgrest'),
        }),
      ),
    );
    cleanups.push(() => postgrest.stop());

    const apiUrl = `http://${config.host}:${ports.api}`;
    const services: Service[] = [];
    await step('services', options, async () => {
      for (const factory of factories) {
        const service = await factory({
          config: { ...config, ports: { ...ports } },
          keys,
          log: log.child('service'),
          databaseUrl: (role) => postgres.url(role),
          db,
          apiUrl,
          smtp: { host: '127.0.0.1', port: ports.smtp },
        });
        services.push(service);
        cleanups.push(() => service.close());
        Object.assign(ports, service.listensOn);
      }
    });

    await step('gateway', options, async () => {
      const gatewayLog = log.child('gateway');
      const app = createGatewayApp({
        keys,
        mounts: MOUNTS,
        mode: config.gateway,
        ...(options.bodyIdleTimeoutMs !== undefined ? { bodyIdleTimeoutMs: options.bodyIdleTimeoutMs } : {}),
        postgrestUrl: () => postgrest.url,
        processesBehind: (mount) => processesBehind(mount, { postgres, postgrest }),
        services,
        log: gatewayLog,
      });
      const onUpgrade = createUpgradeHandler({
        keys,
        mounts: MOUNTS,
        mode: config.gateway,
        services,
        log: gatewayLog,
      });
      gateway.serve(app, onUpgrade);
    });
    // On stop the gateway closes first, so no request reaches a service that is closing.
    cleanups.push(closeGateway);

    const stop = cleanup;
    const running = { ...config, ports };
    return {
      config: running,
      keys,
      status: stackStatus(running, keys),
      postgres,
      postgrest,
      db,
      createdDatabase,
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
