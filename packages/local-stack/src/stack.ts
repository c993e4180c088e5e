import { join } from 'node:path';
import pg from 'pg';
import type { StackConfig } from './config/load-config.ts';
import { createProjectKeys, type ProjectKeys } from './config/project-keys.ts';
import { createStateDir } from './config/project-location.ts';
import { bootstrapCluster } from './database/bootstrap-cluster.ts';
import { createClusterFromTemplate } from './database/cluster-template.ts';
import {
  createTemplateDatabase,
  prepareSpareDatabases,
  recreateDatabaseFromTemplate,
} from './database/database-copies.ts';
import { applyMigrations } from './database/migrations.ts';
import {
  hasProjectTemplate,
  projectTemplateKey,
  replenishSpareClusters,
  restoreProjectTemplate,
  saveProjectTemplate,
} from './database/project-template.ts';
import { applySeed } from './database/seed.ts';
import { ensureVaultKey } from './database/vault-key.ts';
import { StackError } from './errors.ts';
import { createGatewayApp } from './gateway/app.ts';
import { type BoundGateway, bindGateway } from './gateway/server.ts';
import { createUpgradeHandler } from './gateway/upgrade.ts';
import type { Logger } from './logger.ts';
import { clusterDirFor, socketDirFor } from './processes/data-dir.ts';
import { databaseUrl } from './processes/database-url.ts';
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
  /**
   * Serve this database of an already running server (a copy made from its template, for one
   * test file) instead of starting Postgres: no bootstrap, migrations or seed run.
   */
  attach?: { port: number; database: string };
  /**
   * Whether a cold start may copy (and the first one save) the database template; default
   * true. False runs migrations and seed on every cold start, as before there was one.
   */
  databaseTemplate?: boolean;
  /**
   * Copies of the template to keep ready in the background (default 0), so a reset or a test
   * copy (`startTestDatabase`) is a rename instead of a copy. Each is ~12 MB.
   */
  spareDatabases?: number;
  /**
   * The caller deletes the data folder once the stack has stopped (a test stack's own): Postgres
   * then stops with an immediate shutdown, skipping the shutdown checkpoint's writes and syncs
   * of a cluster nobody starts again. Stops mid-start (saving the template) stay clean.
   */
  throwawayData?: boolean;
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
  /** True when this start created the database (a cold start: a fresh data folder). */
  createdDatabase: boolean;
  /**
   * How the database came to be: `existing` (a warm start on the data folder), `template` (a
   * cold start copying the template for these migrations and seed), `first` (a cold start
   * that ran migrations and seed and saved the template for the next ones), `untemplated` (a
   * cold start with `databaseTemplate: false`), `copy` (`attach`: a test copy).
   */
  databaseStart: DatabaseStart;
  /**
   * Recreates the database from the template while everything keeps running (the services
   * reconnect; Storage's files and config.toml buckets are laid anew). Fails with
   * `template_outdated` when migrations or seed changed since the template was made.
   */
  resetDatabase(): Promise<void>;
  stop(): Promise<void>;
}

export type DatabaseStart = 'existing' | 'template' | 'first' | 'untemplated' | 'copy';

/** A database of a server someone else runs: nothing to start, stop or supervise. */
function attachedPostgres(port: number, database: string): RunningPostgres {
  const process: SupervisedProcess = {
    name: 'postgres',
    pid: undefined,
    restarts: 0,
    state: 'running',
    failure: undefined,
    onChange: () => {},
    stop: async () => {},
  };
  return {
    port,
    url: (role, name = database) => databaseUrl(port, role, name),
    process,
    stop: async () => {},
  };
}

