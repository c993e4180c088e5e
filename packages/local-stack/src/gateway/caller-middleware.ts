import type { MiddlewareHandler } from 'hono';
import type { ProjectKeys } from '../config/project-keys.ts';
import type { ServiceEnv } from '../services/caller.ts';
import { credentialsOf, resolveCaller } from '../services/resolve-caller.ts';

/** Resolves the caller of every HTTP request once and hands it on as `c.get('caller')`. */
export function callerMiddleware(keys: ProjectKeys): MiddlewareHandler<ServiceEnv> {
  return async function resolveCallerMiddleware(c, next) {
    const credentials = credentialsOf(new URL(c.req.url), (name) => c.req.header(name));
    c.set('caller', await resolveCaller(keys, credentials));
    await next();
  };
}
