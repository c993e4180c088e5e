import { Hono } from 'hono';
import type { ProjectKeys } from '../config/project-keys.ts';
import type { Logger } from '../logger.ts';
import type { SupervisedProcess } from '../processes/supervise.ts';
import type { ServiceEnv } from '../services/caller.ts';
import {
  type GatewayMode,
  gatewayAnswersCors,
  type Mount,
  type MountTable,
  mountOf,
} from '../services/mounts.ts';
import type { Service } from '../services/service.ts';
import { requireApiKey } from './api-key-guard.ts';
import { type BodyRefusalRenderer, guardRequestBodies } from './body-guard.ts';
import { kongBodyRefusal, postgrestBodyRefusal } from './body-refusals.ts';
import { callerMiddleware } from './caller-middleware.ts';
import { supabaseCors } from './cors.ts';
import { proxyToPostgrest } from './rest-proxy.ts';

/** nginx's (and so Kong's) client_body_timeout: the longest pause between two reads of a body. */
export const DEFAULT_BODY_IDLE_TIMEOUT_MS = 60_000;

export interface GatewayOptions {
  keys: ProjectKeys;
  /** Where everything is mounted, which paths need an API key, how large a body each takes (`MOUNTS`). */
  mounts: MountTable;
  /** Hosted's gateway (default) or the one `supabase start` runs. */
  mode?: GatewayMode;
  /** How long a request body may stall before it is answered 408 (default 60 s). */
  bodyIdleTimeoutMs?: number;
  postgrestUrl: () => string;
  /**
   * The supervised processes a mount needs (Postgres, PostgREST). Once supervision gives up on
   * one, requests to the mount answer 503 naming it instead of failing some other way.
   */
  processesBehind?: (mount: Mount) => readonly SupervisedProcess[];
  services: Service[];
  log: Logger;
}

/**
 * The API gateway (Kong's role): CORS, the caller, the key rule per mount, the body limits
 * per mount, then PostgREST or the service mounted at the path. A mount whose service is
 * not running answers 503 naming it.
 */
export function createGatewayApp(options: GatewayOptions): Hono<ServiceEnv> {
  const { mounts } = options;
  const mode = options.mode ?? 'hosted';
  const app = new Hono<ServiceEnv>();
  const cors = supabaseCors();
  app.use('*', (c, next) => (gatewayAnswersCors(mountOf(mounts, c.req.path), mode) ? cors(c, next) : next()));
  app.use('*', callerMiddleware(options.keys));
  app.use('*', requireApiKey(mounts, mode));
  const { processesBehind } = options;
  if (processesBehind) {
    app.use('*', async (c, next) => {
      const mount = mountOf(mounts, c.req.path);
      const stopped = mount && processesBehind(mount).find((process) => process.state === 'given-up');
      if (!stopped) return next();
      return c.json(
        {
          code: 'service_unavailable',
          message: `The ${mount.service} service is unavailable: ${stopped.failure ?? `${stopped.name} stopped`}; restart groundwork`,
        },
        503,
      );
    });
  }
  const renderers = new Map<Mount, BodyRefusalRenderer>([
    [mounts.rest, (_c, refusal) => postgrestBodyRefusal(refusal)],
  ]);
  for (const service of options.services) {
    const { mount, refuseBody } = service;
    if (mount && refuseBody) renderers.set(mount, (c, refusal) => refuseBody.call(service, c, refusal));
  }
  app.use(
    '*',
    guardRequestBodies({
      mounts,
      idleTimeoutMs: options.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS,
      renderRefusal: (mount) => renderers.get(mount) ?? ((_c, refusal) => kongBodyRefusal(refusal)),
    }),
  );

  const rest = proxyToPostgrest(mounts.rest.path, options.postgrestUrl);
  app.all(mounts.rest.path, rest);
  app.all(`${mounts.rest.path}/*`, rest);

  const served = new Set([mounts.rest]);
  for (const service of options.services) {
    if (!service.mount || !service.app) continue;
    app.route(service.mount.path, service.app);
    served.add(service.mount);
  }
  for (const mount of Object.values(mounts)) {
    if (served.has(mount)) continue;
    const unavailable = () =>
      Response.json(
        { code: 'service_unavailable', message: `The ${mount.service} service is not running in this stack` },
        { status: 503 },
      );
    app.all(mount.path, unavailable);
    app.all(`${mount.path}/*`, unavailable);
  }

  app.notFound((c) => c.json({ message: 'no Route matched with those values' }, 404));
  app.onError((error, c) => {
    options.log.error(`${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`);
    return c.json({ code: 'internal_error', message: 'Internal server error' }, 500);
  });
  return app;
}
