import type { Session } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
// Brings in the `inject('stack')` typing the shared test stack provides.
import type {} from '../../../../tests/global-setup.ts';
import { createAuthService } from '../../src/services/auth/index.ts';
import { createMailCatcherService } from '../../src/services/mail/index.ts';
import { startTestDatabase, type TestStack } from '../../src/testing/index.ts';
import { clientFor, codeIn, latestMailTo, uniqueEmail } from './auth-test-stack.ts';

const PASSWORD = 'correct-horse';

// Auth with the default [auth.rate_limit] values (sign_in_sign_ups = 30, token_refresh = 150,
// token_verifications = 30 per 5 minutes), confirmations off, max_frequency = "60s", anonymous
// sign-ins off and secure_password_change on, each laid over the project's config.toml here, so
// the test does not depend on what the project sets. Limits are per Auth server, so each of the
// two runs for a copy of the shared stack's database of its own (startTestDatabase): no other
// file's requests count against them, and their users meet no other file's.
// `stack` trusts the test process as a reverse proxy, so each test plays its own client
// address with X-Forwarded-For; `untrusted` trusts no proxy, as a stack does by default.
const workdir = new URL('../../../../', import.meta.url).pathname;
const configOverrides = {
  auth: {
    enable_anonymous_sign_ins: false,
    rate_limit: { sign_in_sign_ups: 30, token_refresh: 150, token_verifications: 30 },
    email: { enable_confirmations: false, secure_password_change: true, max_frequency: '60s' },
  },
};
const startAuth = (trustedProxies?: string[]) =>
  startTestDatabase({
    dbUrl: inject('stack').dbUrl,
    workdir,
    services: [createMailCatcherService, createAuthService],
    configOverrides,
    ...(trustedProxies ? { trustedProxies } : {}),
  });
let stack: TestStack;
let untrusted: TestStack;
beforeAll(async () => {
  [stack, untrusted] = await Promise.all([startAuth(['127.0.0.1', '::1']), startAuth()]);
});
afterAll(async () => {
  await Promise.all([stack?.stop(), untrusted?.stop()]);
});