/** The line the CLI prints about the kind of start. */
export function describeDatabaseStart(start: DatabaseStart): string {
  switch (start) {
    case 'existing':
      return 'database: the existing one (warm start)';
    case 'template':
      return 'database: copied from the template for these migrations and seed (cold start)';
    case 'first':
      return 'database: migrations and seed run, template saved (first start for these migrations; the next cold start copies it)';
    case 'untemplated':
      return 'database: migrations and seed run (cold start without the template)';
    case 'copy':
      return "database: a copy of a running server's template";
  }
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
      const uses: PortUse[] = [{ port: config.ports.api, purpose: 'API gateway', setting: 'api.port' }];
      // An attached database's server is running on its port already.
      if (!options.attach) uses.push({ port: config.ports.db, purpose: 'database', setting: 'db.port' });
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
    const templateKey = projectTemplateKey(config);
    let createdDatabase = false;
    let databaseStart: DatabaseStart = 'existing';
    const runPostgres = () => {
      const start = (port: number) =>
        startPostgres({ dataDir, port, log: log.child('postgres'), socketDir: socketDirFor(dataDir) });
      return config.ports.db === 0
        ? startOnFreePorts(1, ([port]) => start(port as number))
        : start(config.ports.db);
    };
    let postgres = await step('postgres', options, async () => {
      if (options.attach) {
        databaseStart = 'copy';
        return attachedPostgres(options.attach.port, options.attach.database);
      }
      const { existsSync } = await import('node:fs');
      createdDatabase = !existsSync(join(dataDir, 'PG_VERSION'));
      const useTemplate = options.databaseTemplate ?? true;
      if (createdDatabase && useTemplate && hasProjectTemplate(templateKey)) {
        await restoreProjectTemplate(templateKey, dataDir);
        databaseStart = 'template';
      } else if (createdDatabase) {
        await createClusterFromTemplate(dataDir, log.child('postgres'));
        databaseStart = useTemplate ? 'first' : 'untemplated';
      }
      ensureVaultKey(dataDir);
      return runPostgres();
    });
    cleanups.push(() => postgres.stop(options.throwawayData ? 'immediate' : 'fast'));
    const openPool = () => {
      const pool = new pg.Pool({ connectionString: postgres.url(), max: 10 });
      pool.on('error', (error) => log.warn(`database pool: ${error.message}`));
      return pool;
    };
    let db = openPool();
    cleanups.push(() => db.end());

    if (!options.attach)
      await step('bootstrap', options, () => bootstrapCluster(postgres.url(SUPERUSER), dataDir));
    if (!config.toml.realtime.enabled && !options.attach) {
      // A replication slot nobody reads pins WAL forever: drop Realtime's when it is switched off.
      await db.query(
        `select pg_drop_replication_slot(slot_name) from pg_replication_slots
          where slot_name = 'groundwork_realtime' and not active`,
      );
    }
    if (config.toml.db.migrations.enabled && !options.attach) {
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
    // (`as`: assigned inside the step above, which TypeScript's narrowing does not follow.)
    const kind = databaseStart as DatabaseStart;
    if (kind === 'first' || kind === 'untemplated') {
      const seeded = await step('seed', options, () => applySeed(db, config));
      if (seeded.length > 0) log.info(`seeded from ${seeded.join(', ')}`);
    }
    if (kind === 'first') {
      // The database as migrations and seed leave it, before any service touches it: kept in
      // the cluster for resets and test copies, and the stopped cluster for the next cold start.
      await step('template', options, async () => {
        await db.end();
        await createTemplateDatabase((database) => postgres.url(SUPERUSER, database), templateKey);
        await postgres.stop();
        await saveProjectTemplate(templateKey, dataDir);
        postgres = await runPostgres();
        db = openPool();
      });
    }
    log.info(describeDatabaseStart(databaseStart));
    ports.db = postgres.port;

    const runPostgrest = () =>
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
      );
    // PostgREST and the services need only the database, not each other (the gateway asks for
    // PostgREST's URL per request): they start side by side, ~0.2–0.3 s off every start.
    // Assigned once started; a reset replaces it, so the cleanup stops whichever runs then.
    let postgrest!: RunningPostgrest;
    const postgrestStarted = step('postgrest', options, runPostgrest).then((started) => {
      postgrest = started;
      cleanups.push(() => postgrest.stop());
    });

    const apiUrl = `http://${config.host}:${ports.api}`;
    const services: Service[] = [];
    const servicesStarting = step('services', options, async () => {
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
    // Both settle before a failure is thrown, so the cleanup finds everything either started.
    const [startedPostgrest, startedServices] = await Promise.allSettled([
      postgrestStarted,
      servicesStarting,
    ]);
    if (startedPostgrest.status === 'rejected') throw startedPostgrest.reason;
    if (startedServices.status === 'rejected') throw startedServices.reason;

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

    // Spares are made after the start, in the background, after the databases a reset retired
    // are dropped (a drop forces a checkpoint: seconds under load); a stop waits for that work.
    let sparing: Promise<void> = Promise.resolve();
    const keepSpares = () => {
      const count = options.spareDatabases ?? 0;
      sparing = sparing
        .then(() => prepareSpareDatabases((database) => postgres.url(SUPERUSER, database), count))
        .catch((error: Error) => log.warn(`spare databases: ${error.message}`));
    };
    cleanups.push(() => sparing);
    // A test copy's stack (attach) leaves the shared server's spares to startTestDatabase.
    if (!options.attach) keepSpares();
    // This start took a copy of the template's cluster: the next cold start's is made now.
    if (kind === 'template') replenishSpareClusters(templateKey, dataDir);
    const stop = cleanup;
    const running = { ...config, ports };
    const resetDatabase = async () => {
      await recreateDatabaseFromTemplate(
        (database) => postgres.url(SUPERUSER, database),
        projectTemplateKey(config),
      );
      // PostgREST would notice its pooled sessions ended only when a request fails on one (a
      // 503), so it is replaced: the new one connects to the new database before it serves.
      // The services follow meanwhile (Realtime's stream and Storage's files), not after it.
      const replacePostgrest = async () => {
        const previous = postgrest;
        postgrest = await runPostgrest();
        await previous.stop();
      };
      await Promise.all([replacePostgrest(), ...services.map((service) => service.afterDatabaseReset?.())]);
      keepSpares();
    };
    return {
      config: running,
      keys,
      status: stackStatus(running, keys),
      postgres,
      // A getter: a reset replaces PostgREST.
      get postgrest() {
        return postgrest;
      },
      db,
      createdDatabase,
      databaseStart,
      resetDatabase,
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
