import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthService } from '../src/services/auth/index.ts';
import { createMailCatcherService } from '../src/services/mail/index.ts';
import { createStorageService } from '../src/services/storage/index.ts';
import { startTestStack, type TestStack } from '../src/testing/index.ts';

// Postgres stops under a running stack (a crash, a restart, a laptop waking up): Auth and
// Storage must say "try again" (503 with a stable code), as REST does, never a 500 or a hang.
const workdir = new URL('./auth/fixtures/auth-project', import.meta.url).pathname;
const PASSWORD = 'correct1horse';
const email = `outage-${Date.now()}@example.com`;
const DATABASE_UNAVAILABLE = 'The database is not reachable right now; retry shortly';

let stack: TestStack;
let accessToken: string;
beforeAll(async () => {
  stack = await startTestStack({
    workdir,
    services: [createMailCatcherService, createAuthService, createStorageService],
  });
  const admin = createClient(stack.apiUrl, stack.keys.serviceRoleKey, { auth: { persistSession: false } });
  await admin.auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
  const signedIn = await anon().auth.signInWithPassword({ email, password: PASSWORD });
  accessToken = signedIn.data.session?.access_token ?? '';
  expect((await admin.storage.createBucket('outage')).error).toBeNull();
  expect((await admin.storage.from('outage').upload('a.txt', 'hello')).error).toBeNull();
  await stack.postgres.stop();
});
afterAll(async () => {
  await stack?.stop();
});

function anon() {
  return createClient(stack.apiUrl, stack.keys.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
}

/** A request that must be answered promptly: a hang fails the test instead of stalling it. */
async function call(path: string, init: RequestInit & { token?: string } = {}) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    ...init,
    headers: {
      apikey: stack.keys.serviceRoleKey,
      Authorization: `Bearer ${init.token ?? stack.keys.serviceRoleKey}`,
      'content-type': 'application/json',
      ...init.headers,
    },
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('while Postgres is down', () => {
  it('REST answers 503 (PostgREST), the reference Auth and Storage match', async () => {
    const { status } = await call('/rest/v1/');
    expect(status).toBe(503);
  });

  it('Auth answers 503 database_unavailable in GoTrue shape, to sign-in, sign-up, /user and admin', async () => {
    // supabase-js reads a 503 as AuthRetryableFetchError: the app is told to retry.
    const signIn = await anon().auth.signInWithPassword({ email, password: PASSWORD });
    expect(signIn.error).toMatchObject({ name: 'AuthRetryableFetchError', status: 503 });
    const signUp = await anon().auth.signUp({ email: `new-${email}`, password: PASSWORD });
    expect(signUp.error).toMatchObject({ name: 'AuthRetryableFetchError', status: 503 });
    const token = await call('/auth/v1/token?grant_type=password', {
      method: 'POST',
      token: stack.keys.anonKey,
      headers: { apikey: stack.keys.anonKey, 'X-Supabase-Api-Version': '2024-01-01' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(token).toEqual({
      status: 503,
      body: { code: 'database_unavailable', message: DATABASE_UNAVAILABLE },
    });
    const user = await call('/auth/v1/user', { token: accessToken });
    expect(user).toEqual({
      status: 503,
      body: { code: 503, error_code: 'database_unavailable', msg: DATABASE_UNAVAILABLE },
    });
    const list = await call('/auth/v1/admin/users');
    expect(list).toMatchObject({ status: 503, body: { error_code: 'database_unavailable' } });
  });

  it('Storage answers 503 DatabaseUnavailable in Storage shape, to bucket and object routes', async () => {
    const buckets = await call('/storage/v1/bucket');
    expect(buckets).toEqual({
      status: 503,
      body: {
        statusCode: '503',
        code: 'DatabaseUnavailable',
        error: 'DatabaseUnavailable',
        message: DATABASE_UNAVAILABLE,
      },
    });
    const object = await fetch(`${stack.apiUrl}/storage/v1/object/outage/a.txt`, {
      headers: { apikey: stack.keys.serviceRoleKey, Authorization: `Bearer ${stack.keys.serviceRoleKey}` },
      signal: AbortSignal.timeout(10_000),
    });
    expect(object.status).toBe(503);
    expect(await object.json()).toMatchObject({ code: 'DatabaseUnavailable' });
    const upload = await fetch(`${stack.apiUrl}/storage/v1/object/outage/b.txt`, {
      method: 'POST',
      headers: {
        apikey: stack.keys.serviceRoleKey,
        Authorization: `Bearer ${stack.keys.serviceRoleKey}`,
        'content-type': 'text/plain',
      },
      body: 'world',
      signal: AbortSignal.timeout(10_000),
    });
    expect(upload.status).toBe(503);
    expect(await upload.json()).toMatchObject({ code: 'DatabaseUnavailable' });
  });
});
