import { Hono } from 'hono';
import type { ProjectKeys } from '../config/project-keys.ts';
import type { Logger } from '../logger.ts';
import type { ServiceEnv } from '../services/caller.ts';
import { type MountTable, mountOf } from '../services/mounts.ts';
import type { Service } from '../services/service.ts';
import { requireApiKey } from './api-key-guard.ts';
import { callerMiddleware } from './caller-middleware.ts';
import { supabaseCors } from './cors.ts';
import { proxyToPostgrest } from './rest-proxy.ts';

export interface GatewayOptions {
  keys: ProjectKeys;
  /** Where everything is mounted and which paths need an API key (`MOUNTS`). */
  mounts: MountTable;
  postgrestUrl: () => string;
  services: Service[];
  log: Logger;
}

/**
 * The API gateway (Kong's role): CORS, the caller, the key rule per mount, then
 * PostgREST or the service mounted at the path. A mount whose service is not running
 * answers 503 naming it.
 */
export function createGatewayApp(options: GatewayOptions): Hono<ServiceEnv> {
  const { mounts } = options;
  const app = new Hono<ServiceEnv>();
  const cors = supabaseCors();
  app.use('*', (c, next) => (mountOf(mounts, c.req.path)?.ownCors ? next() : cors(c, next)));
  app.use('*', callerMiddleware(options.keys));
  app.use('*', requireApiKey(mounts));

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
