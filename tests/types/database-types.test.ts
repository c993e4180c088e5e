import { readFileSync } from 'node:fs';
import { generateTypes } from '@groundwork/local-stack';
import { expect, inject, it } from 'vitest';
import { formatGenerated } from '../../scripts/format-generated.ts';

it('the committed database types match what `supabase gen types` prints for the migrations (run `npm run gen:types`)', async () => {
  const { dbUrl } = inject('stack');
  const generated = await generateTypes({
    dbUrl,
    workdir: new URL('../..', import.meta.url).pathname,
    schemas: ['public'],
  });
  const committed = readFileSync(new URL('../../packages/sdk/src/database.gen.ts', import.meta.url), 'utf8');
  expect(committed).toBe(formatGenerated(generated));
});
