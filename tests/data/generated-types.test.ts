import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { formatGenerated } from '../../scripts/format-generated.ts';
import { cliDbUrl, runSupabaseCli } from './support/supabase-cli.ts';

const typesFile = new URL('../../packages/sdk/src/database.gen.ts', import.meta.url);

describe('generated database types', () => {
  it('packages/sdk/src/database.gen.ts matches the migrations (run `npm run gen:types`)', {
    timeout: 120_000,
  }, async () => {
    const generated = await runSupabaseCli([
      'gen',
      'types',
      '--lang',
      'typescript',
      `--remote=${cliDbUrl(inject('stack').dbUrl)}`,
      '--schema',
      'public',
    ]);
    expect(formatGenerated(generated)).toBe(readFileSync(typesFile, 'utf8'));
  });
});
