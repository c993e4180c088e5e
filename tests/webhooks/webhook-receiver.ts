import http from 'node:http';

export interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer this much later (a slow receiver). */
  delayMs?: number;
}

export interface WebhookReceiver extends AsyncDisposable {
  url: string;
  received: ReceivedWebhook[];
  /** How to answer a request under `path` (the default answers 200 `ok`). */
  answer(path: string, reply: (request: ReceivedWebhook, nth: number) => Reply): void;
  /** Resolves with the first request (already received or yet to come) that matches. */
  waitFor(match: (request: ReceivedWebhook) => boolean, timeoutMs?: number): Promise<ReceivedWebhook>;
  close(): Promise<void>;
}

/** A real HTTP server on a loopback port, standing in for a webhook consumer. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const replies = new Map<string, (request: ReceivedWebhook, nth: number) => Reply>();
  const counts = new Map<string, number>();
  const waiters = new Set<{
    match: (r: ReceivedWebhook) => boolean;
    resolve: (r: ReceivedWebhook) => void;
  }>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry: ReceivedWebhook = {
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      received.push(entry);
      const nth = (counts.get(entry.path) ?? 0) + 1;
      counts.set(entry.path, nth);
      const reply = replies.get(entry.path)?.(entry, nth) ?? { status: 200, body: 'ok' };
      const send = () => response.writeHead(reply.status, reply.headers).end(reply.body ?? '');
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
      for (const waiter of waiters) {
        if (!waiter.match(entry)) continue;
        waiters.delete(waiter);
        waiter.resolve(entry);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer: (path, reply) => replies.set(path, reply),
    waitFor: (match, timeoutMs = 20_000) => {
      const already = received.find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          if (waiters.delete(waiter)) reject(new Error(`no matching webhook within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = {
          match,
          resolve: (request: ReceivedWebhook) => {
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
