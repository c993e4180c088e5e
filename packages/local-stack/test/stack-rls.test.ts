import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintUserToken, startTestStack, type TestStack } from '../src/testing/index.ts';

const USER_A = '00000000-0000-0000-0000-00000000000a';
const fixture = new URL('./fixtures/rls-project', import.meta.url).pathname;

describe('a hosted-style migration with RLS, served by the local stack', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // No services mounted: this suite is about Postgres, PostgREST and the gateway.
    stack = await startTestStack({ workdir: fixture, services: [] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const client = (key: string, accessToken?: string) =>
    createClient(stack.apiUrl, key, {
      auth: { persistSession: false, autoRefreshToken: false },
      ...(accessToken ? { global: { headers: { Authorization: `Bearer ${accessToken}` } } } : {}),
    });

  it('runs on the ports it bound as it started (a test stack asks for port 0 everywhere)', async () => {
    const { api, db } = stack.config.ports;
    expect(api).toBeGreaterThan(0);
    expect(db).toBeGreaterThan(0);
    expect(stack.apiUrl).toBe(`http://127.0.0.1:${api}`);
    expect(new URL(stack.status.DB_URL).port).toBe(String(db));
    const { rows } = await stack.db.query('select 1 as one');
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('records the migration in supabase_migrations.schema_migrations as the CLI does', async () => {
    const { rows } = await stack.db.query('select version, name from supabase_migrations.schema_migrations');
    expect(rows).toEqual([{ version: '20250101000000', name: 'notes' }]);
  });

  it('denies anon every row', async () => {
    const { data, error } = await client(stack.keys.anonKey).from('notes').select('*');
    expect(error).toBeNull();
    expect(data).toEqual([]);
  });

  it('lets service_role see all rows, with the legacy and the sb_secret key', async () => {
    for (const key of [stack.keys.serviceRoleKey, stack.keys.secretKey]) {
      const { data, error } = await client(key).from('notes').select('body').order('body');
      expect(error).toBeNull();
      expect(data?.map((row) => row.body)).toEqual(['a1', 'a2', 'b1']);
    }
  });

  it("shows user A only A's rows, and auth.uid() is A inside SQL", async () => {
    const token = await mintUserToken(stack.keys, { id: USER_A });
    const asA = client(stack.keys.publishableKey, token);
    const { data } = await asA.from('notes').select('body').order('body');
    expect(data?.map((row) => row.body)).toEqual(['a1', 'a2']);
    const inserted = await asA.from('notes').insert({ body: 'a3' }).select('owner_id').single();
    expect(inserted.data?.owner_id).toBe(USER_A);
    const forged = await asA
      .from('notes')
      .insert({ body: 'x', owner_id: '00000000-0000-0000-0000-00000000000b' });
    expect(forged.error?.code).toBe('42501');
    expect((await asA.rpc('whoami')).data).toBe(USER_A);
  });

  it('calls SQL functions with rpc()', async () => {
    const { data, error } = await client(stack.keys.anonKey).rpc('add_numbers', { a: 2, b: 40 });
    expect(error).toBeNull();
    expect(data).toBe(42);
  });

  it('answers 401 in Supabase shape without an API key, and with a wrong one', async () => {
    const missing = await fetch(`${stack.apiUrl}/rest/v1/notes`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ message: 'No API key found in request' });
    const wrong = await fetch(`${stack.apiUrl}/rest/v1/notes`, {
      headers: { apikey: 'sb_publishable_nope' },
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ message: 'Invalid API key' });
  });

  it('rejects an expired user JWT with PostgREST 401 even when the API key is valid', async () => {
    const expired = await mintUserToken(stack.keys, { id: USER_A, expiresInSeconds: -60 });
    const { error, status } = await client(stack.keys.anonKey, expired).from('notes').select('*');
    expect(status).toBe(401);
    expect(error?.code).toBe('PGRST301');
  });

  it('answers CORS preflight for any origin', async () => {
    const response = await fetch(`${stack.apiUrl}/rest/v1/notes`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'apikey, authorization, content-type, x-client-info',
      },
    });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('apikey');
  });

  it('answers a JSON 503 naming a service that is not mounted', async () => {
    const response = await fetch(`${stack.apiUrl}/storage/v1/bucket`, {
      headers: { apikey: stack.keys.anonKey },
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      code: 'service_unavailable',
      message: 'The storage service is not running in this stack',
    });
  });

  it('brings PostgREST back after it is killed', async () => {
    const pid = stack.postgrest.process.pid as number;
    process.kill(pid, 'SIGKILL');
    const anon = client(stack.keys.anonKey);
    let result = await anon.rpc('add_numbers', { a: 1, b: 1 });
    for (let attempt = 0; result.data !== 2 && attempt < 100; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      result = await anon.rpc('add_numbers', { a: 1, b: 1 });
    }
    expect(result.data).toBe(2);
    expect(stack.postgrest.process.pid).not.toBe(pid);
    // The supervisor counts the restart once its own /ready probe answers, which can come
    // just after the new process has served the request above.
    for (let attempt = 0; stack.postgrest.process.restarts === 0 && attempt < 100; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(stack.postgrest.process.restarts).toBe(1);
  });
});
