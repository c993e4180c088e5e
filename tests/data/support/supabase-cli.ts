import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const cliPath = fileURLToPath(new URL('../../../node_modules/.bin/supabase', import.meta.url));

/** Runs the real Supabase CLI against a database URL; resolves with stdout, rejects with stderr. */
export function runSupabaseCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cliPath, args, { cwd: repoRoot, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`supabase ${args[0]} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** The CLI wants TLS settings spelled out for a plain local server. */
export function cliDbUrl(dbUrl: string): string {
  const url = new URL(dbUrl);
  url.searchParams.set('sslmode', 'disable');
  return url.toString();
}
