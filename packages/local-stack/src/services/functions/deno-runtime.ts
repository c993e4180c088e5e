import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionDefinition } from './function-catalog.ts';

/** The `@deno/*` package that carries the binary for this machine (the `deno` package's own naming). */
function denoPlatformPackage(): string {
  const platform =
    process.platform === 'linux' ? `linux-${process.arch}-glibc` : `${process.platform}-${process.arch}`;
  return `@deno/${platform}`;
}

/**
 * The Deno binary the `deno` npm package brought. Its postinstall only links the platform
 * package's binary into `node_modules/deno/`; when install scripts were not allowed (npm 12
 * blocks them by default) the binary is taken from the platform package directly.
 */
export function denoBinary(): string {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('deno/package.json'));
  const executable = process.platform === 'win32' ? 'deno.exe' : 'deno';
  const linked = join(packageDir, executable);
  if (existsSync(linked)) return linked;
  const platformDir = dirname(
    createRequire(join(packageDir, 'package.json')).resolve(`${denoPlatformPackage()}/package.json`),
  );
  return join(platformDir, executable);
}

/**
 * Where Deno keeps downloaded npm packages and compiled code: one cache beside the
 * installed packages, shared by every stack and test run on the machine, so CI
 * downloads each `npm:` dependency once.
 */
export function defaultDenoDir(): string {
  const require = createRequire(import.meta.url);
  const nodeModules = dirname(dirname(require.resolve('deno/package.json')));
  return join(nodeModules, '.cache', 'groundwork-deno');
}

export const BOOT_SCRIPT = fileURLToPath(new URL('./deno/boot.ts', import.meta.url));

/** Flags that make `deno run` / `deno check` resolve a function's imports as deploy does. */
export function denoModuleFlags(definition: Pick<FunctionDefinition, 'denoConfig'>): string[] {
  const flags = [
    '--no-lock',
    // The repo's own node_modules must not leak into functions: hosted has none.
    '--node-modules-dir=none',
  ];
  const { denoConfig } = definition;
  if (!denoConfig) flags.push('--no-config');
  else if (denoConfig.kind === 'config') flags.push(`--config=${denoConfig.path}`);
  else flags.push('--no-config', `--import-map=${denoConfig.path}`);
  return flags;
}

/**
 * `deno run` arguments for a function process. Permissions follow hosted's sandbox:
 * network, environment, reading files and system info; writing only to the temp dir;
 * no subprocesses and no FFI.
 */
export function denoRunArgs(definition: FunctionDefinition): string[] {
  return [
    'run',
    '--quiet',
    '--no-prompt',
    ...denoModuleFlags(definition),
    '--allow-net',
    '--allow-env',
    '--allow-read',
    '--allow-sys',
    `--allow-write=${tmpdir()}`,
    BOOT_SCRIPT,
  ];
}
