import { get } from 'node:http';

/**
 * The status code of a GET to a server on this machine (a readiness probe), through node:http:
 * the stack's first `fetch` would set up undici's HTTP client (its llhttp WebAssembly and
 * connection pool, ~2 MB) in the stack process for good, for one probe at start.
 * Rejects when nothing answers.
 */
export function localStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.once('error', reject);
  });
}
