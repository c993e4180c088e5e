import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.ts';
import { createProjectKeys, type ProjectKeys } from '../config/project-keys.ts';
import { silentLogger } from '../logger.ts';
import type { Caller, ServiceEnv } from '../services/caller.ts';
import { type GatewayMode, MOUNTS, type Mount } from '../services/mounts.ts';
import type { Service } from '../services/service.ts';
import { mintUserToken } from '../testing/mint-user-token.ts';
import { createGatewayApp } from './app.ts';
import { listenGateway, type RunningGateway } from './server.ts';
import { createUpgradeHandler } from './upgrade.ts';

/**
 * The gateway in-process, as Hono tests apps: `app.request()` against the real mount
 * table and project keys, with services that answer with the caller they were handed.
 */

const USER_ID = '6f1c2a57-9a43-4a8e-bc43-7f2b8a1d2e01';
const NO_KEY = {
  message: 'No API key found in request',
  hint: 'No `apikey` request header or url param was found.',
};
const WRONG_KEY = {
  message: 'Invalid API key',
  hint: 'Double check your Supabase `anon` or `service_role` API key.',
};

/** The callers services were handed, latest last. */
const seen: Caller[] = [];

/** A service that records the caller the gateway resolved and answers with its own name. */
function echoService(mount: Mount, extra: Partial<Service> = {}): Service {
  const app = new Hono<ServiceEnv>();
  app.all('*', (c) => {
    seen.push(c.get('caller'));
    return c.json({ service: mount.service });
  });
  return { mount, app, close: async () => {}, ...extra };
}

/** Functions answer CORS themselves; this one does what `_shared/cors.ts` does. */
function functionsService(): Service {
  const app = new Hono<ServiceEnv>();
  app.options(
    '*',
    () => new Response('ok', { headers: { 'access-control-allow-origin': 'https://app.example' } }),
  );
  app.all('*', (c) => {
    seen.push(c.get('caller'));
    return c.json({ service: 'functions' });
  });
  return { mount: MOUNTS.functions, app, close: async () => {} };
}

let keys: ProjectKeys;
let projectDir: string;
let postgrest: http.Server;
let postgrestUrl: string;
const upgrades: Caller[] = [];

function realtimeService(): Service {
  return echoService(MOUNTS.realtime, {
    upgrade: (_request, socket, _head, caller) => {
      upgrades.push(caller);
      socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    },
  });
}

function allServices(): Service[] {
  return [
    echoService(MOUNTS.auth),
    echoService(MOUNTS.storage),
    realtimeService(),
    functionsService(),
    echoService(MOUNTS.mail),
  ];
}

function gateway(services: Service[] = allServices(), mode: GatewayMode = 'hosted') {
  return createGatewayApp({
    keys,
    mounts: MOUNTS,
    mode,
    postgrestUrl: () => postgrestUrl,
    services,
    log: silentLogger,
  });
}

async function callerAt(path: string, headers: Record<string, string>): Promise<Caller> {
  const response = await gateway().request(path, { headers });
  expect(response.status).toBe(200);
  const caller = seen.at(-1);
  if (!caller) throw new Error(`no service saw ${path}`);
  return caller;
}

const signedWith = (secret: string, claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));

