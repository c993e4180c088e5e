import type { Handler } from 'hono';
import { forwardRequest } from '../http/forward-request.ts';
import type { ServiceEnv } from '../services/caller.ts';

/**
 * Forwards `<mountPath>/*` to PostgREST with the caller's JWT, as Kong does, streaming
 * both bodies.
 */
export function proxyToPostgrest(mountPath: string, upstream: () => string): Handler<ServiceEnv> {
  return async function restProxy(c) {
    const url = new URL(c.req.url);
    const target = `${upstream()}${url.pathname.slice(mountPath.length) || '/'}${url.search}`;
    const token = c.get('caller').token;
    try {
      return await forwardRequest(target, c.req.raw, c.req.raw.signal, {
        authorization: token ? `Bearer ${token}` : null,
      });
    } catch {
      return c.json({ message: 'An invalid response was received from the upstream server' }, 502);
    }
  };
}
