/**
 * `npm run check:functions`: type-checks every edge function with real `deno check`,
 * each with its own deno.json / import map, as `supabase functions deploy` resolves them.
 * Exits non-zero naming the functions that fail.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { loadConfig } from '../../config/load-config.ts';
import { defaultDenoDir, denoBinary, denoModuleFlags } from './deno-runtime.ts';
import { findFunction, functionsDirOf } from './function-catalog.ts';

const config = loadConfig({ env: process.env });
const names = readdirSync(functionsDirOf(config), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !entry.name.startsWith('_') && !entry.name.startsWith('.'))
  .map((entry) => entry.name)
  .sort();

const failed: string[] = [];
for (const name of names) {
  const definition = findFunction(config, name);
  if (!definition) continue;
  process.stdout.write(`deno check ${name}\n`);
  const result = spawnSync(
    denoBinary(),
    ['check', '--quiet', ...denoModuleFlags(definition), definition.entrypoint],
    {
      cwd: definition.dir,
      stdio: 'inherit',
      env: { ...process.env, DENO_DIR: process.env.DENO_DIR ?? defaultDenoDir(), NO_COLOR: '1' },
    },
  );
  if (result.status !== 0) failed.push(name);
}

if (failed.length > 0) {
  process.stderr.write(`deno check failed for: ${failed.join(', ')}\n`);
  process.exit(1);
}
process.stdout.write(`${names.length} function(s) type-check\n`);
