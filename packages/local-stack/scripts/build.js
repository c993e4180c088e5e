/**
 * `npm run build`: src/ → dist/ as plain JavaScript and declarations (tsc, type checking
 * left to `npm run typecheck`), plus the files the runtime reads from beside its code:
 * the platform bootstrap SQL and the script Deno runs for each edge function.
 * Runs on `npm install`/`npm ci` (prepare) and before `npm pack`/`npm publish`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const dist = join(packageDir, 'dist');

/** Folders under src/ that are read at run time as they are (not imported by Node). */
const RUNTIME_FOLDERS = ['database/bootstrap', 'services/functions/deno'];

rmSync(dist, { recursive: true, force: true });

const require = createRequire(import.meta.url);
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

for (const folder of RUNTIME_FOLDERS) {
  cpSync(join(packageDir, 'src', folder), join(dist, folder), { recursive: true });
}
