import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type pg from 'pg';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { connectDatabase, createPerson, uniqueSuffix } from './support/team.ts';

const run = promisify(execFile);
const deno = new URL('../../../node_modules/.bin/deno', import.meta.url).pathname;
const script = new URL('./fixtures/deno-client.ts', import.meta.url).pathname;
let db: pg.Client;

beforeAll(async () => {
  db = await connectDatabase();
});

afterAll(async () => {
  await db.end();
});

it('runs unchanged in Deno: the source imports, talks to the stack and throws GroundworkErrors', async () => {
  const person = await createPerson(db);
  const { apiUrl, publishableKey } = inject('stack');
  const slug = `deno-${uniqueSuffix()}`;
  const { stdout } = await run(
    deno,
    [
      'run',
      '--quiet',
      '--allow-net',
      '--allow-read',
      '--allow-env',
      '--node-modules-dir=manual',
      script,
      apiUrl,
      publishableKey,
      person.token,
      slug,
    ],
    { timeout: 60_000 },
  );
  expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({
    created: slug,
    roles: ['owner'],
    invalid: 'validation_failed',
  });
}, 90_000);
