import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../../tests/support/chromium.ts';
import { createAuthService } from '../../src/services/auth/index.ts';
import { createMailCatcherService } from '../../src/services/mail/index.ts';
import { createSmsCatcherService } from '../../src/services/sms/index.ts';
import { followOAuthFlow, startTestStack, type TestStack } from '../../src/testing/index.ts';
import { clientFor, decodeJwt, fixture, uniqueEmail } from './auth-test-stack.ts';

const PASSWORD = 'correct1horse';

let stack: TestStack;
let browser: Browser;
/** The app the browser returns to: it only answers with a page, the test reads the URL. */
let app: Server;
let appOrigin: string;

beforeAll(async () => {
  app = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>app</title><p id="back">back in the app</p>');
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', () => resolve()));
  appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  [stack, browser] = await Promise.all([
    startTestStack({
      workdir: fixture('phone-oauth-project'),
      services: [createMailCatcherService, createSmsCatcherService, createAuthService],
      // The site URL is where a refused redirect_to falls back to: the app's /site page here.
      configOverrides: { auth: { site_url: `${appOrigin}/site` } },
    }),
    launchChromium(),
  ]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await new Promise((resolve) => app?.close(resolve));
});

type TestUser = 'ada' | 'alan' | { email: string; name: string } | 'cancel';

/**
 * Opens `url` (Auth's /authorize) in Chromium, signs in on the local identity provider's
 * page as `user` (a preset button, or the typed form), and returns where the browser ends up.
 */
async function throughBrowser(
  url: string,
  user: TestUser,
  provider = 'github',
  context?: BrowserContext,
): Promise<URL> {
  const page = context ? await context.newPage() : await browser.newPage();
  try {
    await page.goto(url);
    await page.getByRole('heading', { name: `Sign in with ${provider}` }).waitFor({ timeout: 30_000 });
    if (user === 'cancel') {
      await page.getByRole('button', { name: /Cancel/ }).click();
    } else if (typeof user === 'string') {
      await page.locator(`button[data-email="${user}@example.com"]`).click();
    } else {
      await page.locator('#typed input[name="email"]').fill(user.email);
      await page.locator('#typed input[name="name"]').fill(user.name);
      await page.locator('#typed button').click();
    }
    await page
      .waitForURL((target) => target.origin === appOrigin, { timeout: 30_000 })
      .catch(async (error: Error) => {
        // Name the page the browser was left on (the provider's error text, say).
        const text = (await page.locator('body').innerText()).slice(0, 300);
        throw new Error(`${error.message}; stuck at ${page.url()}: ${text}`);
      });
    await page.locator('#back').waitFor();
    return new URL(page.url());
  } finally {
    await page.close();
  }
}

async function oauthUrl(supabase: SupabaseClient, provider: string, redirectTo = `${appOrigin}/done`) {
  const { data, error } = await supabase.auth.signInWithOAuth({
    provider: provider as 'github',
    options: { redirectTo, skipBrowserRedirect: true },
  });
  expect(error).toBeNull();
  return data.url as string;
}

const fragment = (url: URL) => new URLSearchParams(url.hash.slice(1));

/** The local identity provider's issuer, read from where /authorize sends a browser. */
async function identityProviderIssuer(): Promise<string> {
  const response = await fetch(`${stack.apiUrl}/auth/v1/authorize?provider=google`, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location') ?? '').origin;
}

/** An ID token the local identity provider issues (its page's form), as a native sign-in SDK hands an app. */
async function mintIdToken(clientId: string, email: string, nonce?: string): Promise<string> {
  const response = await fetch(`${await identityProviderIssuer()}/dev/id-token`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: clientId,
      email,
      name: 'Token User',
      ...(nonce ? { nonce } : {}),
    }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { id_token: string }).id_token;
}

async function emailUser(label: string) {
  const email = uniqueEmail(label);
  const supabase = clientFor(stack);
  const { data, error } = await supabase.auth.signUp({ email, password: PASSWORD });
  expect(error).toBeNull();
  expect(data.session).toBeTruthy();
  return { supabase, email, userId: data.user?.id as string };
}

// A browser flow takes a second or two; under a loaded machine give each test room for several.
const BROWSER_TESTS = { timeout: 90_000 };

describe('signInWithOAuth through the local identity provider (headless Chromium)', BROWSER_TESTS, () => {
  it('PKCE: the provider page, then ?code= back in the app, exchanged by supabase-js for a session', async () => {
    const supabase = clientFor(stack, { flowType: 'pkce' });
    const url = await oauthUrl(supabase, 'github');
    expect(new URL(url).searchParams.get('code_challenge')).toBeTruthy();
    const back = await throughBrowser(url, 'ada');
    expect(back.pathname).toBe('/done');
    const code = back.searchParams.get('code');
    expect(code).toBeTruthy();
    const { data, error } = await supabase.auth.exchangeCodeForSession(code as string);
    expect(error).toBeNull();
    expect(data.user).toMatchObject({
      email: 'ada@example.com',
      app_metadata: { provider: 'github', providers: ['github'] },
      user_metadata: { email: 'ada@example.com', full_name: 'Ada Lovelace', email_verified: true },
    });
    expect(data.user?.email_confirmed_at).toBeTruthy();
    expect(data.session?.provider_token).toBeTruthy();
    expect(data.user?.identities).toHaveLength(1);
    expect(data.user?.identities?.[0]).toMatchObject({
      provider: 'github',
      identity_data: { email: 'ada@example.com', name: 'Ada Lovelace', provider_id: expect.any(String) },
    });
    expect(decodeJwt(data.session?.access_token ?? '')).toMatchObject({
      email: 'ada@example.com',
      amr: [{ method: 'oauth' }],
      app_metadata: { provider: 'github' },
    });
    // The code is good once.
    const again = await clientFor(stack, { flowType: 'pkce' }).auth.exchangeCodeForSession(code as string);
    expect(again.error).toBeTruthy();
  });

  it('implicit: tokens and the provider token in the fragment; the same typed user is the same account next time', async () => {
    const typed = { email: uniqueEmail('typed'), name: 'Grace Hopper' };
    const first = fragment(await throughBrowser(await oauthUrl(clientFor(stack), 'github'), typed));
    expect(first.get('token_type')).toBe('bearer');
    expect(first.get('provider_token')).toBeTruthy();
    expect(Number(first.get('expires_in'))).toBe(3600);
    const supabase = clientFor(stack);
    const { data, error } = await supabase.auth.setSession({
      access_token: first.get('access_token') as string,
      refresh_token: first.get('refresh_token') as string,
    });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ email: typed.email, user_metadata: { full_name: 'Grace Hopper' } });

    const second = fragment(await throughBrowser(await oauthUrl(clientFor(stack), 'github'), typed));
    expect(decodeJwt(second.get('access_token') as string).sub).toBe(data.user?.id);
  });

  it('asks who is signing in every time, so one browser can switch test users', async () => {
    const context = await browser.newContext();
    try {
      const first = fragment(
        await throughBrowser(await oauthUrl(clientFor(stack), 'github'), 'ada', 'github', context),
      );
      // The same browser, with the provider's cookies from the first sign-in, gets the page again.
      const second = fragment(
        await throughBrowser(await oauthUrl(clientFor(stack), 'github'), 'alan', 'github', context),
      );
      expect(decodeJwt(first.get('access_token') as string).email).toBe('ada@example.com');
      expect(decodeJwt(second.get('access_token') as string).email).toBe('alan@example.com');
    } finally {
      await context.close();
    }
  });

  it('signs a confirmed email user in by the same verified address, adding the provider identity', async () => {
    const { email, userId } = await emailUser('same-address');
    const back = fragment(
      await throughBrowser(await oauthUrl(clientFor(stack), 'github'), { email, name: 'Same' }),
    );
    const supabase = clientFor(stack);
    const { data } = await supabase.auth.setSession({
      access_token: back.get('access_token') as string,
      refresh_token: back.get('refresh_token') as string,
    });
    expect(data.user?.id).toBe(userId);
    expect(data.user?.identities?.map((identity) => identity.provider).sort()).toEqual(['email', 'github']);
    expect(data.user?.app_metadata.providers).toEqual(['email', 'github']);
  });

  it('sends a redirect_to outside the allow list to the site URL instead', async () => {
    const back = await throughBrowser(
      await oauthUrl(clientFor(stack), 'github', 'https://evil.example/steal'),
      'alan',
    );
    expect(back.origin).toBe(appOrigin);
    expect(back.pathname).toBe('/site');
    expect(fragment(back).get('access_token')).toBeTruthy();
  });

  it('returns the provider’s refusal to the app as error=access_denied', async () => {
    const back = await throughBrowser(
      await oauthUrl(clientFor(stack, { flowType: 'pkce' }), 'github'),
      'cancel',
    );
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('error_code')).toBeNull();
    expect(back.searchParams.get('code')).toBeNull();
    expect(fragment(back).get('error_description')).toBe('The test user cancelled the sign-in');
  });
});

