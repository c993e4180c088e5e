import http from 'node:http';

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One request over node:http, with the body written by `send` as the test decides: in
 * chunks of unknown length, slowly, or shorter than the `content-length` it declares (what
 * fetch cannot do). Resolves with the answer as soon as it arrives, whether or not `send`
 * has finished; `send` gets the request to write to and a promise of the answer, and may
 * leave the request unfinished.
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string> },
  send: (request: http.ClientRequest, answered: Promise<RawAnswer>) => void | Promise<void>,
): Promise<RawAnswer> {
  let request: http.ClientRequest | undefined;
  const answered = new Promise<RawAnswer>((resolve, reject) => {
    request = http.request(
      url,
      { method: options.method ?? 'POST', headers: options.headers ?? {} },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
        response.on('error', reject);
      },
    );
    // The gateway may close the connection while the test is still writing a refused body.
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
  });
  void Promise.resolve(send(request as http.ClientRequest, answered)).catch(() => {});
  return answered.finally(() => request?.destroy());
}

/** Resolves once `request` may take more bytes (or at once). */
export function writeChunk(request: http.ClientRequest, chunk: Buffer | string): Promise<void> {
  return new Promise((resolve) => {
    if (request.write(chunk)) resolve();
    else request.once('drain', () => resolve());
  });
}
