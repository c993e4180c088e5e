import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { functionsService } from '../../src/services/functions/functions-service.ts';
import { mintUserToken, startTestStack, type TestStack } from '../../src/testing/index.ts';

const fixture = new URL('../fixtures/functions-project', import.meta.url).pathname;
const WALL_CLOCK_MS = 1_500;

describe('edge functions on Deno behind /functions/v1', () => {
  let workdir: string;
  let stack: TestStack;
  const logLines: string[] = [];
  let userToken: string;

  beforeAll(async () => {
    // A copy, because the reload tests edit function files.
    workdir = mkdtempSync(join(tmpdir(), 'groundwork-functions-'));
    cpSync(fixture, workdir, { recursive: true });
    writeFileSync(
      join(workdir, 'supabase', 'functions', '.env'),
      'FROM_DOTENV=dotenv-secret\nSMTP_HOST=from-dotenv\nSUPABASE_URL=must-not-win\n',
    );
    stack = await startTestStack({
      workdir,
      services: [functionsService({ wallClockLimitMs: WALL_CLOCK_MS })],
      log: createLogger('test', (line) => logLines.push(line)),
    });
    userToken = await mintUserToken(stack.keys, { id: '00000000-0000-0000-0000-0000000000f1' });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(workdir, { recursive: true, force: true });
  });

  const call = (path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    const token = init.token ?? userToken;
    if (token) headers.set('authorization', `Bearer ${token}`);
    return fetch(`${stack.apiUrl}/functions/v1/${path}`, { ...init, headers });
  };

  it('runs a function and hands it the path, query, body and Authorization as hosted', async () => {
    const response = await call('hello/sub/path?x=1', { method: 'POST', body: 'payload' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      message: 'hello',
      method: 'POST',
      path: '/hello/sub/path',
      query: { x: '1' },
      body: 'payload',
      authorization: `Bearer ${userToken}`,
    });
  });

  it('is called by supabase-js functions.invoke with a signed-in user', async () => {
    const client = createClient(stack.apiUrl, stack.keys.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      global: { headers: { Authorization: `Bearer ${userToken}` } },
    });
    const { data, error } = await client.functions.invoke('hello', { body: { a: 1 } });
    expect(error).toBeNull();
    expect(data).toMatchObject({ message: 'hello', body: '{"a":1}' });
  });

  it('keeps the process warm between requests', async () => {
    const first = (await (await call('hello')).json()) as { pid: number };
    const second = (await (await call('hello')).json()) as { pid: number };
    expect(second.pid).toBe(first.pid);
  });

  describe('verify_jwt', () => {
    it('answers 401 "Missing authorization header" before the function runs', async () => {
      const response = await fetch(`${stack.apiUrl}/functions/v1/hello`);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ code: 401, message: 'Missing authorization header' });
    });

    it('answers 401 "Invalid JWT" for a forged, expired or non-JWT token', async () => {
      const expired = await mintUserToken(stack.keys, { id: crypto.randomUUID(), expiresInSeconds: -60 });
      for (const token of [
        'not-a-jwt',
        `${userToken.slice(0, -4)}AAAA`,
        expired,
        stack.keys.publishableKey,
      ]) {
        const response = await call('hello', { token });
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({ code: 401, message: 'Invalid JWT' });
      }
    });

    it('accepts the anon and service_role keys as JWTs', async () => {
      for (const token of [stack.keys.anonKey, stack.keys.serviceRoleKey]) {
        expect((await call('hello', { token })).status).toBe(200);
      }
    });

    it('lets any request through when the function sets verify_jwt = false', async () => {
      const response = await fetch(`${stack.apiUrl}/functions/v1/echo-env`);
      expect(response.status).toBe(200);
    });
  });

  it('gives the function the hosted environment, config secrets and supabase/functions/.env', async () => {
    const env = (await (await fetch(`${stack.apiUrl}/functions/v1/echo-env`)).json()) as Record<
      string,
      string
    >;
    expect(env).toMatchObject({
      SUPABASE_URL: stack.apiUrl,
      SUPABASE_ANON_KEY: stack.keys.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: stack.keys.serviceRoleKey,
      SUPABASE_DB_URL: stack.status.DB_URL,
      SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: stack.keys.publishableKey }),
      SUPABASE_SECRET_KEYS: JSON.stringify({ default: stack.keys.secretKey }),
      FROM_CONFIG: 'config-secret',
      FROM_DOTENV: 'dotenv-secret',
      SMTP_HOST: 'from-dotenv',
      SMTP_PORT: String(stack.config.ports.smtp),
    });
    expect(Object.keys(env).filter((name) => name.startsWith('GROUNDWORK_'))).toEqual([]);
  });

  it('serves the `export default { fetch }` form', async () => {
    const response = await call('default-export', { method: 'PUT' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('default export saw PUT');
  });

  it('serves a function whose module awaits server.finished at the top level', async () => {
    const response = await call('awaits-finished');
    expect(await response.text()).toBe('still serving');
  });

  it('loads npm: packages and _shared code through the function deno.json import map', async () => {
    const ok = await call('uses-shared', { method: 'POST', body: JSON.stringify({ name: 'Ada' }) });
    expect(await ok.json()).toEqual({ greeting: 'shared v1', name: 'Ada' });
    const bad = await call('uses-shared', { method: 'POST', body: JSON.stringify({ name: '' }) });
    expect(bad.status).toBe(400);
  });

  it('passes answers through intact: empty, repeated headers, streamed and compressed bodies', async () => {
    const empty = await call('responses/no-content');
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe('');
    const cookies = await call('responses/cookies');
    expect(cookies.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(await (await call('responses/stream')).text()).toBe('one two three');
    const large = await call('responses/large', { headers: { 'accept-encoding': 'gzip' } });
    expect(large.status).toBe(200);
    expect((await large.text()).length).toBe(200_000);
  });

  it('serves text/html answers to GET as text/plain, as hosted does without a custom domain', async () => {
    const get = await call('responses/html');
    expect(get.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await get.text()).toBe('<p>hi</p>');
    const post = await call('responses/html', { method: 'POST' });
    expect(post.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('answers 405 to methods hosted Edge Functions do not support', async () => {
    const head = await call('hello', { method: 'HEAD' });
    expect(head.status).toBe(405);
    expect(head.headers.get('sb-error-code')).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers 404 for an unknown name, a shared folder and a malformed name', async () => {
    for (const name of ['does-not-exist', '_shared', '..%2Fhello']) {
      const response = await call(name);
      expect(response.status).toBe(404);
      expect(response.headers.get('sb-error-code')).toBe('NOT_FOUND');
      expect(await response.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('hands a CORS preflight to the function without asking for a JWT, and adds no CORS of its own', async () => {
    // As hosted: `hello` has verify_jwt on and answers CORS nowhere, so a browser would be
    // refused here exactly as it would be once deployed.
    const preflight = await fetch(`${stack.apiUrl}/functions/v1/hello`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, x-client-info, apikey, content-type',
      },
    });
    expect(preflight.status).toBe(200);
    expect(await preflight.json()).toMatchObject({ message: 'hello', method: 'OPTIONS' });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();

    const plain = await call('hello', {
      method: 'POST',
      body: 'x',
      headers: { origin: 'http://localhost:5173' },
    });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 500 with a JSON body when the function throws, logs it, and keeps the process', async () => {
    const failed = await call('throws', { method: 'POST' });
    expect(failed.status).toBe(500);
    expect(failed.headers.get('sb-error-code')).toBe('EDGE_FUNCTION_ERROR');
    expect(await failed.json()).toMatchObject({ code: 'WORKER_ERROR' });
    expect(logLines.some((line) => line.includes('boom from the throws fixture'))).toBe(true);

    const before = (await (await call('throws/ok')).json()) as { pid: number };
    expect((await call('throws')).status).toBe(500);
    const after = (await (await call('throws/ok')).json()) as { ok: boolean; pid: number };
    expect(after).toEqual({ ok: true, pid: before.pid });
  });

  it('answers 500 when the Deno process dies mid-request, and starts a new one for the next', async () => {
    const before = (await (await call('exits/ok')).json()) as { pid: number };
    const crashed = await call('exits');
    expect(crashed.status).toBe(500);
    expect(await crashed.json()).toMatchObject({ code: 'WORKER_ERROR' });
    const after = await call('exits/ok');
    expect(after.status).toBe(200);
    expect(((await after.json()) as { pid: number }).pid).not.toBe(before.pid);
  });

  it('ends only the request a client aborts: the function sees its signal, the process serves on', async () => {
    const client = new AbortController();
    const hold = call('abortable/hold', { signal: client.signal }).catch((error: Error) => error);
    const { pid } = (await (await call('abortable/held')).json()) as { pid: number };
    client.abort();
    expect(await hold).toMatchObject({ name: 'AbortError' });
    const after = (await (await call('abortable/aborted')).json()) as { pid: number; abortedCount: number };
    expect(after).toEqual({ pid, abortedCount: 1 });
    expect(logLines.filter((line) => /abortable.*(failed mid-request|reloading)/.test(line))).toEqual([]);
  });

  it('answers 503 BOOT_ERROR when the function fails while loading, and logs why', async () => {
    const response = await call('broken');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: 'BOOT_ERROR' });
    expect(logLines.some((line) => line.includes('this function fails while loading'))).toBe(true);
  });

  it('answers 504 past the wall-clock limit and serves the next request from a fresh process', async () => {
    const first = (await (await call('never-answers/ok')).json()) as { pid: number };
    const started = Date.now();
    const response = await call('never-answers');
    expect(response.status).toBe(504);
    expect(response.headers.get('sb-error-code')).toBe('IDLE_TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(WALL_CLOCK_MS - 50);
    const next = await call('never-answers/ok');
    expect(next.status).toBe(200);
    expect(((await next.json()) as { pid: number }).pid).not.toBe(first.pid);
  });

  it('reloads a function after its file is edited', async () => {
    const path = join(workdir, 'supabase', 'functions', 'hello', 'index.ts');
    const before = (await (await call('hello')).json()) as { version: number };
    expect(before.version).toBe(1);
    writeFileSync(path, readFileSync(path, 'utf8').replace('version: 1', 'version: 2'));
    await expect
      .poll(async () => ((await (await call('hello')).json()) as { version: number }).version, {
        timeout: 10_000,
        interval: 200,
      })
      .toBe(2);
  });

  it('lets an answer that is still streaming finish when its function reloads', async () => {
    const response = await call('responses/slow-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    const path = join(workdir, 'supabase', 'functions', 'responses', 'index.ts');
    writeFileSync(path, `${readFileSync(path, 'utf8')}\n// edited while answering\n`);
    // The reload takes the process out of service while its answer is half sent.
    await expect
      .poll(() => logLines.some((line) => line.includes('reloading: its files changed')), { interval: 20 })
      .toBe(true);
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      text += decoder.decode(chunk.value, { stream: true });
    }
    expect(text).toBe('one two three');
  });

  it('reloads functions that import _shared code when it changes', async () => {
    const body = JSON.stringify({ name: 'Ada' });
    expect(await (await call('uses-shared', { method: 'POST', body })).json()).toMatchObject({
      greeting: 'shared v1',
    });
    writeFileSync(
      join(workdir, 'supabase', 'functions', '_shared', 'greeting.ts'),
      "export const greeting = 'shared v2';\n",
    );
    await expect
      .poll(
        async () =>
          ((await (await call('uses-shared', { method: 'POST', body })).json()) as { greeting: string })
            .greeting,
        {
          timeout: 10_000,
          interval: 200,
        },
      )
      .toBe('shared v2');
  });

  it('restarts functions with the new values after supabase/functions/.env is edited', async () => {
    writeFileSync(join(workdir, 'supabase', 'functions', '.env'), 'FROM_DOTENV=edited\n');
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${stack.apiUrl}/functions/v1/echo-env`)).json()) as Record<string, string>)
            .FROM_DOTENV,
        { timeout: 10_000, interval: 200 },
      )
      .toBe('edited');
  });

  it('serves a function added while the stack runs', async () => {
    const dir = join(workdir, 'supabase', 'functions', 'added-later');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'index.ts'),
      "declare const Deno: { serve(handler: () => Response): unknown };\nDeno.serve(() => new Response('new'));\n",
    );
    const response = await call('added-later');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('new');
  });

  it('stops every Deno process it started when the stack stops', async () => {
    const pids = await Promise.all(
      ['hello', 'throws/ok', 'never-answers/ok'].map(
        async (path) => ((await (await call(path)).json()) as { pid: number }).pid,
      ),
    );
    await stack.stop();
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(() => pids.filter(alive), { timeout: 5_000 }).toEqual([]);
  });
});
