import type { Handler } from 'hono';
import type { GatewayEnv } from './caller.ts';

// Hop-by-hop headers and the ones the gateway rewrites are never forwarded.
const DROPPED_REQUEST_HEADERS = [
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'authorization',
  'content-length',
];
const DROPPED_RESPONSE_HEADERS = [
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-encoding',
  'content-length',
];

/**
 * Forwards `/rest/v1/*` to PostgREST with the caller's JWT, as Kong does, streaming
 * both bodies.
 */
export function proxyToPostgrest(upstream: () => string): Handler<GatewayEnv> {
  return async function restProxy(c) {
    const url = new URL(c.req.url);
    const target = `${upstream()}${url.pathname.slice('/rest/v1'.length) || '/'}${url.search}`;
    const headers = new Headers(c.req.raw.headers);
    for (const name of DROPPED_REQUEST_HEADERS) headers.delete(name);
    const token = c.get('caller').token;
    if (token) headers.set('authorization', `Bearer ${token}`);
    const hasBody = c.req.method !== 'GET' && c.req.method !== 'HEAD';
    let response: Response;
    try {
      response = await fetch(target, {
        method: c.req.method,
        headers,
        body: hasBody ? c.req.raw.body : undefined,
        redirect: 'manual',
        ...(hasBody ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch {
      return c.json({ message: 'An invalid response was received from the upstream server' }, 502);
    }
    const responseHeaders = new Headers(response.headers);
    for (const name of DROPPED_RESPONSE_HEADERS) responseHeaders.delete(name);
    return new Response(response.body, { status: response.status, headers: responseHeaders });
  };
}
