import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { StackConfig } from '../config/load-config.ts';
import {
  type FunctionDefinition,
  findFunction,
  functionsDirOf,
} from '../services/functions/function-catalog.ts';
import { lineAt } from './finding.ts';

/** One module specifier as written in a source file. */
export interface ImportSite {
  specifier: string;
  file: string;
  line: number;
}

export interface SourceFile {
  path: string;
  text: string;
}

/** A function and the local files its entrypoint reaches, as `functions deploy` bundles them. */
export interface FunctionSources {
  definition: FunctionDefinition;
  files: SourceFile[];
  imports: ImportSite[];
  /** The `imports` of its deno.json or import map, with targets resolved to absolute paths where local. */
  importMap: { path: string; imports: Record<string, string> } | undefined;
}

// Static imports and re-exports (`import x from '…'`, `import '…'`, `export { y } from '…'`)
// and dynamic imports of a literal; enough for what a bundler must resolve ahead of time.
const SPECIFIER =
  /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"\n]+)['"]|\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g;

function stripComments(text: string): string {
  // Keep line breaks so line numbers stay right.
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"\\])\/\/.*$/gm, (_match, before: string) => before);
}

export function importSitesOf(file: string, text: string): ImportSite[] {
  const code = stripComments(text);
  return [...code.matchAll(SPECIFIER)].map((match) => ({
    specifier: (match[1] ?? match[2]) as string,
    file,
    line: lineAt(code, match.index),
  }));
}

export const isRelative = (specifier: string) => specifier.startsWith('./') || specifier.startsWith('../');

function readImportMap(path: string): Record<string, string> {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8').replace(/^\s*\/\/.*$/gm, '')) as {
      imports?: unknown;
    };
    if (!parsed.imports || typeof parsed.imports !== 'object') return {};
    return Object.fromEntries(
      Object.entries(parsed.imports as Record<string, unknown>).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
  } catch {
    return {};
  }
}

/** The import map entry a bare specifier resolves through (exact key, or the longest `prefix/`). */
export function mappedTarget(imports: Record<string, string>, specifier: string): string | undefined {
  if (imports[specifier] !== undefined) return imports[specifier];
  const prefix = Object.keys(imports)
    .filter((key) => key.endsWith('/') && specifier.startsWith(key))
    .sort((a, b) => b.length - a.length)[0];
  return prefix === undefined ? undefined : `${imports[prefix]}${specifier.slice(prefix.length)}`;
}

export const isLocalTarget = (target: string) =>
  isRelative(target) || target.startsWith('/') || target.startsWith('file:');

export function localPath(fromDir: string, target: string): string {
  if (target.startsWith('file://')) return new URL(target).pathname;
  return isAbsolute(target) ? target : resolve(fromDir, target);
}

/** Every function of the project with the files it reaches. */
export function functionSources(config: StackConfig): FunctionSources[] {
  const dir = functionsDirOf(config);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('_') && !entry.name.startsWith('.'))
    .map((entry) => findFunction(config, entry.name))
    .filter((definition): definition is FunctionDefinition => definition !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((definition) => sourcesOf(definition));
}

function sourcesOf(definition: FunctionDefinition): FunctionSources {
  const importMap = definition.denoConfig
    ? { path: definition.denoConfig.path, imports: readImportMap(definition.denoConfig.path) }
    : undefined;
  const files: SourceFile[] = [];
  const imports: ImportSite[] = [];
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path) || !existsSync(path) || !/\.[cm]?[jt]sx?$/.test(path)) return;
    seen.add(path);
    const text = readFileSync(path, 'utf8');
    files.push({ path, text });
    for (const site of importSitesOf(path, text)) {
      imports.push(site);
      const target =
        isRelative(site.specifier) || site.specifier.startsWith('/')
          ? localPath(dirname(path), site.specifier)
          : importMap && mappedTarget(importMap.imports, site.specifier);
      if (target === undefined) continue;
      if (isRelative(site.specifier) || site.specifier.startsWith('/')) visit(target);
      else if (importMap && isLocalTarget(target)) visit(localPath(dirname(importMap.path), target));
    }
  };
  visit(definition.entrypoint);
  return { definition, files, imports, importMap };
}
