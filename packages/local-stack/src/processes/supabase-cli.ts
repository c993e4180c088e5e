import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cliWorkdirFor } from './cli-workdir.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real Supabase CLI binary, as the `supabase` npm package resolves it. */
export function supabaseCliBinary(): string {
  const require = createRequire(import.meta.url);
  const cliPackage = dirname(
    require.resolve(`@supabase/cli-${process.platform}-${process.arch}/package.json`, {
      paths: [dirname(require.resolve('supabase/package.json'))],
    }),
  );
  return join(cliPackage, 'bin', process.platform === 'win32' ? 'supabase.exe' : 'supabase');
}

export async function runSupabaseCli(args: string[], options: { cwd: string }): Promise<CliResult> {
  const child = spawn(supabaseCliBinary(), args, {
    cwd: options.cwd,
    env: {
      ...process.env,
      // The local database has no TLS; say so up front instead of letting the CLI try and warn.
      PGSSLMODE: 'disable',
      DO_NOT_TRACK: '1',
      SUPABASE_TELEMETRY_DISABLED: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => resolve(exitCode ?? 1));
  });
  return { code, stdout, stderr };
}

/**
 * The CLI run on a project folder (`--workdir`), given a translated copy of config.toml when
 * the project still uses keys from Supabase CLI 2 that CLI 3 refuses (see cli-workdir.ts).
 */
export async function runSupabaseCliOnProject(workdir: string, args: string[]): Promise<CliResult> {
  const cliWorkdir = cliWorkdirFor(workdir);
  try {
    return await runSupabaseCli([...args, '--workdir', cliWorkdir.path], { cwd: workdir });
  } finally {
    cliWorkdir.dispose();
  }
}
