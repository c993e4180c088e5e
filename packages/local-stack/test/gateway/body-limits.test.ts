import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../src/testing/index.ts';
import { rawRequest, writeChunk } from './raw-http.ts';

const fixture = new URL('../fixtures/gateway-project', import.meta.url).pathname;
const MiB = 1024 * 1024;
const IDLE_TIMEOUT_MS = 400;

/**
 * Request bodies through the gateway: each mount's limit (413 in the service's own error
 * shape, before a declared body is read, once an undeclared one passes it) and the idle
 * timeout on a body that stops arriving (408), with the real clients apps use.
 */
describe('request body limits and timeouts', () => {
  let stack: TestStack;
  let service: SupabaseClient;
  let anon: SupabaseClient;

  beforeAll(async () => {
    stack = await startTestStack({ workdir: fixture, bodyIdleTimeoutMs: IDLE_TIMEOUT_MS });
    const options = { auth: { persistSession: false, autoRefreshToken: false } };
    service = createClient(stack.apiUrl, stack.keys.serviceRoleKey, options);
    anon = createClient(stack.apiUrl, stack.keys.publishableKey, options);
    const { error } = await service.storage.createBucket('files');
    expect(error).toBeNull();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const itemCount = async () =>
    Number((await stack.db.query('select count(*) from public.items')).rows[0].count);
  const apikey = () => ({ apikey: stack.keys.publishableKey });

  describe('413 over the mount limit', () => {
    it('refuses a REST body over 50 MiB in PostgREST’s shape, and PostgREST writes nothing', async () => {
      const before = await itemCount();
      const { error, status } = await service.from('items').insert({ label: 'x'.repeat(50 * MiB + 1) });
      expect(status).toBe(413);
      expect(error).toMatchObject({
        code: 'request_too_large',
        message: 'Request body too large',
        details: `The request body is larger than the ${50 * MiB}-byte limit`,
        hint: null,
      });
      expect(await itemCount()).toBe(before);
    });

    it('refuses an Auth body over 1 MiB in Auth’s shape, and no user is made', async () => {
      const email = 'too-large@example.com';
      const { data, error } = await anon.auth.signUp({ email, password: 'x'.repeat(2 * MiB) });
      expect(data.user).toBeNull();
      expect(error).toMatchObject({
        name: 'AuthApiError',
        status: 413,
        code: 'request_too_large',
        message: `Request body is larger than ${MiB} bytes`,
      });
      const { rows } = await stack.db.query('select 1 from auth.users where email = $1', [email]);
      expect(rows).toEqual([]);
    });

    it('refuses a Storage JSON body over 1 MiB in Storage’s shape, but not an upload of that size', async () => {
      const paths = Array.from(
        { length: 40_000 },
        (_, index) => `folder/some-rather-long-file-name-${index}.png`,
      );
      const { error } = await service.storage.from('files').remove(paths);
      expect(error).toMatchObject({ status: 400, statusCode: '413', message: 'Request body is too large' });
      const upload = await service.storage.from('files').upload('two-mib.bin', Buffer.alloc(2 * MiB, 7));
      expect(upload.error).toBeNull();
    });

    it('refuses a Functions body over 50 MiB with the edge runtime’s error shape, before the function reads it', async () => {
      const response = await fetch(`${stack.apiUrl}/functions/v1/echo-body`, {
        method: 'POST',
        body: Buffer.alloc(50 * MiB + 1),
      });
      expect(response.status).toBe(413);
      expect(response.headers.get('sb-error-code')).toBe('REQUEST_TOO_LARGE');
      expect(await response.json()).toEqual({
        code: 'REQUEST_TOO_LARGE',
        message: `The request body is larger than the ${50 * MiB}-byte limit`,
      });
      const { data, error } = await anon.functions.invoke('echo-body', { body: 'y'.repeat(MiB) });
      expect(error).toBeNull();
      expect(data).toMatchObject({ bytes: MiB });
    });

    it('refuses a body of undeclared length once it passes the limit, answering other requests meanwhile', async () => {
      const events: string[] = [];
      const refused = rawRequest(
        `${stack.apiUrl}/auth/v1/signup`,
        { headers: { ...apikey(), 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        async (request, answered) => {
          await writeChunk(request, `{"email":"chunked@example.com","password":"${'p'.repeat(512 * 1024)}`);
          // The body is half sent and its reader is waiting: every other request is still answered.
          const { data, error } = await anon.from('items').select('label').eq('id', 1);
          expect(error).toBeNull();
          expect(data).toEqual([{ label: 'first' }]);
          events.push('small request answered');
          let sent = false;
          void answered.then(() => {
            sent = true;
          });
          for (let chunk = 0; chunk < 64 && !sent; chunk++) await writeChunk(request, 'p'.repeat(64 * 1024));
        },
      ).then((answer) => {
        events.push('large body refused');
        return answer;
      });
      const answer = await refused;
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toEqual({
        code: 413,
        error_code: 'request_too_large',
        msg: `Request body is larger than ${MiB} bytes`,
      });
      expect(events).toEqual(['small request answered', 'large body refused']);
    });

    it('answers every small request while 50 MB sign-ins and sign-ups with the public key are refused', async () => {
      const password = 'x'.repeat(50_000_000);
      const email = 'huge-sign-up@example.com';
      const huge = [
        ...Array.from({ length: 2 }, () =>
          anon.auth.signInWithPassword({ email: 'someone@example.com', password }),
        ),
        anon.auth.signUp({ email, password }),
      ];
      const small = Array.from({ length: 10 }, () => anon.from('items').select('label').eq('id', 1));
      for (const { data, error } of await Promise.all(small)) {
        expect(error).toBeNull();
        expect(data).toEqual([{ label: 'first' }]);
      }
      for (const { error } of await Promise.all(huge)) {
        expect(error).toMatchObject({
          name: 'AuthApiError',
          status: 413,
          code: 'request_too_large',
          message: `Request body is larger than ${MiB} bytes`,
        });
      }
      const { rows } = await stack.db.query('select 1 from auth.users where email = $1', [email]);
      expect(rows).toEqual([]);
    });
  });

  describe('408 for a body that stops arriving', () => {
    /** Declares 1 KiB, sends 10 bytes, and waits: the gateway must answer without the rest. */
    const shortBody = (path: string, headers: Record<string, string> = {}) =>
      rawRequest(
        `${stack.apiUrl}${path}`,
        {
          headers: { ...apikey(), 'content-type': 'application/json', 'content-length': '1024', ...headers },
        },
        (request) => {
          request.write('{"email":"');
        },
      );

    it('answers Auth in Auth’s shape', async () => {
      const answer = await shortBody('/auth/v1/signup', { 'x-supabase-api-version': '2024-01-01' });
      expect(answer.status).toBe(408);
      expect(JSON.parse(answer.body)).toEqual({
        code: 'request_timeout',
        message: 'Timed out reading the request body',
      });
    });

    it('answers REST in PostgREST’s shape, and nothing is written', async () => {
      const before = await itemCount();
      const answer = await shortBody('/rest/v1/items', {
        authorization: `Bearer ${stack.keys.serviceRoleKey}`,
      });
      expect(answer.status).toBe(408);
      expect(JSON.parse(answer.body)).toEqual({
        code: 'request_timeout',
        message: 'Request body timed out',
        details: `The client sent no request body bytes for ${IDLE_TIMEOUT_MS / 1000} s`,
        hint: null,
      });
      expect(await itemCount()).toBe(before);
    });

    it('answers Storage in Storage’s shape, for JSON and for an upload, which leaves no object', async () => {
      const auth = { authorization: `Bearer ${stack.keys.serviceRoleKey}` };
      const json = await shortBody('/storage/v1/bucket', auth);
      expect(json.status).toBe(400);
      expect(JSON.parse(json.body)).toMatchObject({ statusCode: '408', error: 'Request Timeout' });
      const upload = await shortBody('/storage/v1/object/files/stalled.bin', {
        ...auth,
        'content-type': 'application/octet-stream',
      });
      expect(upload.status).toBe(400);
      expect(JSON.parse(upload.body)).toMatchObject({ statusCode: '408' });
      const { rows } = await stack.db.query(`select 1 from storage.objects where name = 'stalled.bin'`);
      expect(rows).toEqual([]);
    });

    it('answers Functions in the edge runtime’s shape, and the function’s process serves on', async () => {
      const before = (await (
        await fetch(`${stack.apiUrl}/functions/v1/echo-body`, { method: 'POST' })
      ).json()) as {
        pid: number;
      };
      const answer = await shortBody('/functions/v1/echo-body');
      expect(answer.status).toBe(408);
      expect(answer.headers['sb-error-code']).toBe('REQUEST_TIMEOUT');
      expect(JSON.parse(answer.body)).toEqual({
        code: 'REQUEST_TIMEOUT',
        message: 'Timed out reading the request body',
      });
      const after = (await (
        await fetch(`${stack.apiUrl}/functions/v1/echo-body`, { method: 'POST' })
      ).json()) as {
        pid: number;
      };
      expect(after.pid).toBe(before.pid);
    });

    it('keeps reading a slow body whose bytes keep coming within the idle timeout', async () => {
      const chunks = 6;
      const answer = await rawRequest(
        `${stack.apiUrl}/functions/v1/echo-body`,
        { headers: { 'content-length': String(chunks * 100) } },
        async (request) => {
          for (let chunk = 0; chunk < chunks; chunk++) {
            await writeChunk(request, 'z'.repeat(100));
            await new Promise((resolve) => setTimeout(resolve, IDLE_TIMEOUT_MS / 4));
          }
          request.end();
        },
      );
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ bytes: chunks * 100 });
    });
  });
});
