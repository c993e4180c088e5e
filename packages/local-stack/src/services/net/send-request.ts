import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { type LocalApi, localApiTarget } from './local-api-hosts.ts';

/** A row of net.http_request_queue. */
export interface QueuedRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string> | null;
  body: Buffer | null;
  timeout_milliseconds: number;
}

/** A row for net._http_response, as pg_net writes it. */
export interface ResponseRow {
  id: string;
  status_code: number | null;
  content_type: string | null;
  headers: Record<string, string> | null;
  content: string | null;
  timed_out: boolean;
  error_msg: string | null;
}

const USER_AGENT = 'pg_net/0.19.5';
// libcurl's default CURLOPT_MAXREDIRS.
const MAX_REDIRECTS = 30;

interface Timings {
  started: number;
  dns: number;
  connect: number;
}

class RequestFailure extends Error {
  constructor(
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

/** libcurl's words for what went wrong (curl_easy_strerror), which pg_net stores in error_msg. */
function curlMessage(error: NodeJS.ErrnoException, gotResponse: boolean): string {
  switch (error.code) {
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return "Couldn't connect to server";
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return "Couldn't resolve host name";
    case 'ECONNRESET':
    case 'EPIPE':
      return gotResponse
        ? 'Failure when receiving data from the peer'
        : 'Server returned nothing (no headers, no data)';
    case 'ERR_INVALID_CHAR':
    case 'ERR_INVALID_HTTP_TOKEN':
      return 'A header contains characters that HTTP does not allow';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'SSL peer certificate or SSH remote key was not OK';
    default:
      if (error.message === 'socket hang up') {
        return gotResponse
          ? 'Failure when receiving data from the peer'
          : 'Server returned nothing (no headers, no data)';
      }
      return error.code?.startsWith('ERR_SSL') ? 'SSL connect error' : error.message;
  }
}

function timeoutMessage(timeoutMs: number, timings: Timings): string {
  const total = performance.now() - timings.started;
  const ms = (value: number) => value.toFixed(3);
  return (
    `Timeout of ${timeoutMs} ms reached. Total time: ${ms(total)} ms ` +
    `(DNS time: ${ms(timings.dns)} ms, TCP/SSL handshake time: ${ms(timings.connect)} ms, ` +
    `HTTP Request/Response time: ${ms(Math.max(0, total - timings.dns - timings.connect))} ms)`
  );
}

/** Response headers as one JSON object; a repeated header keeps its last value, as pg_net's jsonb does. */
function headerObject(rawHeaders: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    headers[rawHeaders[index] as string] = rawHeaders[index + 1] as string;
  }
  return headers;
}

interface Exchange {
  status: number;
  rawHeaders: string[];
  body: Buffer;
  location: string | undefined;
}

export interface HttpSender {
  send(request: QueuedRequest): Promise<ResponseRow>;
  close(): void;
}

/**
 * Sends queued requests as pg_net does with libcurl: follows redirects, honours the
 * request's timeout over the whole exchange, and reports a failure with curl's message.
 * Connections are kept alive and shared. Hosts that name the local API in Docker terms
 * are sent to the stack's gateway (see local-api-hosts.ts).
 */
export function createHttpSender(api: LocalApi): HttpSender {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
  };

