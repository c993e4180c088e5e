/**
 * `npm run build`: src/ → dist/ as plain JavaScript and declarations (tsc, type checking
 * left to `npm run typecheck`), plus the files the runtime reads from beside its code: every
 * non-TypeScript file (bootstrap SQL, extension control and script files) and the scripts Deno
 * runs (`deno/` folders, TypeScript that Node never imports).
 * Runs on `npm install`/`npm ci` (prepare) and before `npm pack`/`npm publish`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const dist = join(packageDir, 'dist');

const isRuntimeFile = (path) =>
  !path.endsWith('.md') && (!path.endsWith('.ts') || path.split(sep).includes('deno'));

rmSync(dist, { recursive: true, force: true });

const require = createRequire(import.meta.url);
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

const src = join(packageDir, 'src');
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile()) continue;
  const path = relative(src, join(entry.parentPath, entry.name));
  if (!isRuntimeFile(path)) continue;
  mkdirSync(dirname(join(dist, path)), { recursive: true });
  cpSync(join(src, path), join(dist, path));
}
