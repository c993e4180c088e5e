import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

/** Formats generated TypeScript with the repo's Biome settings, so generated files read like ours. */
export function formatGenerated(source: string): string {
  const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
  return execFileSync(process.execPath, [biome, 'format', '--stdin-file-path=generated.ts'], {
    input: source,
    encoding: 'utf8',
    cwd: new URL('..', import.meta.url).pathname,
  });
}