  const exchange = (
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: Buffer | null,
    deadline: number,
    timings: Timings,
  ): Promise<Exchange> =>
    new Promise((resolve, reject) => {
      const protocol = url.protocol as 'http:' | 'https:';
      const target = localApiTarget(url, api);
      const transport = protocol === 'https:' ? https : http;
      let gotResponse = false;
      let settled = false;
      const request = transport.request({
        protocol,
        host: target?.host ?? url.hostname.replace(/^\[|\]$/g, ''),
        port: target?.port ?? (url.port || undefined),
        servername: url.hostname,
        path: `${url.pathname}${url.search}`,
        method,
        headers: { host: url.host, ...headers },
        agent: agents[protocol],
      });
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      };
      const timer = setTimeout(
        () => {
          const failure = new RequestFailure('timeout', true);
          fail(failure);
          request.destroy(failure);
        },
        Math.max(0, deadline - performance.now()),
      );
      request.on('socket', (socket: Socket) => {
        // A kept-alive socket is already connected: no DNS or handshake time to add.
        if (!socket.connecting) return;
        const opened = performance.now();
        socket.once('lookup', () => {
          timings.dns += performance.now() - opened;
        });
        socket.once(protocol === 'https:' ? 'secureConnect' : 'connect', () => {
          timings.connect += performance.now() - opened - timings.dns;
        });
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (error instanceof RequestFailure) return fail(error);
        fail(new RequestFailure(curlMessage(error, gotResponse)));
      });
      request.on('response', (response) => {
        gotResponse = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error: NodeJS.ErrnoException) =>
          fail(new RequestFailure(curlMessage(error, true))),
        );
        response.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({
            status: response.statusCode ?? 0,
            rawHeaders: response.rawHeaders,
            body: Buffer.concat(chunks),
            location: response.headers.location,
          });
        });
      });
      request.end(body ?? undefined);
    });

  const send = async (queued: QueuedRequest): Promise<ResponseRow> => {
    const failed = (message: string, timedOut = false): ResponseRow => ({
      id: queued.id,
      status_code: null,
      content_type: null,
      headers: null,
      content: null,
      timed_out: timedOut,
      error_msg: message,
    });
    const timings: Timings = { started: performance.now(), dns: 0, connect: 0 };
    if (!(queued.timeout_milliseconds > 0)) {
      return failed(`timeout_milliseconds must be a positive number, got ${queued.timeout_milliseconds}`);
    }
    const deadline = timings.started + queued.timeout_milliseconds;
    let url: URL;
    try {
      url = new URL(queued.url);
    } catch {
      return failed('URL using bad/illegal format or missing URL');
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(queued.headers ?? {})) {
      // A CR or LF would let a header smuggle in more headers or a body.
      if (/[\r\n]/.test(`${name}${value}`))
        return failed(`header "${name}" contains a carriage return or line feed`);
      headers[name] = String(value);
    }
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'user-agent'))
      headers['User-Agent'] = USER_AGENT;
    let method = queued.method.toUpperCase();
    let body = queued.body;
    // As libcurl: the body's length is always sent (Node would send a DELETE's body unframed).
    const setLength = () => {
      for (const name of Object.keys(headers))
        if (name.toLowerCase() === 'content-length') delete headers[name];
      if (body || method === 'POST') headers['Content-Length'] = String(body?.length ?? 0);
    };
    setLength();
    try {
      for (let redirects = 0; ; redirects += 1) {
        if (url.protocol !== 'http:' && url.protocol !== 'https:') return failed('Unsupported protocol');
        const result = await exchange(url, method, headers, body, deadline, timings);
        if (result.location && [301, 302, 303, 307, 308].includes(result.status)) {
          if (redirects >= MAX_REDIRECTS) return failed('Number of redirects hit maximum amount');
          url = new URL(result.location, url);
          // As libcurl: 303 turns any method into GET, 301/302 turn POST into GET.
          if (result.status === 303 || (method === 'POST' && result.status <= 302)) {
            method = 'GET';
            body = null;
            setLength();
          }
          continue;
        }
        const responseHeaders = headerObject(result.rawHeaders);
        const contentType = Object.entries(responseHeaders).find(
          ([name]) => name.toLowerCase() === 'content-type',
        );
        // Text can't hold NUL; libcurl's C string ends there too.
        const text = result.body.toString('utf8').split('\0')[0] ?? '';
        return {
          id: queued.id,
          status_code: result.status,
          content_type: contentType?.[1] ?? null,
          headers: responseHeaders,
          content: text === '' ? null : text,
          timed_out: false,
          error_msg: null,
        };
      }
    } catch (error) {
      if (error instanceof RequestFailure) {
        return error.timedOut
          ? failed(timeoutMessage(queued.timeout_milliseconds, timings), true)
          : failed(error.message);
      }
      return failed((error as Error).message);
    }
  };

  return {
    send,
    close: () => {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
