import type { Handler } from 'hono';
import { forwardRequest } from '../http/forward-request.ts';
import type { GatewayEnv } from './caller.ts';

/**
 * Forwards `/rest/v1/*` to PostgREST with the caller's JWT, as Kong does, streaming
 * both bodies.
 */
export function proxyToPostgrest(upstream: () => string): Handler<GatewayEnv> {
  return async function restProxy(c) {
    const url = new URL(c.req.url);
    const target = `${upstream()}${url.pathname.slice('/rest/v1'.length) || '/'}${url.search}`;
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
