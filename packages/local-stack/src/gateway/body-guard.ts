import { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { type BodyRefusal, GuardedBody, withGuardedBody } from '../http/guarded-body.ts';
import type { ServiceEnv } from '../services/caller.ts';
import { type Mount, type MountTable, mountOf } from '../services/mounts.ts';

export type BodyRefusalRenderer = (c: Context<ServiceEnv>, refusal: BodyRefusal) => Response;

export interface BodyGuardOptions {
  mounts: MountTable;
  /** How long a body read may wait for the client's next bytes (nginx's client_body_timeout: 60 s). */
  idleTimeoutMs: number;
  /** The answer in the shape of the service behind `mount`. */
  renderRefusal(mount: Mount): BodyRefusalRenderer;
}

/**
 * Reads every request body through its mount's limits (`GuardedBody`): services read as
 * before, but a body over the mount's `maxBodyBytes`, or one that stalls, fails their read,
 * and the gateway answers 413/408 in the service's shape in place of whatever the service
 * made of the failed read. Requests without a body pass untouched.
 */
export function guardRequestBodies(options: BodyGuardOptions): MiddlewareHandler<ServiceEnv> {
  return async function guardRequestBody(c, next) {
    const mount = mountOf(options.mounts, c.req.path);
    const source = mount ? bodySource(c) : undefined;
    if (!mount || !source) return next();
    const declared = c.req.header('content-length');
    const body = new GuardedBody(source, declared && /^\d+$/.test(declared) ? Number(declared) : undefined, {
      maxBytes: mount.maxBodyBytes,
      idleTimeoutMs: options.idleTimeoutMs,
    });
    c.req.raw = withGuardedBody(c.req.raw, body);
    await next();
    if (!body.refusal) return;
    const refusal = await renderOnFreshContext(c.req.raw, (fresh) =>
      options.renderRefusal(mount)(fresh, body.refusal as BodyRefusal),
    );
    // The rest of a refused body is not worth reading: the connection ends after this answer.
    refusal.headers.set('connection', 'close');
    const answered = c.res;
    // Replace, not merge: none of the failed answer's headers (its length above all) may stay.
    c.res = undefined as unknown as Response;
    await answered.body?.cancel().catch(() => {});
    c.res = refusal;
  };
}

/**
 * Runs a service's renderer on a context of its own: the request's context is finalized
 * with the failed answer, whose headers a renderer would otherwise inherit.
 */
function renderOnFreshContext(
  request: Request,
  render: (c: Context<ServiceEnv>) => Response,
): Promise<Response> {
  const app = new Hono<ServiceEnv>();
  app.all('*', (c) => render(c));
  return Promise.resolve(
    app.fetch(new Request(request.url, { method: request.method, headers: request.headers })),
  );
}

/**
 * The stream a request's body arrives on, or undefined when it has none. Under Node that
 * is the socket's request itself, read without the web-stream layer (the Request's own body
 * is never touched); in-process (`app.request()`) the Request's body.
 */
function bodySource(c: Context<ServiceEnv>): Readable | undefined {
  const method = c.req.method;
  if (method === 'GET' || method === 'HEAD') return undefined;
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  if (incoming instanceof IncomingMessage) {
    const length = incoming.headers['content-length'];
    const chunked = incoming.headers['transfer-encoding'] !== undefined;
    if (!chunked && (length === undefined || length === '0')) return undefined;
    return incoming;
  }
  const body = c.req.raw.body;
  return body ? Readable.fromWeb(body as unknown as NodeWebReadableStream<Uint8Array>) : undefined;
}
