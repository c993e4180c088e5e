/**
 * The SDK's cost, in one run:
 *  1. bundle size (esbuild, minified, gzip -9) of the built package (`dist/`, what an app's
 *     bundler gets from npm): the SDK's own code with its validation (zod/mini) — supabase-js
 *     external —, the same without zod, one module alone (per-module tree-shaking), and the
 *     total with supabase-js;
 *  2. latency of gw.tasks.list (50 tasks, each with assignee profile and labels) next to the
 *     same query written with plain supabase-js on the same client, interleaved so both see
 *     the same machine load.
 * Targets: own code + validation ≤ 20 KB min+gzip; total with supabase-js ≤ 85 KB;
 * wrapper overhead ≤ 10 %.
 *
 *   npm run bench:sdk [-- iterations=300]     (builds the SDK first)
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { mintUserToken, startTestStack } from '@groundwork/local-stack/testing';
import { type Database, wrapSupabaseClient } from '@groundwork/sdk';
import { createClient } from '@supabase/supabase-js';
import { build } from 'esbuild';
import pg from 'pg';
import WebSocket from 'ws';

const iterations = Number(process.argv[2] ?? 300);
const warmup = 30;
const workdir = new URL('..', import.meta.url).pathname;

/** Bundles `source` (an app's imports) as a browser app's bundler would, minified. */
async function bundleSize(source: string, external: string[]): Promise<number> {
  const result = await build({
    stdin: { contents: source, resolveDir: workdir, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    treeShaking: true,
    write: false,
    external,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return gzipSync(code, { level: 9 }).byteLength;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const verdict = (bytes: number, targetKb: number) =>
  `(target ≤ ${targetKb} KB) ${bytes <= targetKb * 1024 ? 'OK' : 'OVER'}`;

const everything = "export * from '@groundwork/sdk';";
const tasksOnly =
  "import { createSdkContext, createTasksApi } from '@groundwork/sdk'; export const tasks = (client) => createTasksApi(createSdkContext(client));";
const supabaseOnly = "export { createClient } from '@supabase/supabase-js';";
// Receivers import only this entry point; it is not part of the main bundle.
const verifyOnly = "export { verifyWebhook } from '@groundwork/sdk/webhooks';";

console.log('bundle size of the built package (esbuild --minify, gzip -9)');
const ownWithValidation = await bundleSize(everything, ['@supabase/supabase-js']);
const ownCode = await bundleSize(everything, ['@supabase/supabase-js', 'zod', 'zod/*']);
const oneModule = await bundleSize(tasksOnly, ['@supabase/supabase-js']);
const total = await bundleSize(everything, []);
const supabaseJs = await bundleSize(supabaseOnly, []);
const verifier = await bundleSize(verifyOnly, []);
console.log(
  `  SDK own code + zod/mini (supabase-js external): ${kb(ownWithValidation)} min+gzip ${verdict(ownWithValidation, 20)}`,
);
console.log(`    of which the SDK's own code:                 ${kb(ownCode)}`);
console.log(`  tasks module alone + zod/mini:                  ${kb(oneModule)}  (per-module tree-shaking)`);
console.log(`  SDK + supabase-js + zod/mini:                   ${kb(total)} min+gzip ${verdict(total, 85)}`);
console.log(`    of which supabase-js alone:                   ${kb(supabaseJs)}`);
console.log(
  `  @groundwork/sdk/webhooks verifyWebhook alone:   ${kb(verifier)}  (standardwebhooks included; separate entry point)`,
);

// ---------------------------------------------------------------------------
// latency
// ---------------------------------------------------------------------------

await using stack = await startTestStack({ workdir, services: [] });
const db = new pg.Client({ connectionString: stack.status.DB_URL });
db.on('error', (error) => console.error('db client error (ignored):', error.message));
await db.connect();

const userId = randomUUID();
await db.query(
  `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
     raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
   values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2, '', now(),
     '{"provider":"email"}', '{"display_name":"Bench User"}', now(), now())`,
  [userId, `bench-${userId}@example.test`],
);
const token = await mintUserToken(stack.keys, { id: userId, email: `bench-${userId}@example.test` });
const supabase = createClient<Database>(stack.apiUrl, stack.keys.publishableKey, {
  accessToken: async () => token,
  // Node 20 has no global WebSocket without --experimental-websocket; supabase-js' realtime wants one.
  realtime: { transport: WebSocket as never },
});
const gw = wrapSupabaseClient(supabase, { accessToken: async () => token });

const workspace = await gw.workspaces.create({ name: 'Bench', slug: `bench-${userId.slice(0, 8)}` });
const project = await gw.projects.create({ workspace_id: workspace.id, name: 'Bench', key: 'BEN' });
const labels = [];
for (const name of ['bug', 'feature', 'chore']) {
  labels.push(await gw.labels.create({ workspace_id: workspace.id, name }));
}
for (let i = 0; i < 50; i++) {
  await gw.tasks.create({
    project_id: project.id,
    title: `Task ${i}`,
    assignee_id: userId,
    label_ids: [labels[i % 3]?.id ?? '', labels[(i + 1) % 3]?.id ?? ''],
  });
}
await db.end();

const select =
  'id, workspace_id, project_id, number, title, description, status, priority, assignee_id, due_date, position, created_by, created_at, updated_at, key, assignee:profiles!tasks_assignee_profile_fkey(id, display_name, avatar_path, created_at, updated_at), labels(id, workspace_id, name, color, created_at)';

async function viaSdk(): Promise<number> {
  const page = await gw.tasks.list({ project_id: project.id, limit: 50 });
  return page.items.length;
}

async function viaSupabaseJs(): Promise<number> {
  const { data, error } = await supabase
    .from('tasks')
    .select(select)
    .eq('project_id', project.id)
    .order('position')
    .order('id')
    .limit(51);
  if (error) throw error;
  return data.length;
}

for (const [name, run] of [
  ['sdk', viaSdk],
  ['supabase-js', viaSupabaseJs],
] as const) {
  const count = await run();
  if (count < 50) throw new Error(`${name} returned ${count} tasks, expected 50`);
}

const samples: Record<'sdk' | 'plain', number[]> = { sdk: [], plain: [] };
for (let i = 0; i < warmup + iterations; i++) {
  // Alternate which goes first so neither always runs on a warmer connection.
  const order = i % 2 === 0 ? (['sdk', 'plain'] as const) : (['plain', 'sdk'] as const);
  for (const which of order) {
    const started = performance.now();
    await (which === 'sdk' ? viaSdk() : viaSupabaseJs());
    const elapsed = performance.now() - started;
    if (i >= warmup) samples[which].push(elapsed);
  }
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), mean: sorted.reduce((sum, v) => sum + v, 0) / sorted.length };
}

const sdk = stats(samples.sdk);
const plain = stats(samples.plain);
const overhead = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)} %`;
console.log(
  `\ntasks.list: 50 tasks with assignee profile and labels, ${iterations} runs each (after ${warmup} warm-up)`,
);
console.log(
  `  plain supabase-js   p50 ${plain.p50.toFixed(2)} ms   p95 ${plain.p95.toFixed(2)} ms   mean ${plain.mean.toFixed(2)} ms`,
);
console.log(
  `  gw.tasks.list       p50 ${sdk.p50.toFixed(2)} ms   p95 ${sdk.p95.toFixed(2)} ms   mean ${sdk.mean.toFixed(2)} ms`,
);
console.log(
  `  overhead            p50 ${overhead(sdk.p50, plain.p50)}   mean ${overhead(sdk.mean, plain.mean)}   (target ≤ 10 %) ${
    sdk.p50 <= plain.p50 * 1.1 ? 'OK' : 'OVER'
  }`,
);
