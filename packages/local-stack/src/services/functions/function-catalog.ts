import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackConfig } from '../../config/load-config.ts';
import { resolveProjectPath } from '../../config/project-location.ts';

/** Everything the runtime needs to know about one function in `supabase/functions/`. */
export interface FunctionDefinition {
  name: string;
  /** `supabase/functions/<name>`; watched for changes. */
  dir: string;
  entrypoint: string;
  /** `deno.json(c)` (used as `--config`) or an import map (used as `--import-map`). */
  denoConfig: { kind: 'config' | 'import-map'; path: string } | undefined;
  verifyJwt: boolean;
  /** Bare specifiers the import map sends to `npm:` packages; a spare process loads them ahead. */
  preload: string[];
}

// Hosted function names: letters, digits, `-` and `_`; folders starting with `_` hold shared code.
const FUNCTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function functionsDirOf(config: StackConfig): string {
  return join(config.supabaseDir, 'functions');
}

/**
 * Finds a function the way the Supabase CLI does: `[functions.<name>]` in config.toml
 * (entrypoint, import_map, verify_jwt, enabled) over the folder convention
 * `supabase/functions/<name>/index.ts` with an optional `deno.json` beside it.
 * Looked up per request, so functions added while the stack runs are served.
 */
export function findFunction(config: StackConfig, name: string): FunctionDefinition | undefined {
  if (!FUNCTION_NAME.test(name)) return undefined;
  const settings = config.toml.functions[name];
  if (settings?.enabled === false) return undefined;
  const dir = join(functionsDirOf(config), name);
  const entrypoint = settings?.entrypoint
    ? resolveProjectPath(config, settings.entrypoint)
    : join(dir, 'index.ts');
  if (!existsSync(entrypoint)) return undefined;
  const denoConfig = denoConfigOf(config, dir, settings?.import_map);
  return {
    name,
    dir,
    entrypoint,
    denoConfig,
    verifyJwt: settings?.verify_jwt ?? true,
    preload: denoConfig ? npmImportsOf(denoConfig.path) : [],
  };
}

/** Keys of `imports` that map to a whole npm package (not `prefix/` mappings). */
export function npmImportsOf(path: string): string[] {
  let imports: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    // deno.jsonc may hold comments; strip whole-line ones, enough for import maps.
    imports = (JSON.parse(text.replace(/^\s*\/\/.*$/gm, '')) as { imports?: unknown }).imports;
  } catch {
    return [];
  }
  if (!imports || typeof imports !== 'object') return [];
  return Object.entries(imports as Record<string, unknown>)
    .filter(([key, target]) => !key.endsWith('/') && typeof target === 'string' && target.startsWith('npm:'))
    .map(([key]) => key);
}

function denoConfigOf(
  config: StackConfig,
  dir: string,
  importMap: string | undefined,
): FunctionDefinition['denoConfig'] {
  if (importMap) {
    const path = resolveProjectPath(config, importMap);
    return { kind: /deno\.jsonc?$/.test(path) ? 'config' : 'import-map', path };
  }
  for (const file of ['deno.json', 'deno.jsonc']) {
    const path = join(dir, file);
    if (existsSync(path)) return { kind: 'config', path };
  }
  // The CLI's legacy fallback: one import map for every function.
  const shared = join(functionsDirOf(config), 'import_map.json');
  return existsSync(shared) ? { kind: 'import-map', path: shared } : undefined;
}
