import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MACHINE_RPCS, MACHINE_TABLES, machineOpenApi } from '../../scripts/openapi/machine-api.ts';
import { connect } from './support/sql-identity.ts';

// docs/api-keys.openapi.json is generated from the schema (npm run gen:openapi); regenerated
// here from the migrated database, it must be the checked-in file exactly.

const stack = inject('stack');
let db: pg.Client;

beforeAll(async () => {
  db = connect(stack.dbUrl);
  await db.connect();
});

afterAll(async () => {
  await db.end();
});

describe('the machine API description', () => {
  it('docs/api-keys.openapi.json is what the migrated schema generates (run npm run gen:openapi)', async () => {
    const checkedIn = JSON.parse(
      readFileSync(new URL('../../docs/api-keys.openapi.json', import.meta.url), 'utf8'),
    );
    expect(checkedIn).toEqual(await machineOpenApi(db));
  });

  it('is OpenAPI 3.1 and describes every machine table and RPC, with the key header and 429', async () => {
    const spec = (await machineOpenApi(db)) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, { name: string }>; responses: Record<string, unknown> };
    };
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths).sort()).toEqual(
      [...MACHINE_TABLES.map((t) => `/${t}`), ...MACHINE_RPCS.map((r) => `/rpc/${r}`)].sort(),
    );
    expect(spec.components.securitySchemes.workspaceApiKey?.name).toBe('Groundwork-Api-Key');
    expect(JSON.stringify(spec.components.responses.RateLimited)).toContain('Retry-After');
  });
});
