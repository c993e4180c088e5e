import http from 'node:http';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpReceiver extends AsyncDisposable {
  url: string;
  received: ReceivedRequest[];
  /** Requests under /hold are not answered until released (or the receiver closes). */
  readonly heldCount: number;
  releaseHeld(status?: number): void;
  /** Stop holding: requests under /hold are answered like any other from now on. */
  stopHolding(): void;
  /** Resolves with the first request (already received or yet to come) that matches. */
  waitFor(match: (request: ReceivedRequest) => boolean, timeoutMs?: number): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

/** A real HTTP server on a free loopback port standing in for a webhook's target. */
export async function startHttpReceiver(): Promise<HttpReceiver> {
  const received: ReceivedRequest[] = [];
  const held: http.ServerResponse[] = [];
  const waiters = new Set<{
    match: (request: ReceivedRequest) => boolean;
    resolve: (r: ReceivedRequest) => void;
  }>();
  let holding = true;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry: ReceivedRequest = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(entry);
      if (holding && entry.path.startsWith('/hold')) held.push(response);
      else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
      for (const waiter of waiters) {
        if (!waiter.match(entry)) continue;
        waiters.delete(waiter);
        waiter.resolve(entry);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const releaseHeld = (status = 200) => {
    for (const response of held.splice(0)) response.writeHead(status).end('released');
  };
  const close = async () => {
    releaseHeld();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get heldCount() {
      return held.length;
    },
    releaseHeld,
    stopHolding: () => {
      holding = false;
    },
    waitFor: (match, timeoutMs = 15_000) => {
      const already = received.find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          if (waiters.delete(waiter)) reject(new Error(`no matching request within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = {
          match,
          resolve: (request: ReceivedRequest) => {
            clearTimeout(timer);
            resolve(request);
          },
        };
        waiters.add(waiter);
      });
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
