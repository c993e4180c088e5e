import { describe, expect, inject, it } from 'vitest';
import { cliDbUrl, runSupabaseCli } from './support/supabase-cli.ts';

interface Lint {
  name: string;
  level: 'ERROR' | 'WARN' | 'INFO';
  detail: string;
}

describe('supabase db advisors', () => {
  it('reports nothing at WARN or ERROR on the migrated schema', { timeout: 120_000 }, async () => {
    const out = await runSupabaseCli([
      'db',
      'advisors',
      `--remote=${cliDbUrl(inject('stack').dbUrl)}`,
      '--yes',
      '--level',
      'warn',
      '--output-format',
      'json',
    ]);
    const { results } = JSON.parse(out) as { results: Lint[] };
    expect(results.map((lint) => `${lint.level} ${lint.name}: ${lint.detail}`)).toEqual([]);
  });
});
