/**
 * Regenerates docs/api-keys.openapi.json, the OpenAPI 3.1 description of the machine API, from
 * a throwaway stack built from supabase/migrations (no running stack needed).
 *
 *   npm run gen:openapi
 */
import { writeFileSync } from 'node:fs';
import { startTestStack } from '@groundwork/local-stack/testing';
import pg from 'pg';
import { machineOpenApi } from './openapi/machine-api.ts';

export const OPENAPI_FILE = new URL('../docs/api-keys.openapi.json', import.meta.url);
const workdir = new URL('..', import.meta.url).pathname;

await using stack = await startTestStack({ workdir, services: [] });
const db = new pg.Client({ connectionString: stack.status.DB_URL });
await db.connect();
writeFileSync(OPENAPI_FILE, `${JSON.stringify(await machineOpenApi(db), null, 2)}\n`);
await db.end();
console.log(`wrote ${OPENAPI_FILE.pathname}`);
