import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import type { StackConfig } from '../../config/load-config.ts';
import { defaultDenoDir, denoBinary, denoModuleFlags } from './deno-runtime.ts';
import { findFunction, functionsDirOf } from './function-catalog.ts';

export interface FunctionsCheck {
  checked: string[];
  failed: string[];
}

/**
 * Type-checks every edge function with the real `deno check`, each with its own
 * deno.json / import map, as `supabase functions deploy` resolves them. Deno's
 * diagnostics go to this process's stderr.
 */
export function checkFunctions(
  config: StackConfig,
  onCheck: (name: string) => void = () => {},
): FunctionsCheck {
  const names = readdirSync(functionsDirOf(config), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('_') && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();

  const checked: string[] = [];
  const failed: string[] = [];
  for (const name of names) {
    const definition = findFunction(config, name);
    if (!definition) continue;
    onCheck(name);
    checked.push(name);
    const result = spawnSync(
      denoBinary(),
      ['check', '--quiet', ...denoModuleFlags(definition), definition.entrypoint],
      {
        cwd: definition.dir,
        stdio: 'inherit',
        env: { ...config.env, DENO_DIR: config.env.DENO_DIR ?? defaultDenoDir(), NO_COLOR: '1' },
      },
    );
    if (result.status !== 0) failed.push(name);
  }
  return { checked, failed };
}
