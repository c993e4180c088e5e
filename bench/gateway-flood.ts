/**
 * The hostile side of bench/gateway.ts, in a process of its own so its work does not delay
 * the reads being measured: loops sending 50 MB sign-ins and 60 MB REST bodies with only
 * the public key until its stdin closes, then prints how many were refused with 413.
 *
 *   tsx bench/gateway-flood.ts <apiUrl> <publishableKey> <clients>
 */
import http from 'node:http';

const [apiUrl = '', publishableKey = '', clientsArg = '2'] = process.argv.slice(2);
const clients = Number(clientsArg);
const signIn = Buffer.from(JSON.stringify({ email: 'flood@example.com', password: 'x'.repeat(50_000_000) }));
const restBody = Buffer.from(JSON.stringify({ label: 'y'.repeat(60_000_000) }));
let flooding = true;
let refused = 0;
process.stdin.on('data', () => {});
process.stdin.on('end', () => {
  flooding = false;
});

function send(path: string, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const request = http.request(
      `${apiUrl}${path}`,
      {
        method: 'POST',
        headers: {
          apikey: publishableKey,
          'content-type': 'application/json',
          'content-length': body.length,
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    // A refused body's connection is closed under the rest of it.
    request.on('error', () => resolve(0));
    request.end(body);
  });
}

process.stdout.write('flooding\n');
await Promise.all(
  Array.from({ length: clients }, async (_, index) => {
    while (flooding) {
      const status = await (index % 2 === 0
        ? send('/auth/v1/token?grant_type=password', signIn)
        : send('/rest/v1/items', restBody));
      if (status === 413) refused += 1;
    }
  }),
);
process.stdout.write(`${JSON.stringify({ refused })}\n`);
