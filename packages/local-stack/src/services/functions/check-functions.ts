import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { StackConfig } from '../../config/load-config.ts';
import { defaultDenoDir, denoBinary, denoModuleFlags } from './deno-runtime.ts';
import { type FunctionDefinition, findFunction, functionsDirOf } from './function-catalog.ts';

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
  const definitions = names
    .map((name) => findFunction(config, name))
    .filter((definition): definition is FunctionDefinition => definition !== undefined);

  const env = { ...config.env, DENO_DIR: config.env.DENO_DIR ?? defaultDenoDir(), NO_COLOR: '1' };
  const check = (
    [first, ...rest]: [FunctionDefinition, ...FunctionDefinition[]],
    stdio: 'inherit' | 'ignore',
  ) =>
    spawnSync(
      denoBinary(),
      [
        'check',
        '--quiet',
        ...denoModuleFlags(first),
        first.entrypoint,
        ...rest.map((definition) => definition.entrypoint),
      ],
      { cwd: first.dir, stdio, env },
    ).status === 0;

  const checked: string[] = [];
  const failed: string[] = [];
  // One `deno check` per set of functions that resolve imports alike: each process spends
  // most of its time loading the same npm types. A failing set is checked again one function
  // at a time, so the failure names the function.
  for (const group of groupByResolution(definitions)) {
    for (const definition of group) onCheck(definition.name);
    checked.push(...group.map((definition) => definition.name));
    if (group.length > 1 && check(group, 'ignore')) continue;
    for (const definition of group) if (!check([definition], 'inherit')) failed.push(definition.name);
  }
  return { checked, failed };
}

/**
 * Functions whose deno.json / import map has the same content resolve every import the same
 * way, unless the file maps relative paths (those resolve against the file's own folder).
 */
function groupByResolution(
  definitions: FunctionDefinition[],
): [FunctionDefinition, ...FunctionDefinition[]][] {
  const groups = new Map<string, [FunctionDefinition, ...FunctionDefinition[]]>();
  for (const definition of definitions) {
    const { denoConfig } = definition;
    const content = denoConfig ? readFileSync(denoConfig.path, 'utf8') : '';
    const key = /"\.\.?\//.test(content)
      ? `own:${definition.name}`
      : `${denoConfig?.kind ?? 'none'}:${content}`;
    groups.set(key, [...(groups.get(key) ?? []), definition]);
  }
  return [...groups.values()];
}
