import type { MiddlewareHandler } from 'hono';
import type { Caller, ServiceEnv } from '../services/caller.ts';
import { type GatewayMode, type MountTable, mountOf, requiresApiKey } from '../services/mounts.ts';

/** Kong's key-auth answers, which supabase-js shows as they are. */
export type ApiKeyRejection = { message: string; hint: string };

/** Why a path that needs an API key refuses this caller (HTTP and WebSocket upgrades alike). */
export function apiKeyRejection(caller: Caller): ApiKeyRejection | undefined {
  if (caller.apiKey.kind === 'invalid') {
    return {
      message: 'Invalid API key',
      hint: 'Double check your Supabase `anon` or `service_role` API key.',
    };
  }
  if (caller.apiKey.kind === 'none') {
    return {
      message: 'No API key found in request',
      hint: 'No `apikey` request header or url param was found.',
    };
  }
  return undefined;
}

/** Answers 401 where the mount table says a key is needed and the caller has none (or a wrong one). */
export function requireApiKey(mounts: MountTable, mode: GatewayMode): MiddlewareHandler<ServiceEnv> {
  return async function requireApiKeyMiddleware(c, next) {
    const path = c.req.path;
    if (c.req.method === 'OPTIONS' || !requiresApiKey(mountOf(mounts, path), path, mode)) return next();
    const rejection = apiKeyRejection(c.get('caller'));
    return rejection ? c.json(rejection, 401) : next();
  };
}
