import { Hono } from 'hono';
import type { ProjectKeys } from '../config/project-keys.ts';
import type { Logger } from '../logger.ts';
import type { Service } from '../services/service.ts';
import { requireApiKey } from './api-key-guard.ts';
import { type GatewayEnv, resolveCaller } from './caller.ts';
import { supabaseCors } from './cors.ts';
import { proxyToPostgrest } from './rest-proxy.ts';

/** Service mounts hosted Supabase has; until one is plugged in it answers 503 naming itself. */
const KNOWN_SERVICES: Record<string, string> = {
  '/auth/v1': 'auth',
  '/storage/v1': 'storage',
  '/realtime/v1': 'realtime',
  '/functions/v1': 'functions',
};

function isFunctionsPath(path: string): boolean {
  return path === '/functions/v1' || path.startsWith('/functions/v1/');
}

export interface GatewayOptions {
  keys: ProjectKeys;
  postgrestUrl: () => string;
  services: Service[];
  log: Logger;
}

export function createGatewayApp(options: GatewayOptions): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();
  // Hosted hands preflights and CORS headers on /functions/v1 to the function itself; a
  // function that forgets them must fail locally as it would once deployed.
  const cors = supabaseCors();
  app.use('*', (c, next) => (isFunctionsPath(c.req.path) ? next() : cors(c, next)));
  app.use('*', resolveCaller(options.keys));
  app.use('*', requireApiKey());

  app.all('/rest/v1', proxyToPostgrest(options.postgrestUrl));
  app.all('/rest/v1/*', proxyToPostgrest(options.postgrestUrl));

  const mounted = new Set<string>();
  for (const service of options.services) {
    app.route(service.basePath, service.app);
    mounted.add(service.basePath);
  }
  for (const [basePath, name] of Object.entries(KNOWN_SERVICES)) {
    if (mounted.has(basePath)) continue;
    const unavailable = () =>
      Response.json(
        { code: 'service_unavailable', message: `The ${name} service is not running in this stack` },
        { status: 503 },
      );
    app.all(basePath, unavailable);
    app.all(`${basePath}/*`, unavailable);
  }

  app.notFound((c) => c.json({ message: 'no Route matched with those values' }, 404));
  app.onError((error, c) => {
    options.log.error(`${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`);
    return c.json({ code: 'internal_error', message: 'Internal server error' }, 500);
  });
  return app;
}
