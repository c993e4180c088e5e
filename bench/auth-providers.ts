/**
 * Phone and OAuth sign-in figures on this machine, against isolated stacks of the auth test
 * fixtures: what the local identity provider adds to Auth's start, a phone code sign-in
 * round trip (POST /otp → SMS catcher → POST /verify), the whole OAuth redirect flow driven
 * over HTTP (Auth /authorize → provider login → /callback → tokens; no browser), and an ID
 * token sign-in. Sequential requests; p50/p99 beside the targets.
 *
 *   npm run bench:auth-providers -- [signIns=100]
 */
import {
  createAuthService,
  createMailCatcherService,
  createSmsCatcherService,
} from '@groundwork/local-stack';
import { followOAuthFlow, startTestStack } from '@groundwork/local-stack/testing';

const signIns = Number(process.argv[2] ?? 100);
const fixture = (name: string) =>
  new URL(`../packages/local-stack/test/auth/fixtures/${name}`, import.meta.url).pathname;
const services = [createMailCatcherService, createSmsCatcherService, createAuthService];
/** Where the OAuth flow returns to; nothing listens, the bench stops at the redirect. */
const APP = 'http://127.0.0.1:3000/done';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function timed(runs: number, once: (index: number) => Promise<void>): Promise<number[]> {
  for (let warm = 0; warm < 3; warm += 1) await once(-1 - warm);
  const latencies: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    const started = performance.now();
    await once(index);
    latencies.push(performance.now() - started);
  }
  return latencies.sort((a, b) => a - b);
}

function report(label: string, latencies: number[], target: string) {
  console.log(
    `${label}: p50 ${percentile(latencies, 50).toFixed(1)} ms   p99 ${percentile(latencies, 99).toFixed(1)} ms   (target: ${target})`,
  );
}

/**
 * The `services` start-up step, with and without enabled providers, and how long after the
 * stack is up the first /authorize waits for the identity provider (it starts alongside).
 */
async function serviceStartMs(project: string): Promise<{ servicesMs: number; firstAuthorizeMs: number }> {
  let servicesMs = Number.NaN;
  const stack = await startTestStack({
    workdir: fixture(project),
    services,
    onStep: (step, elapsedMs) => {
      if (step === 'services') servicesMs = elapsedMs;
    },
  });
  const started = performance.now();
  await fetch(`${stack.apiUrl}/auth/v1/authorize?provider=github`, { redirect: 'manual' });
  const firstAuthorizeMs = performance.now() - started;
  await stack.stop();
  return { servicesMs, firstAuthorizeMs };
}

async function main() {
  const withoutProviders = await serviceStartMs('auth-project');
  const withProviders = await serviceStartMs('phone-oauth-project');

  const stack = await startTestStack({ workdir: fixture('phone-oauth-project'), services });
  try {
    const auth = `${stack.apiUrl}/auth/v1`;
    const headers = { apikey: stack.keys.anonKey, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${auth}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return response.json() as Promise<Record<string, unknown>>;
    };
    const run = Date.now() % 1e5;

    const phone = await timed(signIns, async (index) => {
      const number = `1666${String(run).padStart(5, '0')}${String(index + 10).padStart(3, '0')}`;
      await post('/otp', { phone: number });
      const sms = await fetch(`${stack.apiUrl}/__sms/api/v1/messages/latest?to=${number}`);
      const code = /(\d{6})$/.exec(((await sms.json()) as { body: string }).body)?.[1];
      await post('/verify', { phone: number, token: code, type: 'sms' });
    });

    const oauth = await timed(signIns, async (index) => {
      const authorize = `${auth}/authorize?provider=github&redirect_to=${encodeURIComponent(APP)}`;
      const back = await followOAuthFlow(authorize, {
        email: `bench-${run}-${index + 10}@example.com`,
        stopAt: APP,
      });
      if (!new URLSearchParams(back.hash.slice(1)).get('access_token'))
        throw new Error(`no session: ${back}`);
    });

    const location = (await fetch(`${auth}/authorize?provider=google`, { redirect: 'manual' })).headers.get(
      'location',
    );
    const issuer = new URL(location ?? '').origin;
    const idToken = await timed(signIns, async (index) => {
      const minted = await fetch(`${issuer}/dev/id-token`, {
        method: 'POST',
        body: new URLSearchParams({
          client_id: 'groundwork-test.apps.googleusercontent.com',
          email: `bench-id-${run}-${index + 10}@example.com`,
        }),
      });
      const { id_token } = (await minted.json()) as { id_token: string };
      await post('/token?grant_type=id_token', { provider: 'google', id_token });
    });

    console.log(
      `stack services step: ${withoutProviders.servicesMs.toFixed(0)} ms without providers, ` +
        `${withProviders.servicesMs.toFixed(0)} ms with 2 providers enabled (target: < +50 ms; the identity provider starts alongside)`,
    );
    console.log(
      `first /authorize right after start: ${withProviders.firstAuthorizeMs.toFixed(0)} ms (waits for the identity provider; target: < 1000 ms)`,
    );
    report(
      `phone sign-in by code, new user (otp → SMS catcher → verify), ${signIns} runs`,
      phone,
      'p50 < 100 ms',
    );
    report(
      `OAuth redirect flow, new user (authorize → login → callback), ${signIns} runs`,
      oauth,
      'p50 < 150 ms',
    );
    report(`signInWithIdToken, new user (mint + id_token grant), ${signIns} runs`, idToken, 'p50 < 100 ms');
  } finally {
    await stack.stop();
  }
}

await main();
