/**
 * Auth service figures on this machine: password sign-in latency (p50/p99, sequential,
 * bcrypt cost 10 as GoTrue) and refresh-token rotation throughput (concurrent chains).
 * Runs against an isolated stack of the auth test fixture (limits raised for load).
 *
 *   npx tsx bench/auth.ts [signIns=200] [refreshes=2000] [concurrency=8]
 */
import { createAuthService, createMailCatcherService } from '@groundwork/local-stack';
import { startTestStack } from '@groundwork/local-stack/testing';

const signIns = Number(process.argv[2] ?? 200);
const refreshes = Number(process.argv[3] ?? 2000);
const concurrency = Number(process.argv[4] ?? 8);
const workdir = new URL('../packages/local-stack/test/auth/fixtures/auth-project', import.meta.url).pathname;
const PASSWORD = 'bench1password';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function main() {
  const stack = await startTestStack({ workdir, services: [createMailCatcherService, createAuthService] });
  try {
    const auth = `${stack.apiUrl}/auth/v1`;
    const json = (key: string) => ({ apikey: key, 'content-type': 'application/json' });
    const email = `bench-${Date.now()}@example.com`;
    const created = await fetch(`${auth}/admin/users`, {
      method: 'POST',
      headers: { ...json(stack.keys.serviceRoleKey), Authorization: `Bearer ${stack.keys.serviceRoleKey}` },
      body: JSON.stringify({ email, password: PASSWORD, email_confirm: true }),
    });
    if (!created.ok) throw new Error(`creating the bench user: ${created.status} ${await created.text()}`);

    const signIn = async () => {
      const response = await fetch(`${auth}/token?grant_type=password`, {
        method: 'POST',
        headers: json(stack.keys.anonKey),
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
      return (await response.json()) as { refresh_token: string };
    };

    for (let warm = 0; warm < 5; warm += 1) await signIn();
    const latencies: number[] = [];
    for (let index = 0; index < signIns; index += 1) {
      const started = performance.now();
      await signIn();
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);

    const chains = await Promise.all(Array.from({ length: concurrency }, () => signIn()));
    let done = 0;
    const started = performance.now();
    await Promise.all(
      chains.map(async (chain) => {
        let token = chain.refresh_token;
        while (done < refreshes) {
          done += 1;
          const response = await fetch(`${auth}/token?grant_type=refresh_token`, {
            method: 'POST',
            headers: json(stack.keys.anonKey),
            body: JSON.stringify({ refresh_token: token }),
          });
          if (!response.ok) throw new Error(`refresh failed: ${response.status} ${await response.text()}`);
          token = ((await response.json()) as { refresh_token: string }).refresh_token;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;

    console.log(`password sign-in, ${signIns} sequential requests:`);
    console.log(
      `  p50 ${percentile(latencies, 50).toFixed(1)} ms   p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    );
    console.log(`refresh-token rotation, ${done} refreshes over ${concurrency} concurrent chains:`);
    console.log(`  ${(done / seconds).toFixed(0)} refreshes/s (${seconds.toFixed(2)} s)`);
  } finally {
    await stack.stop();
  }
}

await main();