/** A raw call from `clientIp` (as a trusted proxy reports it), returning status and error code. */
async function post(target: TestStack, path: string, body: unknown, clientIp?: string) {
  const response = await fetch(`${target.apiUrl}/auth/v1${path}`, {
    method: 'POST',
    headers: {
      apikey: target.keys.anonKey,
      'content-type': 'application/json',
      ...(clientIp ? { 'x-forwarded-for': clientIp } : {}),
    },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { error_code?: string; msg?: string };
  return { status: response.status, code: json.error_code, message: json.msg };
}

/** Sign-up requests GoTrue counts but refuses cheaply (no password): they still take a token. */
const cheapSignUp = (target: TestStack, clientIp?: string) =>
  post(target, '/signup', { email: uniqueEmail('burst'), password: '' }, clientIp);

describe('rate limits as GoTrue keeps them (token buckets per endpoint family and client address)', () => {
  it('lets 21 sign-ups and 10 password sign-ins through in a few seconds with default limits', async () => {
    const supabase = clientFor(stack, { clientIp: '198.51.100.1' });
    const emails: string[] = [];
    for (let index = 0; index < 21; index += 1) {
      const email = uniqueEmail('suite');
      const { error } = await supabase.auth.signUp({ email, password: PASSWORD });
      expect(error).toBeNull();
      emails.push(email);
    }
    for (const email of emails.slice(0, 10)) {
      const { data, error } = await supabase.auth.signInWithPassword({ email, password: PASSWORD });
      expect(error).toBeNull();
      expect(data.session?.access_token).toBeTruthy();
    }
  });

  it('refuses the 31st sign-up in a burst from one address with over_request_rate_limit, not other addresses or families', async () => {
    const client = '198.51.100.2';
    for (let index = 0; index < 30; index += 1) {
      expect(await cheapSignUp(stack, client)).toMatchObject({ status: 400, code: 'validation_failed' });
    }
    expect(await cheapSignUp(stack, client)).toEqual({
      status: 429,
      code: 'over_request_rate_limit',
      message: 'Request rate limit reached',
    });
    // supabase-js sees GoTrue's 429 as an AuthApiError with the code.
    const { error } = await clientFor(stack, { clientIp: client }).auth.signUp({
      email: uniqueEmail('limited'),
      password: PASSWORD,
    });
    expect(error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
    // Another address has its own bucket; the same address still signs in (the token bucket)
    // and still asks for a recovery mail (its own bucket, also sized by sign_in_sign_ups).
    expect(await cheapSignUp(stack, '198.51.100.3')).toMatchObject({ status: 400 });
    expect(
      await post(stack, '/token?grant_type=password', { email: 'nobody@example.com', password: 'x' }, client),
    ).toMatchObject({ status: 400, code: 'invalid_credentials' });
    expect(await post(stack, '/recover', { email: 'nobody@example.com' }, client)).toMatchObject({
      status: 200,
    });
  });

  it('counts password sign-ins and refreshes in the token bucket (token_refresh), which refills', async () => {
    const client = '198.51.100.4';
    const signIn = () =>
      post(stack, '/token?grant_type=password', { email: 'nobody@example.com', password: 'x' }, client);
    const started = performance.now();
    const statuses: number[] = [];
    for (let index = 0; index < 40; index += 1) statuses.push((await signIn()).status);
    const seconds = (performance.now() - started) / 1000;
    const allowed = statuses.filter((status) => status !== 429).length;
    // A burst of 30, plus what 150 per 5 minutes (0.5/s) gave back while the loop ran.
    expect(allowed).toBeGreaterThanOrEqual(30);
    expect(allowed).toBeLessThanOrEqual(30 + Math.ceil(seconds * 0.5));
    expect(statuses.at(-1)).toBe(429);
    expect(
      await post(stack, '/token?grant_type=refresh_token', { refresh_token: 'unknown' }, client),
    ).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
    // Sign-ups from the same address are another family.
    expect(await cheapSignUp(stack, client)).toMatchObject({ status: 400 });
    // One token comes back every 2 s.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await signIn()).toMatchObject({ status: 400, code: 'invalid_credentials' });
    expect(await signIn()).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
  });

  it('limits /verify per address with token_verifications, answering the JSON 429 rather than a redirect', async () => {
    const client = '198.51.100.5';
    const verify = () => post(stack, '/verify', { type: 'signup', token_hash: 'nope' }, client);
    for (let index = 0; index < 30; index += 1) expect((await verify()).status).not.toBe(429);
    expect(await verify()).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
    const link = await fetch(`${stack.apiUrl}/auth/v1/verify?type=signup&token=nope`, {
      redirect: 'manual',
      headers: { 'x-forwarded-for': client },
    });
    expect(link.status).toBe(429);
  });

  it('believes X-Forwarded-For only from a trusted proxy: by default a client cannot pick its address', async () => {
    // No proxy is trusted: every request counts under the socket's address, whatever it claims.
    for (let index = 0; index < 30; index += 1) {
      expect((await cheapSignUp(untrusted, `203.0.113.${index + 1}`)).status).toBe(400);
    }
    expect(await cheapSignUp(untrusted, '203.0.113.200')).toMatchObject({
      status: 429,
      code: 'over_request_rate_limit',
    });
    expect(await cheapSignUp(untrusted)).toMatchObject({ status: 429 });
  });
});

describe('config.toml switches', () => {
  it('autoconfirms when enable_confirmations is false, and refuses a second sign-up with user_already_exists', async () => {
    const email = uniqueEmail('limits');
    const supabase = clientFor(stack, { clientIp: '198.51.100.9' });
    const first = await supabase.auth.signUp({ email, password: PASSWORD });
    expect(first.error).toBeNull();
    expect(first.data.session?.access_token).toBeTruthy();
    const second = await supabase.auth.signUp({ email, password: PASSWORD });
    expect(second.error).toMatchObject({ status: 422, code: 'user_already_exists' });
  });

  it('refuses anonymous sign-in when it is switched off', async () => {
    const { error } = await clientFor(stack).auth.signInAnonymously();
    expect(error).toMatchObject({ status: 422, code: 'anonymous_provider_disabled' });
  });

  it('allows one recovery mail per max_frequency and answers the next with over_email_send_rate_limit', async () => {
    const email = uniqueEmail('freq');
    const headers = {
      apikey: stack.keys.anonKey,
      'content-type': 'application/json',
      'x-forwarded-for': '203.0.113.10',
    };
    await fetch(`${stack.apiUrl}/auth/v1/signup`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect((await clientFor(stack).auth.resetPasswordForEmail(email)).error).toBeNull();
    expect((await latestMailTo(stack, email, 'Reset Your Password')).Subject).toBe('Reset Your Password');
    const again = await clientFor(stack).auth.resetPasswordForEmail(email);
    expect(again.error).toMatchObject({ status: 429, code: 'over_email_send_rate_limit' });
  });
});

describe('secure_password_change', () => {
  it('asks a session older than 24 hours to reauthenticate, then accepts the mailed nonce', async () => {
    const email = uniqueEmail('secure');
    const supabase = clientFor(stack, { clientIp: '198.51.100.20' });
    const { data } = await supabase.auth.signUp({ email, password: PASSWORD });
    const session = data.session as Session;
    await supabase.auth.setSession(session);
    await stack.db.query(
      "update auth.sessions set created_at = now() - interval '2 days' where user_id = $1",
      [session.user.id],
    );
    const refused = await supabase.auth.updateUser({ password: 'brand-new-pass' });
    expect(refused.error).toMatchObject({ status: 400, code: 'reauthentication_needed' });

    expect((await supabase.auth.reauthenticate()).error).toBeNull();
    const nonce = codeIn((await latestMailTo(stack, email, 'Confirm reauthentication')).HTML);
    const wrong = await supabase.auth.updateUser({ password: 'brand-new-pass', nonce: '000000' });
    expect(wrong.error).toMatchObject({ status: 400, code: 'reauthentication_not_valid' });
    const accepted = await supabase.auth.updateUser({ password: 'brand-new-pass', nonce });
    expect(accepted.error).toBeNull();
  });
});
