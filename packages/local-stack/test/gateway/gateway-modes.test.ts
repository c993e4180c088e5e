import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDatabase, startTestStack, type TestStack } from '../../src/testing/index.ts';

const fixture = new URL('../fixtures/gateway-project', import.meta.url).pathname;
const NO_KEY = {
  message: 'No API key found in request',
  hint: 'No `apikey` request header or url param was found.',
};
const PREFLIGHT = {
  method: 'OPTIONS',
  headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
};

/**
 * The two gateways code is written against: hosted Supabase's (the default) and the Kong
 * that `supabase start` runs (GROUNDWORK_GATEWAY=supabase-start), same requests, both stacks.
 * The second serves a copy of the first's database (startTestDatabase in the first's Postgres,
 * which holds this project's template): its own gateway, PostgREST, Auth and Functions, with
 * rows of its own, without a second Postgres.
 */
describe('gateway modes', () => {
  let hosted: TestStack;
  let supabaseStart: TestStack;
  beforeAll(async () => {
    hosted = await startTestStack({ workdir: fixture });
    supabaseStart = await startTestDatabase({
      dbUrl: hosted.status.DB_URL,
      workdir: fixture,
      gateway: 'supabase-start',
      // No other file takes a copy from this server.
      spareDatabases: 0,
    });
  });
  afterAll(async () => {
    // The copy lives in the hosted stack's server: it goes first.
    await supabaseStart?.stop();
    await hosted?.stop();
  });

  describe('hosted (default)', () => {
    it('needs an API key on REST and Auth, as the platform’s gateway does', async () => {
      for (const path of ['/rest/v1/items?select=label', '/auth/v1/settings']) {
        const response = await fetch(`${hosted.apiUrl}${path}`);
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual(NO_KEY);
      }
    });

    it('hands a function’s preflight to the function and adds no CORS headers', async () => {
      const preflight = await fetch(`${hosted.apiUrl}/functions/v1/no-cors`, PREFLIGHT);
      expect(await preflight.text()).toBe('no-cors OPTIONS');
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('supabase-start', () => {
    it('serves key-less REST as anon: rows anon may read, writes anon may not make', async () => {
      const read = await fetch(`${supabaseStart.apiUrl}/rest/v1/items?select=label`);
      expect(read.status).toBe(200);
      expect(await read.json()).toEqual([{ label: 'first' }]);
      const write = await fetch(`${supabaseStart.apiUrl}/rest/v1/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ label: 'from anon' }),
      });
      expect(write.status).toBe(401);
      expect(await write.json()).toMatchObject({ code: '42501' });
    });

    it('serves Auth without a key: sign-up, then the user’s own token is what counts', async () => {
      const signUp = await fetch(`${supabaseStart.apiUrl}/auth/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'keyless@example.com', password: 'a-good-password' }),
      });
      expect(signUp.status).toBe(200);
      const { access_token: token } = (await signUp.json()) as { access_token: string };
      const user = await fetch(`${supabaseStart.apiUrl}/auth/v1/user`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(await user.json()).toMatchObject({ email: 'keyless@example.com' });
      const insert = await fetch(`${supabaseStart.apiUrl}/rest/v1/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ label: 'from a user' }),
      });
      expect(insert.status).toBe(201);
    });

    it('answers a function’s preflight itself and adds CORS headers to its answers', async () => {
      const preflight = await fetch(`${supabaseStart.apiUrl}/functions/v1/no-cors`, PREFLIGHT);
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
      expect(await preflight.text()).toBe('');
      const call = await fetch(`${supabaseStart.apiUrl}/functions/v1/no-cors`, {
        method: 'POST',
        headers: { origin: 'http://localhost:5173' },
      });
      expect(await call.text()).toBe('no-cors POST');
      expect(call.headers.get('access-control-allow-origin')).toBe('*');
    });

    it('still lets supabase-js work as it does with keys', async () => {
      const client = createClient(supabaseStart.apiUrl, supabaseStart.keys.publishableKey, {
        auth: { persistSession: false, autoRefreshToken: false },
      });
      const { data, error } = await client.from('items').select('label').eq('id', 1);
      expect(error).toBeNull();
      expect(data).toEqual([{ label: 'first' }]);
    });

    it('keeps Realtime’s own key check: a key-less socket is refused', async () => {
      const response = await fetch(`${supabaseStart.apiUrl}/realtime/v1/api/broadcast`, { method: 'POST' });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual(NO_KEY);
    });
  });
});
