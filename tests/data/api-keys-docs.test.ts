import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant, type Tenant } from './support/fixtures.ts';
import { userClient } from './support/rest-personas.ts';
import { connect } from './support/sql-identity.ts';

// docs/api-keys.md's curl examples, run as written against the stack: each ```sh block with the
// ```json block after it, the answer it must give (the shown fields; other fields may follow).

const run = promisify(execFile);
const stack = inject('stack');
const docs = readFileSync(new URL('../../docs/api-keys.md', import.meta.url), 'utf8');
const examples = [...docs.matchAll(/```sh\n([\s\S]*?)```\s*```json\n([\s\S]*?)```/g)].map((m) => ({
  command: m[1] as string,
  answer: JSON.parse(m[2] as string) as unknown,
}));

let db: pg.Client;
let tenant: Tenant;
const env: Record<string, string> = {};

beforeAll(async () => {
  db = connect(stack.dbUrl);
  await db.connect();
  tenant = await createTenant(db, 'pro');
  const owner = await userClient(stack, tenant.users.owner);
  const create = async (name: string, permissions = ['projects.read', 'tasks.read']) => {
    const { data, error } = await owner.rpc('create_api_key', {
      workspace_id: tenant.workspaceId,
      name,
      permissions,
    });
    if (error) throw error;
    return data as { id: string; key: string };
  };
  const ci = await create('CI');
  const revoked = await create('Old CI');
  await owner.rpc('revoke_api_key', { key_id: revoked.id });
  const siem = await create('SIEM', ['audit.read']);
  Object.assign(env, {
    API_URL: stack.apiUrl,
    PUBLISHABLE_KEY: stack.publishableKey,
    GW_API_KEY: ci.key,
    REVOKED_API_KEY: revoked.key,
    TASK_ID: tenant.taskId,
    AUDIT_API_KEY: siem.key,
    WORKSPACE_ID: tenant.workspaceId,
  });
});

afterAll(async () => {
  await db.end();
});

describe('docs/api-keys.md', () => {
  it('has curl examples with their answers', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  it.each(examples.map((example, index) => [index + 1, example] as const))(
    'curl example %i answers as the page shows',
    async (_, { command, answer }) => {
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', command], {
        env: { PATH: process.env.PATH ?? '', ...env },
      });
      expect(JSON.parse(stdout)).toMatchObject(answer as object);
    },
  );

  it('lists every API key code of the error vocabulary', async () => {
    const { errorCodes } = await import('../../supabase/functions/_shared/error-vocabulary.ts');
    for (const code of errorCodes.filter((c) => c.startsWith('api_key_'))) {
      expect(docs, code).toContain(`| \`${code}\` |`);
    }
  });
});
