/**
 * Regenerates packages/sdk/src/database.gen.ts with the real `supabase gen types`,
 * against a throwaway stack built from supabase/migrations (no running stack needed).
 *
 *   npm run gen:types
 */
import { writeFileSync } from 'node:fs';
import { generateTypes } from '@groundwork/local-stack';
import { startTestStack } from '@groundwork/local-stack/testing';
import { formatGenerated } from './format-generated.ts';

export const TYPES_FILE = new URL('../packages/sdk/src/database.gen.ts', import.meta.url);
const workdir = new URL('..', import.meta.url).pathname;

await using stack = await startTestStack({ workdir, services: [] });
const types = await generateTypes({ dbUrl: stack.status.DB_URL, workdir, schemas: ['public'] });
writeFileSync(TYPES_FILE, formatGenerated(types));
console.log(`wrote ${TYPES_FILE.pathname}`);
