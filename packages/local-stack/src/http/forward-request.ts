import http from 'node:http';
import { Readable } from 'node:stream';
import { requestBodyStream } from './guarded-body.ts';

// Hop-by-hop headers belong to one connection and are never forwarded.
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection'];
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

// Connections to upstreams (PostgREST, function processes) are reused: latency depends on it.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/**
 * Sends a request to an upstream the gateway fronts and returns its answer as a streaming
 * Response. node:http rather than fetch: bodies pass through byte for byte (a compressed
 * answer stays compressed, with its length), it costs ~1 ms less per request, and no
 * client-side timeout cuts a long request; `signal` alone ends it. `overrides` replace
 * request headers (a null removes one).
 */
export function forwardRequest(
  target: string,
  request: Request,
  signal: AbortSignal,
  overrides: Record<string, string | null> = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    if (name !== 'host' && !HOP_BY_HOP.includes(name)) headers[name] = value;
  });
  for (const [name, value] of Object.entries(overrides)) {
    if (value === null) delete headers[name];
    else headers[name] = value;
  }
  const hasBody = request.body !== null && request.method !== 'GET' && request.method !== 'HEAD';
  if (hasBody && !headers['content-length']) headers['transfer-encoding'] = 'chunked';

  return new Promise<Response>((resolve, reject) => {
    const outgoing = http.request(target, { method: request.method, headers, agent, signal }, (incoming) => {
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (value === undefined || HOP_BY_HOP.includes(name)) continue;
        for (const item of Array.isArray(value) ? value : [value]) responseHeaders.append(name, item);
      }
      const status = incoming.statusCode ?? 502;
      const empty = NULL_BODY_STATUSES.has(status) || request.method === 'HEAD';
      if (empty) incoming.resume();
      resolve(
        new Response(empty ? null : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>), {
          status,
          statusText: incoming.statusMessage ?? '',
          headers: responseHeaders,
        }),
      );
    });
    outgoing.on('error', reject);
    const body = hasBody ? requestBodyStream(request) : undefined;
    if (body) {
      body.on('error', (error) => outgoing.destroy(error));
      body.pipe(outgoing);
    } else {
      outgoing.end();
    }
  });
}
