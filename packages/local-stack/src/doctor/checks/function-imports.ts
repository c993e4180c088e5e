import { dirname, relative, sep } from 'node:path';
import type { StackConfig } from '../../config/load-config.ts';
import { functionsDirOf } from '../../services/functions/function-catalog.ts';
import type { Finding } from '../finding.ts';
import {
  type FunctionSources,
  isLocalTarget,
  isRelative,
  localPath,
  mappedTarget,
} from '../function-sources.ts';

const FETCHABLE_SCHEMES = ['npm:', 'jsr:', 'node:', 'https://'];
// Hosts only this machine can reach: hosted's bundler would fail to fetch them.
const LOCAL_URL =
  /^https?:\/\/(localhost|127\.|0\.0\.0\.0|\[::1\]|10\.|192\.168\.|host\.docker\.internal|kong)/i;

const isInside = (dir: string, path: string) => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
};

/**
 * `supabase functions deploy` bundles what is under supabase/functions and fetches remote
 * modules from the registries; anything else resolves on this machine only.
 */
export function checkFunctionImports(config: StackConfig, functions: FunctionSources[]): Finding[] {
  const root = functionsDirOf(config);
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const show = (path: string) => relative(config.workdir, path);
  for (const fn of functions) {
    for (const site of fn.imports) {
      const key = `${site.file}:${site.line}:${site.specifier}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const at = { file: show(site.file), line: site.line };
      const { specifier } = site;
      if (isRelative(specifier) || specifier.startsWith('/') || specifier.startsWith('file:')) {
        const target = localPath(dirname(site.file), specifier);
        if (!isInside(root, target)) {
          findings.push({
            kind: 'import-outside-functions',
            severity: 'error',
            ...at,
            message: `function ${fn.definition.name} imports "${specifier}" (${show(target)}), outside supabase/functions: the deployed bundle won't contain it`,
            fix: 'move the file under supabase/functions/_shared/ and import it from there',
          });
        }
        continue;
      }
      if (/^https?:/.test(specifier) || FETCHABLE_SCHEMES.some((scheme) => specifier.startsWith(scheme))) {
        if (LOCAL_URL.test(specifier) || specifier.startsWith('http://')) {
          findings.push({
            kind: 'import-unfetchable',
            severity: 'error',
            ...at,
            message: `function ${fn.definition.name} imports "${specifier}", which hosted can't fetch (${LOCAL_URL.test(specifier) ? 'a local address' : 'plain http'})`,
            fix: 'import it from npm: or jsr:, or vendor it under supabase/functions/_shared/',
          });
        }
        continue;
      }
      const target = fn.importMap && mappedTarget(fn.importMap.imports, specifier);
      if (target === undefined) {
        findings.push({
          kind: 'import-unmapped',
          severity: 'error',
          ...at,
          message: `function ${fn.definition.name} imports bare "${specifier}", which no deno.json or import map of the function maps`,
          fix: `write "npm:${specifier}" (or jsr:), or map it in supabase/functions/${fn.definition.name}/deno.json "imports"`,
        });
        continue;
      }
      if (fn.importMap && isLocalTarget(target)) {
        const path = localPath(dirname(fn.importMap.path), target);
        if (!isInside(root, path)) {
          findings.push({
            kind: 'import-outside-functions',
            severity: 'error',
            ...at,
            message: `function ${fn.definition.name} imports "${specifier}", mapped by ${show(fn.importMap.path)} to ${show(path)}, outside supabase/functions`,
            fix: 'move the file under supabase/functions/_shared/ and map it there',
          });
        }
      }
    }
  }
  return findings;
}