beforeAll(async () => {
  projectDir = mkdtempSync(join(tmpdir(), 'groundwork-gateway-'));
  mkdirSync(join(projectDir, 'supabase'));
  writeFileSync(join(projectDir, 'supabase', 'config.toml'), 'project_id = "gateway-test"\n');
  keys = await createProjectKeys(loadConfig({ workdir: projectDir, env: {} }));
  // PostgREST's place: answers with the path and the Authorization it was sent.
  postgrest = http.createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ path: request.url, authorization: request.headers.authorization ?? null }));
  });
  await new Promise<void>((resolve) => postgrest.listen(0, '127.0.0.1', resolve));
  postgrestUrl = `http://127.0.0.1:${(postgrest.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => postgrest.close(resolve));
  rmSync(projectDir, { recursive: true, force: true });
});

describe('the key rule of each mount', () => {
  it.each([
    ['/rest/v1/notes'],
    ['/graphql/v1'],
    ['/auth/v1/user'],
    ['/auth/v1/admin/users'],
    ['/realtime/v1/api/broadcast'],
  ])('%s answers 401 in Supabase shape without a key and with a wrong one', async (path) => {
    const app = gateway();
    const missing = await app.request(path);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual(NO_KEY);
    const wrong = await app.request(path, { headers: { apikey: 'not-a-key' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual(WRONG_KEY);
    const inQuery = await app.request(`${path}?apikey=${keys.publishableKey}`);
    expect(inQuery.status).not.toBe(401);
  });

  it.each([
    ['/auth/v1/verify', 'auth'],
    ['/auth/v1/callback', 'auth'],
    ['/auth/v1/authorize', 'auth'],
    ['/auth/v1/.well-known/jwks.json', 'auth'],
    ['/storage/v1/object/public/avatars/a.png', 'storage'],
    ['/functions/v1/hello', 'functions'],
    ['/__mail/api/v1/messages', 'mail'],
  ])('%s reaches %s without a key', async (path, service) => {
    const response = await gateway().request(path);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ service });
  });

  it('refuses a JWT-shaped key this project did not sign as a wrong key, and takes the secret key', async () => {
    const forged = await signedWith('another-secret-that-is-at-least-32-characters', {
      role: 'service_role',
    });
    const app = gateway();
    const refused = await app.request('/auth/v1/admin/users', { headers: { apikey: forged } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual(WRONG_KEY);
    const accepted = await app.request('/auth/v1/admin/users', { headers: { apikey: keys.secretKey } });
    expect(accepted.status).toBe(200);
  });

  it('keeps open routes exact: a path that only starts like one still needs a key', async () => {
    const response = await gateway().request('/auth/v1/verifyx');
    expect(response.status).toBe(401);
  });

  it('lets preflights through without a key', async () => {
    const response = await gateway().request('/rest/v1/notes', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
    });
    expect(response.status).toBe(204);
  });
});

describe('the caller services are handed', () => {
  it.each([
    ['publishable', () => keys.publishableKey, 'anon'],
    ['secret', () => keys.secretKey, 'service_role'],
    ['legacy_anon', () => keys.anonKey, 'anon'],
    ['legacy_service_role', () => keys.serviceRoleKey, 'service_role'],
  ])('names a %s key and acts as its role with its JWT', async (kind, key, role) => {
    const caller = await callerAt('/storage/v1/bucket', { apikey: key() });
    expect(caller).toMatchObject({ role, apiKey: { kind }, bearer: 'none', tokenFailure: undefined });
    expect(caller.token).toBe(role === 'anon' ? keys.anonKey : keys.serviceRoleKey);
    expect(caller.claims).toMatchObject({ role });
  });

  it('names a missing key "none" and an unknown one "invalid", with no token to act with', async () => {
    expect(await callerAt('/storage/v1/bucket', {})).toMatchObject({
      role: 'anon',
      apiKey: { kind: 'none' },
      token: undefined,
      tokenFailure: 'missing',
    });
    const forgedKey = await signedWith('another-secret-that-is-at-least-32-characters', { role: 'anon' });
    expect(await callerAt('/storage/v1/bucket', { apikey: forgedKey })).toMatchObject({
      apiKey: { kind: 'invalid' },
      tokenFailure: 'missing',
    });
  });

  it("lets a user's Bearer JWT outrank the API key", async () => {
    const token = await mintUserToken(keys, { id: USER_ID });
    const caller = await callerAt('/storage/v1/bucket', {
      apikey: keys.publishableKey,
      authorization: `Bearer ${token}`,
    });
    expect(caller).toMatchObject({ role: 'authenticated', bearer: 'token', token, tokenFailure: undefined });
    expect(caller.claims).toMatchObject({ sub: USER_ID });
  });

  it('treats an opaque key in Authorization as acting with that key’s role', async () => {
    const caller = await callerAt('/storage/v1/bucket', { authorization: `Bearer ${keys.secretKey}` });
    expect(caller).toMatchObject({ role: 'service_role', bearer: 'api_key', token: keys.serviceRoleKey });
  });

  it.each([
    ['expired', () => mintUserToken(keys, { id: USER_ID, expiresInSeconds: -60 })],
    [
      'bad_signature',
      () => signedWith('another-secret-that-is-at-least-32-characters', { role: 'authenticated' }),
    ],
    ['malformed', async () => 'not-a-jwt'],
    ['malformed', async () => `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.bm90IGpzb24.sig`],
  ])('says why a Bearer token failed: %s', async (failure, token) => {
    const caller = await callerAt('/storage/v1/bucket', {
      apikey: keys.publishableKey,
      authorization: `Bearer ${await token()}`,
    });
    expect(caller).toMatchObject({ role: 'anon', bearer: 'token', claims: undefined, tokenFailure: failure });
  });

  it('forwards the resolved JWT to PostgREST in place of what the client sent', async () => {
    const response = await gateway().request('/rest/v1/notes?select=id', {
      headers: { apikey: keys.publishableKey, authorization: `Bearer ${keys.publishableKey}` },
    });
    expect(await response.json()).toEqual({
      path: '/notes?select=id',
      authorization: `Bearer ${keys.anonKey}`,
    });
  });
});

describe('services that are not running', () => {
  it.each([
    ['/storage/v1/bucket', 'storage'],
    ['/functions/v1/hello', 'functions'],
    ['/auth/v1/verify', 'auth'],
    ['/realtime/v1/api/ping', 'realtime'],
    ['/graphql/v1', 'graphql'],
  ])('%s answers a JSON 503 naming %s', async (path, service) => {
    const response = await gateway([]).request(path, { headers: { apikey: keys.publishableKey } });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      code: 'service_unavailable',
      message: `The ${service} service is not running in this stack`,
    });
  });

  it('still applies the key rule first, as Kong does', async () => {
    const response = await gateway([]).request('/auth/v1/settings');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(NO_KEY);
  });

  it('answers paths outside every mount with Kong’s 404', async () => {
    const response = await gateway().request('/nowhere');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'no Route matched with those values' });
  });
});

describe('a service that throws', () => {
  it('answers a JSON 500 that carries no stack trace', async () => {
    const app = new Hono<ServiceEnv>();
    app.get('*', () => {
      throw new Error('secret detail at /srv/internal.ts:12');
    });
    const response = await gateway([{ mount: MOUNTS.storage, app, close: async () => {} }]).request(
      '/storage/v1/bucket',
    );
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ code: 'internal_error', message: 'Internal server error' });
    expect(body).not.toContain('secret detail');
  });
});

describe('CORS', () => {
  const preflight = { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' };

  it('answers preflights and adds CORS headers for REST, Auth and Storage', async () => {
    const app = gateway();
    for (const path of ['/rest/v1/notes', '/auth/v1/token', '/storage/v1/bucket']) {
      const response = await app.request(path, { method: 'OPTIONS', headers: preflight });
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      const plain = await app.request(path, {
        headers: { origin: 'http://localhost:5173', apikey: keys.publishableKey },
      });
      expect(plain.headers.get('access-control-allow-origin')).toBe('*');
    }
  });

  it("lets browsers read Auth's API version header, as GoTrue's CORS does (supabase-js reads error codes by it)", async () => {
    const response = await gateway().request('/auth/v1/token', {
      headers: { origin: 'http://localhost:5173', apikey: keys.publishableKey },
    });
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(['x-supabase-api-version', 'x-total-count', 'link']));
  });

  it('hands /functions/v1 preflights to the function and adds no headers of its own', async () => {
    const app = gateway();
    const response = await app.request('/functions/v1/hello', { method: 'OPTIONS', headers: preflight });
    expect(await response.text()).toBe('ok');
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const plain = await app.request('/functions/v1/hello', { headers: { origin: 'http://localhost:5173' } });
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('supabase start’s gateway (mode supabase-start)', () => {
  const start = () => gateway(allServices(), 'supabase-start');

  it('forwards key-less REST to PostgREST with no Authorization, so it runs as anon', async () => {
    const response = await start().request('/rest/v1/notes?select=id');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ path: '/notes?select=id', authorization: null });
  });

  it.each([['/auth/v1/signup'], ['/auth/v1/admin/users'], ['/graphql/v1']])(
    '%s needs no key: the service decides, with the anon caller',
    async (path) => {
      const response = await start().request(path, { method: 'POST' });
      expect(response.status).not.toBe(401);
      if (path.startsWith('/auth'))
        expect(seen.at(-1)).toMatchObject({ role: 'anon', apiKey: { kind: 'none' } });
    },
  );

  it('still refuses Realtime without a key, whose server checks the key itself', async () => {
    const response = await start().request('/realtime/v1/api/broadcast', { method: 'POST' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(NO_KEY);
  });

  it('answers /functions/v1 preflights itself and adds CORS headers to function answers', async () => {
    const preflight = { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' };
    const response = await start().request('/functions/v1/hello', { method: 'OPTIONS', headers: preflight });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const plain = await start().request('/functions/v1/hello', {
      headers: { origin: 'http://localhost:5173' },
    });
    expect(plain.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('request bodies', () => {
  it('refuses a declared body over the mount’s limit with 413 before the service reads it', async () => {
    const response = await gateway().request('/rest/v1/notes', {
      method: 'POST',
      headers: { apikey: keys.publishableKey, 'content-length': String(MOUNTS.rest.maxBodyBytes + 1) },
      body: 'x',
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'request_too_large', hint: null });
  });

  it('answers with Kong’s words for a service that words none itself, once the body passes the limit', async () => {
    const reader = new Hono<ServiceEnv>();
    reader.post('*', async (c) => c.json({ read: (await c.req.text()).length }));
    const services = [{ mount: MOUNTS.mail, app: reader, close: async () => {} }];
    const over = await gateway(services).request('/__mail/api/v1/messages', {
      method: 'POST',
      body: 'x'.repeat(MOUNTS.mail.maxBodyBytes + 1),
    });
    expect(over.status).toBe(413);
    expect(await over.json()).toEqual({ message: 'Request size limit exceeded' });
    const at = await gateway(services).request('/__mail/api/v1/messages', {
      method: 'POST',
      body: 'x'.repeat(MOUNTS.mail.maxBodyBytes),
    });
    expect(await at.json()).toEqual({ read: MOUNTS.mail.maxBodyBytes });
  });

  it('refuses nothing a service does not read', async () => {
    const response = await gateway().request('/__mail/api/v1/messages', {
      method: 'POST',
      body: 'x'.repeat(MOUNTS.mail.maxBodyBytes + 1),
    });
    expect(await response.json()).toEqual({ service: 'mail' });
  });
});

describe('WebSocket upgrades', () => {
  let running: RunningGateway;
  const services = allServices();

  beforeAll(async () => {
    const app = gateway(services);
    const onUpgrade = createUpgradeHandler({ keys, mounts: MOUNTS, services, log: silentLogger });
    running = await listenGateway(app, onUpgrade, 0);
  });
  afterAll(() => running.close());

  /** Sends an upgrade request; resolves with the status and, for a refusal, the body. */
  const upgrade = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(path, running.url);
      const request = http.request(url, {
        headers: { connection: 'Upgrade', upgrade: 'websocket', ...headers },
      });
      request.on('upgrade', (response, socket) => {
        socket.destroy();
        resolve({ status: response.statusCode ?? 0, body: '' });
      });
      request.on('response', async (response) => {
        let body = '';
        for await (const chunk of response) body += chunk;
        resolve({ status: response.statusCode ?? 0, body });
      });
      request.on('error', reject);
      request.end();
    });

  it('refuses an upgrade without a key, or with a wrong one, with the same 401 bodies as HTTP', async () => {
    const missing = await upgrade('/realtime/v1/websocket?vsn=2.0.0');
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body)).toEqual(NO_KEY);
    const wrong = await upgrade('/realtime/v1/websocket?apikey=wrong');
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toEqual(WRONG_KEY);
  });

  it.each([
    [
      'a user token',
      () => mintUserToken(keys, { id: USER_ID }),
      () => ({
        apiKey: { kind: 'publishable', jwt: keys.anonKey },
        role: 'authenticated',
        tokenFailure: undefined,
      }),
    ],
    [
      'an expired token',
      () => mintUserToken(keys, { id: USER_ID, expiresInSeconds: -60 }),
      () => ({ role: 'anon', claims: undefined, tokenFailure: 'expired' }),
    ],
  ])('hands the service the caller an HTTP request with %s gets', async (_name, mint, expected) => {
    const token = await mint();
    upgrades.length = 0;
    const accepted = await upgrade(`/realtime/v1/websocket?apikey=${keys.publishableKey}`, {
      authorization: `Bearer ${token}`,
    });
    expect(accepted.status).toBe(101);
    const overHttp = await callerAt(`/realtime/v1/api/ping?apikey=${keys.publishableKey}`, {
      authorization: `Bearer ${token}`,
    });
    expect(upgrades).toEqual([overHttp]);
    expect(overHttp).toMatchObject(expected());
  });

  it('answers 404 for upgrades on a mount whose service takes none', async () => {
    expect((await upgrade(`/rest/v1/notes?apikey=${keys.publishableKey}`)).status).toBe(404);
    expect((await upgrade('/nowhere')).status).toBe(404);
  });
});
