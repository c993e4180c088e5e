/**
 * The SDK's cost, in one run:
 *  1. bundle size (esbuild, minified, split at dynamic imports, gzip -9) of the built package
 *     (`dist/`, what an app's bundler gets from npm) for an app importing createGroundworkClient:
 *     the main entry — the SDK's own code with its validation (zod/mini), supabase-js external —
 *     and the same without zod; each module's chunk loaded lazily on its first call; everything
 *     loaded; one module alone (per-module tree-shaking); and the total with supabase-js;
 *  2. latency of gw.tasks.list (50 tasks, each with assignee profile and labels) next to the
 *     same query written with plain supabase-js on the same client, interleaved so both see
 *     the same machine load.
 * Targets: main entry (own code + validation) ≤ 20 KB min+gzip; total with supabase-js ≤ 85 KB;
 * wrapper overhead ≤ 10 %.
 *
 *   npm run bench:sdk [-- 300]       (builds the SDK first; 300 iterations of the latency part)
 *   npm run bench:sdk -- sizes       (the bundle sizes only: no stack)
 */
import { randomUUID } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { mintUserToken, startTestStack } from '@groundwork/local-stack/testing';
import { type Database, wrapSupabaseClient } from '@groundwork/sdk';
import { createClient } from '@supabase/supabase-js';
import { build } from 'esbuild';
import pg from 'pg';
import WebSocket from 'ws';

const sizesOnly = process.argv.includes('sizes');
const iterations = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 300);
const warmup = 30;
const workdir = new URL('..', import.meta.url).pathname;

interface Bundle {
  /** Bytes (min+gzip) of what loads with the app: the entry and the chunks it imports statically. */
  main: number;
  /** Each chunk an `import()` loads, by the module it holds, with what it needs beyond `main`. */
  lazy: { name: string; bytes: number }[];
  /** Every file the bundler wrote: what an app that calls every module ends up loading. */
  all: number;
}

/**
 * Bundles `source` (an app's imports) as a browser app's bundler would, minified and split into
 * chunks at each dynamic `import()`, and measures the main chunk (with its static imports) apart
 * from the lazily loaded ones.
 */
async function bundleSize(source: string, external: string[]): Promise<Bundle> {
  const result = await build({
    stdin: { contents: source, resolveDir: workdir, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    treeShaking: true,
    splitting: true,
    outdir: '/bench-sdk-out',
    metafile: true,
    write: false,
    external,
    logLevel: 'silent',
  });
  const contents = new Map(result.outputFiles.map((file) => [file.path, file.contents]));
  // The metafile names outputs relative to the working directory; the files have absolute paths.
  const outputs = new Map(
    Object.entries(result.metafile.outputs).map(([path, output]) => [resolve(path), output]),
  );
  const gzipped = (paths: Iterable<string>) =>
    gzipSync(Buffer.concat([...paths].map((path) => contents.get(path) ?? new Uint8Array())), { level: 9 })
      .byteLength;
  const staticClosure = (start: string) => {
    const seen = new Set<string>();
    const pending = [start];
    for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
      if (seen.has(path)) continue;
      seen.add(path);
      for (const imported of outputs.get(path)?.imports ?? []) {
        if (imported.kind === 'import-statement' && !imported.external) pending.push(resolve(imported.path));
      }
    }
    return seen;
  };
  const entry = [...outputs].find(([, output]) => output.entryPoint === '<stdin>')?.[0] ?? '';
  const main = staticClosure(entry);
  const lazy = [...outputs.values()].flatMap((output) =>
    output.imports
      .filter((imported) => imported.kind === 'dynamic-import')
      .map((imported) => {
        const path = resolve(imported.path);
        const beyondMain = [...staticClosure(path)].filter((chunk) => !main.has(chunk));
        // esbuild names a chunk after its module file (invite-links-HASH.js), the member is gw.inviteLinks.
        const module = basename(path).replace(/-[A-Z0-9]+\.js$/, '');
        const name = module.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());
        return { name, bytes: gzipped(beyondMain) };
      }),
  );
  return { main: gzipped(main), lazy, all: gzipped(contents.keys()) };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const verdict = (bytes: number, targetKb: number) =>
  `(target ≤ ${targetKb} KB) ${bytes <= targetKb * 1024 ? 'OK' : 'OVER'}`;

// What an app writes: the client, which builds every module (the rarely used ones lazily).
const app = "export { createGroundworkClient } from '@groundwork/sdk';";
const tasksOnly =
  "import { createSdkContext, createTasksApi } from '@groundwork/sdk'; export const tasks = (client) => createTasksApi(createSdkContext(client));";
const supabaseOnly = "export { createClient } from '@supabase/supabase-js';";
// Receivers import only this entry point; it is not part of the main bundle.
const verifyOnly = "export { verifyWebhook } from '@groundwork/sdk/webhooks';";

console.log('bundle size of the built package (esbuild --minify --splitting, gzip -9)');
const withValidation = await bundleSize(app, ['@supabase/supabase-js']);
const ownCode = await bundleSize(app, ['@supabase/supabase-js', 'zod', 'zod/*']);
const oneModule = await bundleSize(tasksOnly, ['@supabase/supabase-js']);
const withSupabase = await bundleSize(app, []);
const supabaseJs = await bundleSize(supabaseOnly, []);
const verifier = await bundleSize(verifyOnly, []);
console.log(
  `  main entry: SDK own code + zod/mini (supabase-js external): ${kb(withValidation.main)} min+gzip ${verdict(withValidation.main, 20)}`,
);
console.log(`    of which the SDK's own code:                               ${kb(ownCode.main)}`);
console.log("  lazily loaded on a module's first call (each beyond the main entry):");
for (const chunk of withValidation.lazy.sort((a, b) => a.name.localeCompare(b.name))) {
  console.log(`    gw.${chunk.name.padEnd(14)} ${kb(chunk.bytes)}`);
}
console.log(
  `  everything loaded (main + every lazy chunk, + zod/mini):       ${kb(withValidation.all)} min+gzip`,
);
console.log(
  `  tasks module alone + zod/mini:                                ${kb(oneModule.main)}  (per-module tree-shaking)`,
);
console.log(
  `  total with supabase-js (everything loaded):                   ${kb(withSupabase.all)} min+gzip ${verdict(withSupabase.all, 85)}`,
);
console.log(`    of which supabase-js alone:                                 ${kb(supabaseJs.main)}`);
console.log(
  `  @groundwork/sdk/webhooks verifyWebhook alone:                 ${kb(verifier.main)}  (standardwebhooks included; separate entry point)`,
);
if (sizesOnly) process.exit(0);

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
