import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../../src/testing/index.ts';
import { adminClient, clientFor, startAuthStack, uniqueEmail } from './auth-test-stack.ts';

const PASSWORD = 'correct1horse';

let stack: TestStack;
let userEmail: string;
let userToken: string;
beforeAll(async () => {
  stack = await startAuthStack('auth-project');
  userEmail = uniqueEmail('bad-input');
  await adminClient(stack).auth.admin.createUser({
    email: userEmail,
    password: PASSWORD,
    email_confirm: true,
  });
  const { data } = await clientFor(stack).auth.signInWithPassword({ email: userEmail, password: PASSWORD });
  userToken = data.session?.access_token ?? '';
});
afterAll(async () => {
  await stack?.stop();
});

interface Call {
  method?: string;
  path: string;
  body?: string;
  token?: string;
  key?: 'anon' | 'service';
  /** Ask for the 2024-01-01 error shape, as supabase-js does. */
  versioned?: boolean;
}

/** A raw request, so the body can be anything; returns status and GoTrue's error code in either body shape. */
async function call({ method = 'POST', path, body, token, key = 'anon', versioned = false }: Call) {
  const apikey = key === 'anon' ? stack.keys.anonKey : stack.keys.serviceRoleKey;
  const response = await fetch(`${stack.apiUrl}/auth/v1${path}`, {
    method,
    headers: {
      apikey,
      'content-type': 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(versioned ? { 'X-Supabase-Api-Version': '2024-01-01' } : {}),
    },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  return { status: response.status, code: json.error_code ?? json.code, json, headers: response.headers };
}

describe('error body shapes', () => {
  it('sends {code: status, error_code, msg} to clients without an API version', async () => {
    const { status, json } = await call({ path: '/signup', body: '{' });
    expect(status).toBe(400);
    expect(json).toMatchObject({ code: 400, error_code: 'bad_json', msg: expect.stringContaining('JSON') });
  });

  it('sends {code, message} and echoes the version header to 2024-01-01 clients', async () => {
    const { status, json, headers } = await call({ path: '/signup', body: '{', versioned: true });
    expect(status).toBe(400);
    expect(json).toMatchObject({ code: 'bad_json', message: expect.stringContaining('JSON') });
    expect(headers.get('x-supabase-api-version')).toBe('2024-01-01');
  });
});

describe('bad input gets GoTrue status and error_code, never a 500', () => {
  const malformed = ['{', '{"email":', 'not json', '[1,2]', '"a string"'];
  const cases: [string, Call, number, string][] = [
    ...malformed.map((body): [string, Call, number, string] => [
      `malformed ${body} on /signup`,
      { path: '/signup', body },
      400,
      'bad_json',
    ]),
    ['malformed JSON on password grant', { path: '/token?grant_type=password', body: '{x' }, 400, 'bad_json'],
    ['malformed JSON on /otp', { path: '/otp', body: '{x' }, 400, 'bad_json'],
    ['malformed JSON on /verify', { path: '/verify', body: '{x' }, 400, 'bad_json'],
    ['malformed JSON on /recover', { path: '/recover', body: '{x' }, 400, 'bad_json'],
    ['malformed JSON on /admin/users', { path: '/admin/users', body: '{x', key: 'service' }, 400, 'bad_json'],
    ['email of the wrong type', { path: '/signup', body: '{"email":42,"password":"x"}' }, 400, 'bad_json'],
    [
      'data of the wrong type',
      { path: '/signup', body: '{"email":"a@b.co","password":"abc12345x","data":"x"}' },
      400,
      'bad_json',
    ],
    [
      'password of the wrong type',
      { path: '/token?grant_type=password', body: '{"email":"a@b.co","password":true}' },
      400,
      'bad_json',
    ],
    [
      'create_user of the wrong type',
      { path: '/otp', body: '{"email":"a@b.co","create_user":"no"}' },
      400,
      'bad_json',
    ],
    [
      'sign-up without a password',
      { path: '/signup', body: '{"email":"nopass@example.com"}' },
      400,
      'validation_failed',
    ],
    [
      'password grant without email',
      { path: '/token?grant_type=password', body: '{"password":"x"}' },
      400,
      'validation_failed',
    ],
    [
      'refresh grant without a token',
      { path: '/token?grant_type=refresh_token', body: '{}' },
      400,
      'validation_failed',
    ],
    [
      'pkce grant without code or verifier',
      { path: '/token?grant_type=pkce', body: '{}' },
      400,
      'validation_failed',
    ],
    ['verify without a type', { path: '/verify', body: '{"token_hash":"x"}' }, 400, 'validation_failed'],
    [
      'verify with an unknown type',
      { path: '/verify', body: '{"type":"bogus","token_hash":"x"}' },
      400,
      'validation_failed',
    ],
    ['verify without a token', { path: '/verify', body: '{"type":"signup"}' }, 400, 'validation_failed'],
    [
      'verify with both a token and a token hash',
      { path: '/verify', body: '{"type":"email","token":"123456","token_hash":"x","email":"a@b.co"}' },
      400,
      'validation_failed',
    ],
    [
      'verify with a token hash and an email',
      { path: '/verify', body: '{"type":"magiclink","token_hash":"x","email":"a@b.co"}' },
      400,
      'validation_failed',
    ],
    [
      'verify with a code and an invalid email',
      { path: '/verify', body: '{"type":"email","token":"123456","email":"nope"}' },
      422,
      'validation_failed',
    ],
    [
      'verify with an unknown token hash',
      { path: '/verify', body: '{"type":"signup","token_hash":"deadbeef"}' },
      403,
      'otp_expired',
    ],
    [
      'verify with a wrong code',
      { path: '/verify', body: '{"type":"email","email":"a@b.co","token":"000000"}' },
      403,
      'otp_expired',
    ],
    [
      'an invalid email on sign-up',
      { path: '/signup', body: '{"email":"not-an-email","password":"abc12345x"}' },
      400,
      'email_address_invalid',
    ],
    ['an invalid email on /otp', { path: '/otp', body: '{"email":"a@"}' }, 400, 'email_address_invalid'],
    [
      'an invalid email on /recover',
      { path: '/recover', body: '{"email":"two@@example.com"}' },
      400,
      'email_address_invalid',
    ],
    ['an empty email on /recover', { path: '/recover', body: '{}' }, 400, 'validation_failed'],
    [
      'an invalid email on admin create',
      { path: '/admin/users', body: '{"email":"x y@z"}', key: 'service' },
      400,
      'email_address_invalid',
    ],
    [
      'a short password',
      { path: '/signup', body: '{"email":"weak1@example.com","password":"ab1"}' },
      422,
      'weak_password',
    ],
    [
      'a password without digits',
      { path: '/signup', body: '{"email":"weak2@example.com","password":"onlyletters"}' },
      422,
      'weak_password',
    ],
    [
      'wrong password',
      { path: '/token?grant_type=password', body: '{"email":"nobody@example.com","password":"abc12345x"}' },
      400,
      'invalid_credentials',
    ],
    ['an unknown grant type', { path: '/token?grant_type=magic', body: '{}' }, 400, 'invalid_credentials'],
    ['no grant type', { path: '/token', body: '{}' }, 400, 'invalid_credentials'],
    [
      'an unknown refresh token',
      { path: '/token?grant_type=refresh_token', body: '{"refresh_token":"zzzzzzzzzzzz"}' },
      400,
      'refresh_token_not_found',
    ],
    [
      'an unknown PKCE auth code',
      { path: '/token?grant_type=pkce', body: '{"auth_code":"nope","code_verifier":"x"}' },
      404,
      'flow_state_not_found',
    ],
    [
      'a bad PKCE challenge method',
      {
        path: '/signup',
        body: '{"email":"p@example.com","password":"abc12345x","code_challenge":"x","code_challenge_method":"md5"}',
      },
      400,
      'validation_failed',
    ],
    [
      'a resend of an unknown type',
      { path: '/resend', body: '{"type":"bogus","email":"a@b.co"}' },
      400,
      'validation_failed',
    ],
    ['GET /user without a token', { method: 'GET', path: '/user' }, 401, 'no_authorization'],
    [
      'admin get with a non-UUID id',
      { method: 'GET', path: '/admin/users/nope', key: 'service' },
      404,
      'validation_failed',
    ],
    [
      'admin get of an unknown user',
      { method: 'GET', path: '/admin/users/00000000-0000-0000-0000-0000000000ff', key: 'service' },
      404,
      'user_not_found',
    ],
    [
      'admin create with a bad ban duration',
      { path: '/admin/users', body: '{"email":"ban@example.com","ban_duration":"forever"}', key: 'service' },
      400,
      'validation_failed',
    ],
    [
      'generate_link with an unknown type',
      { path: '/admin/generate_link', body: '{"type":"x","email":"a@b.co"}', key: 'service' },
      400,
      'validation_failed',
    ],
    [
      'a NUL character in a refresh token',
      { path: '/token?grant_type=refresh_token', body: '{"refresh_token":"abc\\u0000def"}' },
      400,
      'validation_failed',
    ],
    [
      'a NUL character in user metadata',
      {
        path: '/signup',
        body: '{"email":"nul@example.com","password":"abc12345x","data":{"name":"a\\u0000b"}}',
      },
      400,
      'validation_failed',
    ],
    ['an unknown route', { method: 'GET', path: '/no/such/route' }, 404, 'not_found'],
  ];

  it.each(cases)('%s', async (_name, request, status, code) => {
    const result = await call(request);
    expect({ status: result.status, code: result.code }).toEqual({ status, code });
  });

  it('lists the weak_password reasons, which supabase-js surfaces as AuthWeakPasswordError', async () => {
    const { json } = await call({ path: '/signup', body: '{"email":"weak3@example.com","password":"ab"}' });
    expect(json.weak_password).toEqual({ reasons: ['length', 'characters'] });
    const { error } = await clientFor(stack).auth.signUp({ email: uniqueEmail('weak'), password: 'abc' });
    expect(error?.name).toBe('AuthWeakPasswordError');
    expect(error).toMatchObject({ status: 422, code: 'weak_password', reasons: ['length', 'characters'] });
  });

  it('refuses app_metadata changes from a user with not_admin', async () => {
    const result = await call({
      method: 'PUT',
      path: '/user',
      token: userToken,
      body: '{"app_metadata":{"plan":"pro"}}',
    });
    expect({ status: result.status, code: result.code }).toEqual({ status: 403, code: 'not_admin' });
  });

  it('rejects an unsupported logout scope', async () => {
    const result = await call({ path: '/logout?scope=everyone', token: userToken });
    expect({ status: result.status, code: result.code }).toEqual({ status: 400, code: 'validation_failed' });
  });
});

describe('expired, tampered and foreign tokens', () => {
  it('refuses an expired access token with bad_jwt', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = JSON.parse(Buffer.from(userToken.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const expired = await stack.keys.signer.sign({ ...claims, iat: now - 7200, exp: now - 3600 });
    const result = await call({ method: 'GET', path: '/user', token: expired });
    expect({ status: result.status, code: result.code }).toEqual({ status: 403, code: 'bad_jwt' });
  });

  it('refuses a token whose payload was altered', async () => {
    const [header, payload, signature] = userToken.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'service_role' })).toString('base64url');
    const result = await call({ method: 'GET', path: '/user', token: `${header}.${forged}.${signature}` });
    expect({ status: result.status, code: result.code }).toEqual({ status: 403, code: 'bad_jwt' });
    const admin = await call({
      method: 'GET',
      path: '/admin/users',
      token: `${header}.${forged}.${signature}`,
    });
    expect(admin.status).toBe(403);
  });

  it('refuses a token signed with another secret and a token without a subject', async () => {
    const foreign = await new SignJWT({ sub: crypto.randomUUID(), role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-that-is-at-least-32-characters'));
    expect((await call({ method: 'GET', path: '/user', token: foreign })).code).toBe('bad_jwt');
    expect((await call({ method: 'GET', path: '/user', token: stack.keys.anonKey })).code).toBe('bad_jwt');
  });

  it('refuses a valid token for a user that no longer exists', async () => {
    const email = uniqueEmail('gone');
    const created = await adminClient(stack).auth.admin.createUser({
      email,
      password: PASSWORD,
      email_confirm: true,
    });
    const { data } = await clientFor(stack).auth.signInWithPassword({ email, password: PASSWORD });
    await adminClient(stack).auth.admin.deleteUser(created.data.user?.id ?? '');
    const result = await call({ method: 'GET', path: '/user', token: data.session?.access_token ?? '' });
    expect({ status: result.status, code: result.code }).toEqual({ status: 403, code: 'user_not_found' });
  });

  it('refuses a replayed refresh token outside the reuse interval and a token from a signed-out session', async () => {
    const { data } = await clientFor(stack).auth.signInWithPassword({ email: userEmail, password: PASSWORD });
    const first = data.session?.refresh_token ?? '';
    await call({ path: '/token?grant_type=refresh_token', body: JSON.stringify({ refresh_token: first }) });
    await stack.db.query(
      "update auth.refresh_tokens set updated_at = now() - interval '1 hour' where token = $1",
      [first],
    );
    const replay = await call({
      path: '/token?grant_type=refresh_token',
      body: JSON.stringify({ refresh_token: first }),
    });
    expect({ status: replay.status, code: replay.code }).toEqual({
      status: 400,
      code: 'refresh_token_already_used',
    });

    const fresh = await clientFor(stack).auth.signInWithPassword({ email: userEmail, password: PASSWORD });
    await call({ path: '/logout?scope=local', token: fresh.data.session?.access_token ?? '' });
    const afterLogout = await call({
      path: '/token?grant_type=refresh_token',
      body: JSON.stringify({ refresh_token: fresh.data.session?.refresh_token }),
    });
    expect({ status: afterLogout.status, code: afterLogout.code }).toEqual({
      status: 400,
      code: 'refresh_token_not_found',
    });
    const stale = await call({ method: 'GET', path: '/user', token: fresh.data.session?.access_token ?? '' });
    expect({ status: stale.status, code: stale.code }).toEqual({ status: 403, code: 'session_not_found' });
  });

  it('redirects a bad or used verify link to site_url with the error in the fragment', async () => {
    const response = await fetch(
      `${stack.apiUrl}/auth/v1/verify?token=nope&type=signup&redirect_to=http://localhost:3000/x`,
      {
        redirect: 'manual',
      },
    );
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.pathname).toBe('/x');
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('error_code')).toBe('otp_expired');
    expect(fragment.get('error')).toBe('access_denied');
  });
});