/** The provider part of a flow over plain HTTP, stopping at Auth's /callback (unvisited). */
const providerCallbackUrl = (authorizeUrl: string, email: string) =>
  followOAuthFlow(authorizeUrl, { email, name: 'Over HTTP', stopAt: `${stack.apiUrl}/auth/v1/callback` });

describe('callback details', () => {
  it('signs in without a browser through the testing helper followOAuthFlow (PKCE)', async () => {
    const supabase = clientFor(stack, { flowType: 'pkce' });
    const email = uniqueEmail('helper');
    const back = await followOAuthFlow(await oauthUrl(supabase, 'github'), {
      email,
      stopAt: `${appOrigin}/done`,
    });
    const { data, error } = await supabase.auth.exchangeCodeForSession(back.searchParams.get('code') ?? '');
    expect(error).toBeNull();
    expect(data.user?.email).toBe(email);
  });

  it('takes the provider’s answer as a form POST too (response_mode=form_post, as Apple sends it)', async () => {
    const email = uniqueEmail('form-post');
    const callback = await providerCallbackUrl(await oauthUrl(clientFor(stack), 'github'), email);
    const response = await fetch(`${stack.apiUrl}/auth/v1/callback`, {
      method: 'POST',
      body: callback.searchParams,
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
    const back = new URL(response.headers.get('location') ?? '');
    expect(decodeJwt(fragment(back).get('access_token') as string).email).toBe(email);
  });

  it('sends a banned user back with error=access_denied and user_banned, and no session', async () => {
    const email = uniqueEmail('banned');
    const first = await providerCallbackUrl(await oauthUrl(clientFor(stack), 'github'), email);
    const signedIn = await fetch(first, { redirect: 'manual' });
    const userId = decodeJwt(
      fragment(new URL(signedIn.headers.get('location') ?? '')).get('access_token') as string,
    ).sub as string;
    const admin = clientFor(stack, { key: stack.keys.serviceRoleKey });
    expect((await admin.auth.admin.updateUserById(userId, { ban_duration: '24h' })).error).toBeNull();

    const again = await providerCallbackUrl(await oauthUrl(clientFor(stack), 'github'), email);
    const refused = await fetch(again, { redirect: 'manual' });
    const back = new URL(refused.headers.get('location') ?? '');
    expect(Object.fromEntries(back.searchParams)).toEqual({
      error: 'access_denied',
      error_code: 'user_banned',
      error_description: 'User is banned',
    });
    expect(fragment(back).get('access_token')).toBeNull();
  });
});

describe('denied OAuth requests', () => {
  it('refuses an unknown and a disabled provider with GoTrue’s messages, before any redirect', async () => {
    const unknown = await fetch(`${stack.apiUrl}/auth/v1/authorize?provider=myspace`, { redirect: 'manual' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      error_code: 'validation_failed',
      msg: 'Unsupported provider: Provider myspace could not be found',
    });
    const mixedCase = await fetch(`${stack.apiUrl}/auth/v1/authorize?provider=GitHub`, {
      redirect: 'manual',
    });
    expect(mixedCase.status).toBe(302);
    const disabled = await fetch(`${stack.apiUrl}/auth/v1/authorize?provider=gitlab`, { redirect: 'manual' });
    expect(disabled.status).toBe(400);
    expect(await disabled.json()).toMatchObject({
      error_code: 'validation_failed',
      msg: 'Unsupported provider: provider is not enabled',
    });
  });

  it('sends a callback whose state Auth did not sign back to the site URL with the error, and one without state', async () => {
    const forged = await fetch(`${stack.apiUrl}/auth/v1/callback?state=forged&code=abc`, {
      redirect: 'manual',
    });
    expect(forged.status).toBe(302);
    const location = new URL(forged.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${appOrigin}/site`);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      error: 'invalid_request',
      error_code: 'bad_oauth_state',
      error_description: 'OAuth callback with invalid state',
    });
    expect(fragment(location).get('error_code')).toBe('bad_oauth_state');
    const missing = await fetch(`${stack.apiUrl}/auth/v1/callback?code=abc`, { redirect: 'manual' });
    const missingAt = new URL(missing.headers.get('location') ?? '');
    expect(missingAt.searchParams.get('error_code')).toBe('bad_oauth_callback');
    expect(missingAt.searchParams.get('error_description')).toBe('OAuth state parameter missing');
  });

  it('GET /settings lists the enabled providers', async () => {
    const response = await fetch(`${stack.apiUrl}/auth/v1/settings`, {
      headers: { apikey: stack.keys.anonKey },
    });
    expect((await response.json()).external).toMatchObject({
      github: true,
      google: true,
      gitlab: false,
      apple: false,
    });
  });
});

describe('signInWithIdToken with a token the local identity provider issued', () => {
  const GOOGLE_CLIENT = 'groundwork-test.apps.googleusercontent.com';
  const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

  it('signs in with the token and its nonce, as a google user', async () => {
    const email = uniqueEmail('id-token');
    const token = await mintIdToken(GOOGLE_CLIENT, email, sha256('raw-nonce'));
    const { data, error } = await clientFor(stack).auth.signInWithIdToken({
      provider: 'google',
      token,
      nonce: 'raw-nonce',
    });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ email, app_metadata: { provider: 'google' } });
    expect(data.user?.identities?.[0]?.provider).toBe('google');
    expect(decodeJwt(data.session?.access_token ?? '').amr).toEqual([
      { method: 'oauth', timestamp: expect.any(Number) },
    ]);
  });

  it('refuses a wrong nonce, a missing one, another client’s token, a forged signature and a disabled provider', async () => {
    const email = uniqueEmail('id-token-denied');
    const supabase = clientFor(stack);
    const withNonce = await mintIdToken(GOOGLE_CLIENT, email, sha256('right'));
    expect(
      (await supabase.auth.signInWithIdToken({ provider: 'google', token: withNonce, nonce: 'wrong' })).error,
    ).toMatchObject({
      status: 400,
      code: undefined,
      message: 'Nonces mismatch',
    });
    expect(
      (await supabase.auth.signInWithIdToken({ provider: 'google', token: withNonce })).error,
    ).toMatchObject({
      message: 'Passed nonce and nonce in id_token should either both exist or not.',
    });
    const githubToken = await mintIdToken('local-github-client', email);
    expect(
      (await supabase.auth.signInWithIdToken({ provider: 'google', token: githubToken })).error,
    ).toMatchObject({
      status: 400,
      message: 'Unacceptable audience in id_token: [local-github-client]',
    });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await new SignJWT({ sub: 'attacker', email })
      .setProtectedHeader({ alg: 'RS256', kid: 'forged' })
      .setIssuer(await identityProviderIssuer())
      .setAudience(GOOGLE_CLIENT)
      .setExpirationTime('1h')
      .sign(privateKey);
    expect(
      (await supabase.auth.signInWithIdToken({ provider: 'google', token: forged })).error,
    ).toMatchObject({
      status: 400,
      message: 'Bad ID token',
    });
    // apple takes ID tokens but is not enabled in the fixture; github takes none (GoTrue's list).
    expect(
      (await supabase.auth.signInWithIdToken({ provider: 'apple', token: githubToken })).error,
    ).toMatchObject({
      status: 400,
      code: 'provider_disabled',
    });
    expect(
      (await supabase.auth.signInWithIdToken({ provider: 'github', token: githubToken })).error,
    ).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: 'Custom OIDC provider "github" not allowed',
    });
    const users = await stack.db.query('select 1 from auth.users where email = $1', [email]);
    expect(users.rowCount).toBe(0);
  });
});

describe('identity linking and unlinking', BROWSER_TESTS, () => {
  it('linkIdentity adds a github identity to a signed-in email user, and unlinkIdentity takes it away', async () => {
    const { supabase, userId } = await emailUser('linker');
    const { data, error } = await supabase.auth.linkIdentity({
      provider: 'github',
      options: { redirectTo: `${appOrigin}/linked`, skipBrowserRedirect: true },
    });
    expect(error).toBeNull();
    const back = fragment(
      await throughBrowser(data.url as string, { email: uniqueEmail('linked-gh'), name: 'Linked' }),
    );
    expect(decodeJwt(back.get('access_token') as string).sub).toBe(userId);

    const identities = await supabase.auth.getUserIdentities();
    expect(identities.data?.identities.map((identity) => identity.provider).sort()).toEqual([
      'email',
      'github',
    ]);
    const github = identities.data?.identities.find((identity) => identity.provider === 'github');
    expect((await supabase.auth.unlinkIdentity(github as never)).error).toBeNull();
    const after = await supabase.auth.getUser();
    expect(after.data.user?.identities?.map((identity) => identity.provider)).toEqual(['email']);
    expect(after.data.user?.app_metadata.providers).toEqual(['email']);

    const email = after.data.user?.identities?.[0];
    expect((await supabase.auth.unlinkIdentity(email as never)).error).toMatchObject({
      status: 422,
      code: 'single_identity_not_deletable',
      message: 'User must have at least 1 identity after unlinking',
    });
  });

  it('refuses to link an identity that is already linked to another user', async () => {
    // Ada's github identity belongs to the user the PKCE test made.
    await throughBrowser(await oauthUrl(clientFor(stack), 'github'), 'ada');
    const { supabase, userId } = await emailUser('taken-link');
    const { data } = await supabase.auth.linkIdentity({
      provider: 'github',
      options: { redirectTo: `${appOrigin}/linked`, skipBrowserRedirect: true },
    });
    const back = await throughBrowser(data.url as string, 'ada');
    expect(back.searchParams.get('error')).toBe('server_error');
    expect(fragment(back).get('error_code')).toBe('identity_already_exists');
    expect(fragment(back).get('error_description')).toBe('Identity is already linked to another user');
    expect(fragment(back).get('access_token')).toBeNull();
    const identities = await stack.db.query('select provider from auth.identities where user_id = $1', [
      userId,
    ]);
    expect(identities.rows).toEqual([{ provider: 'email' }]);
  });

  it('links a google identity by ID token, and refuses to unlink an identity of another user', async () => {
    const other = await emailUser('other-owner');
    const { supabase, userId } = await emailUser('not-owner');
    const token = await mintIdToken(
      'groundwork-test.apps.googleusercontent.com',
      uniqueEmail('linked-google'),
    );
    const linked = await supabase.auth.linkIdentity({ provider: 'google', token });
    expect(linked.error).toBeNull();
    expect(linked.data.user?.id).toBe(userId);
    expect(linked.data.user?.identities?.map((identity) => identity.provider).sort()).toEqual([
      'email',
      'google',
    ]);

    const { rows } = await stack.db.query<{ id: string }>(
      'select id from auth.identities where user_id = $1',
      [other.userId],
    );
    const response = await fetch(`${stack.apiUrl}/auth/v1/user/identities/${rows[0]?.id}`, {
      method: 'DELETE',
      headers: {
        apikey: stack.keys.anonKey,
        Authorization: `Bearer ${linked.data.session?.access_token}`,
      },
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      error_code: 'identity_not_found',
      msg: "Identity doesn't exist",
    });
    const still = await stack.db.query('select 1 from auth.identities where id = $1', [rows[0]?.id]);
    expect(still.rowCount).toBe(1);
  });

  it('an anonymous user who links github takes its verified address and is anonymous no more', async () => {
    const supabase = clientFor(stack);
    const anonymous = await supabase.auth.signInAnonymously();
    expect(anonymous.error).toBeNull();
    const { data } = await supabase.auth.linkIdentity({
      provider: 'github',
      options: { redirectTo: `${appOrigin}/linked`, skipBrowserRedirect: true },
    });
    const email = uniqueEmail('anon-linked');
    const back = fragment(await throughBrowser(data.url as string, { email, name: 'Was Anonymous' }));
    const claims = decodeJwt(back.get('access_token') as string);
    expect(claims).toMatchObject({ sub: anonymous.data.user?.id, email, is_anonymous: false });
    const { rows } = await stack.db.query(
      'select email_confirmed_at, raw_app_meta_data from auth.users where id = $1',
      [anonymous.data.user?.id],
    );
    expect(rows[0].email_confirmed_at).toBeTruthy();
    expect(rows[0].raw_app_meta_data).toMatchObject({ provider: 'github', providers: ['github'] });
  });
});
