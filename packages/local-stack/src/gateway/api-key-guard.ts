import type { MiddlewareHandler } from 'hono';
import type { GatewayEnv } from './caller.ts';

/**
 * Kong's key-auth on hosted Supabase: REST, Auth and Realtime need a project API key;
 * a few Auth routes are reached from e-mail links and browsers and stay open.
 * Storage and Functions check JWTs themselves.
 */
const OPEN_AUTH_ROUTES = [
  '/auth/v1/verify',
  '/auth/v1/callback',
  '/auth/v1/authorize',
  '/auth/v1/.well-known/jwks.json',
];

export function requiresApiKey(path: string): boolean {
  if (OPEN_AUTH_ROUTES.some((route) => path === route || path.startsWith(`${route}/`))) return false;
  return ['/rest/v1', '/auth/v1', '/realtime/v1', '/graphql/v1'].some(
    (prefix) => path === prefix || path.startsWith(`${prefix}/`),
  );
}

export function requireApiKey(): MiddlewareHandler<GatewayEnv> {
  return async function requireApiKeyMiddleware(c, next) {
    if (c.req.method === 'OPTIONS' || !requiresApiKey(c.req.path)) return next();
    const caller = c.get('caller');
    if (caller.apiKeyInvalid) {
      return c.json(
        { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' },
        401,
      );
    }
    if (!caller.apiKeyRole) {
      return c.json(
        {
          message: 'No API key found in request',
          hint: 'No `apikey` request header or url param was found.',
        },
        401,
      );
    }
    return next();
  };
}
