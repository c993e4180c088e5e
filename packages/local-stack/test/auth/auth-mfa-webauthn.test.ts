import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthService } from '../../src/services/auth/index.ts';
import { createMailCatcherService } from '../../src/services/mail/index.ts';
import { startTestStack, type TestStack } from '../../src/testing/index.ts';
import { adminClient, clientFor, decodeJwt, fixture, uniqueEmail } from './auth-test-stack.ts';
import {
  type AppPage,
  carryCredentials,
  closeServer,
  launchChromium,
  openAppPage,
  type PageWindow,
  serveApp,
} from './webauthn-browser.ts';

const PASSWORD = 'correct-horse-9';

// The app page is served from http://localhost:<port>; [auth.webauthn] names that origin and
// http://app.localhost:<port> (Chromium resolves *.localhost to loopback), the page that asks
// for a credential scoped to another RP ID. The second server's origin is one the stack does not list.
let app: Server;
let foreign: Server;
let appOrigin: string;
let subdomainOrigin: string;
let foreignOrigin: string;
let stack: TestStack;
let verifyOff: TestStack;
let browser: Browser;
beforeAll(async () => {
  const [served, other] = await Promise.all([serveApp(), serveApp()]);
  app = served.server;
  foreign = other.server;
  appOrigin = `http://localhost:${served.port}`;
  subdomainOrigin = `http://app.localhost:${served.port}`;
  foreignOrigin = `http://localhost:${other.port}`;
  const webauthn = {
    rp_display_name: 'Groundwork test',
    rp_id: 'localhost',
    rp_origins: [appOrigin, subdomainOrigin],
  };
  [stack, verifyOff, browser] = await Promise.all([
    startTestStack({
      workdir: fixture('mfa-project'),
      services: [createMailCatcherService, createAuthService],
      configOverrides: { auth: { webauthn } },
    }),
    startTestStack({
      workdir: fixture('mfa-project'),
      services: [createMailCatcherService, createAuthService],
      configOverrides: {
        auth: { webauthn, mfa: { web_authn: { enroll_enabled: true, verify_enabled: false } } },
      },
    }),
    launchChromium(),
  ]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await Promise.all([stack?.stop(), verifyOff?.stop()]);
  await Promise.all([closeServer(app), closeServer(foreign)]);
});

/** A page of the app (webauthn-browser.ts) signed in to nothing yet, with a virtual security key. */
const appPage = (origin = appOrigin): Promise<AppPage> =>
  openAppPage(browser, { origin, apiUrl: stack.apiUrl, anonKey: stack.keys.anonKey });

/** Signs the page's supabase-js client in with a password; the user is created confirmed. */
async function signInOnPage(page: Page, email: string) {
  const { error } = await adminClient(stack).auth.admin.createUser({
    email,
    password: PASSWORD,
    email_confirm: true,
  });
  if (error && error.code !== 'email_exists') throw error;
  return page.evaluate(
    async ({ email, password }) => {
      const client = (window as unknown as PageWindow).client;
      const { data, error } = await client.auth.signInWithPassword({ email, password });
      return { token: data.session?.access_token as string | undefined, error: error?.message };
    },
    { email, password: PASSWORD },
  );
}

/** What supabase-js sends as `webauthn` by default on this page (GoTrue takes the RP from its config). */
const pageParams = (origin = appOrigin) => ({ rpId: 'localhost', rpOrigins: [origin] });

/** Registers a WebAuthn factor on the page through supabase-js; the session ends at aal2. */
async function registerOnPage(page: Page, friendlyName = 'key', origin = appOrigin) {
  return page.evaluate(
    async ({ friendlyName, webauthn }) => {
      const client = (window as unknown as PageWindow).client;
      const { data, error } = await client.auth.mfa.webauthn.register({ friendlyName, webauthn });
      return {
        error: error ? { message: error.message as string, code: error.code, status: error.status } : null,
        token: data?.access_token as string | undefined,
        factorId: data?.user?.factors?.[0]?.id as string | undefined,
      };
    },
    { friendlyName, webauthn: pageParams(origin) },
  );
}

/** Auth REST call with a bearer token, as supabase-js would make it. */
async function raw(target: TestStack, method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${target.apiUrl}/auth/v1${path}`, {
    method,
    headers: {
      apikey: target.keys.anonKey,
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as {
    error_code?: string;
    msg?: string;
    id?: string;
    [key: string]: unknown;
  };
  return { status: response.status, code: json.error_code, message: json.msg, json };
}

async function passwordSession(target: TestStack, email = uniqueEmail('webauthn-raw')) {
  await adminClient(target).auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
  const { data, error } = await clientFor(target).auth.signInWithPassword({ email, password: PASSWORD });
  if (error || !data.session) throw error ?? new Error('no session');
  return data.session.access_token;
}

const methods = (token: string) =>
  (decodeJwt(token).amr as { method: string }[]).map((entry) => entry.method).sort();

describe('WebAuthn factors with a credential made by Chromium’s virtual authenticator', () => {
  it('registers through supabase-js mfa.webauthn.register, raising the session to aal2 with mfa/webauthn', async () => {
    const { page } = await appPage();
    const email = uniqueEmail('webauthn');
    expect((await signInOnPage(page, email)).error).toBeUndefined();
    const result = await page.evaluate(async (webauthn) => {
      const client = (window as unknown as PageWindow).client;
      const { data, error } = await client.auth.mfa.webauthn.register({
        friendlyName: 'laptop key',
        webauthn,
      });
      const aal = await client.auth.mfa.getAuthenticatorAssuranceLevel();
      const factors = await client.auth.mfa.listFactors();
      return {
        token: data?.access_token,
        error: error ? { message: error.message, code: error.code } : null,
        aal: aal.data,
        factors: factors.data,
      };
    }, pageParams());
    expect(result.error).toBeNull();
    const claims = decodeJwt(result.token ?? '');
    expect(claims.aal).toBe('aal2');
    expect(methods(result.token ?? '')).toEqual(['mfa/webauthn', 'password']);
    expect(result.aal).toMatchObject({ currentLevel: 'aal2', nextLevel: 'aal2' });
    expect(result.factors.webauthn).toEqual([
      expect.objectContaining({ factor_type: 'webauthn', status: 'verified', friendly_name: 'laptop key' }),
    ]);
    const { rows } = await stack.db.query<{ web_authn_credential: { id: string; public_key: string } }>(
      `select web_authn_credential from auth.mfa_factors where id = $1`,
      [result.factors.webauthn[0].id],
    );
    expect(rows[0]?.web_authn_credential.id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(rows[0]?.web_authn_credential.public_key.length).toBeGreaterThan(40);

    // Unenrolling at aal2 removes it; the session falls back to aal1.
    const unenrolled = await page.evaluate(async (factorId) => {
      const client = (window as unknown as PageWindow).client;
      const { error } = await client.auth.mfa.unenroll({ factorId });
      const { data: refreshed } = await client.auth.refreshSession();
      const factors = await client.auth.mfa.listFactors();
      return {
        error: error?.message ?? null,
        token: refreshed.session?.access_token,
        webauthn: factors.data.webauthn,
      };
    }, result.factors.webauthn[0].id);
    expect(unenrolled).toMatchObject({ error: null, webauthn: [] });
    expect(decodeJwt(unenrolled.token ?? '').aal).toBe('aal1');
    await page.close();
  });

  it('a later aal1 sign-in reaches aal2 by mfa.webauthn.authenticate; an assertion for another challenge is refused, a used challenge is gone', async () => {
    const { page } = await appPage();
    const email = uniqueEmail('webauthn-login');
    await signInOnPage(page, email);
    const registered = await registerOnPage(page);
    expect(registered.error).toBeNull();

    // A new aal1 session on the same page (the authenticator keeps the credential).
    const again = await signInOnPage(page, email);
    expect(decodeJwt(again.token ?? '').aal).toBe('aal1');

    const mismatched = await page.evaluate(
      async ({ factorId, webauthn }) => {
        const client = (window as unknown as PageWindow).client;
        const first = await client.auth.mfa.challenge({ factorId, webauthn });
        const credential = await navigator.credentials.get({
          publicKey: first.data.webauthn.credential_options.publicKey,
        });
        const second = await client.auth.mfa.challenge({ factorId, webauthn });
        const verify = (challengeId: string) =>
          client.auth.mfa.verify({
            factorId,
            challengeId,
            webauthn: { ...webauthn, type: 'request', credential_response: credential },
          });
        const refused = await verify(second.data.id);
        const accepted = await verify(first.data.id);
        const replayed = await verify(first.data.id);
        const summary = (result: { error: { status?: number; code?: string } | null }) =>
          result.error ? { status: result.error.status, code: result.error.code } : null;
        return {
          firstType: first.data.webauthn.type,
          refused: summary(refused),
          acceptedError: accepted.error?.message ?? null,
          acceptedToken: accepted.data?.access_token as string | undefined,
          replayed: summary(replayed),
        };
      },
      { factorId: registered.factorId, webauthn: pageParams() },
    );
    expect(mismatched.firstType).toBe('request');
    expect(mismatched.refused).toEqual({ status: 422, code: 'mfa_verification_failed' });
    expect(mismatched.acceptedError).toBeNull();
    expect(decodeJwt(mismatched.acceptedToken ?? '').aal).toBe('aal2');
    // GoTrue destroys a WebAuthn challenge once it verifies: replaying it finds nothing.
    expect(mismatched.replayed).toEqual({ status: 422, code: 'mfa_factor_not_found' });

    const viaHelper = await signInOnPage(page, email);
    expect(decodeJwt(viaHelper.token ?? '').aal).toBe('aal1');
    const authenticated = await page.evaluate(
      async ({ factorId, webauthn }) => {
        const client = (window as unknown as PageWindow).client;
        const { data, error } = await client.auth.mfa.webauthn.authenticate({ factorId, webauthn });
        const aal = await client.auth.mfa.getAuthenticatorAssuranceLevel();
        return {
          token: data?.access_token as string | undefined,
          error: error?.message ?? null,
          aal: aal.data,
        };
      },
      { factorId: registered.factorId, webauthn: pageParams() },
    );
    expect(authenticated.error).toBeNull();
    expect(decodeJwt(authenticated.token ?? '').aal).toBe('aal2');
    expect(methods(authenticated.token ?? '')).toEqual(['mfa/webauthn', 'password']);
    expect(authenticated.aal).toMatchObject({ currentLevel: 'aal2', nextLevel: 'aal2' });
    // The stored signature counter follows the key's.
    const { rows } = await stack.db.query<{ counter: string }>(
      `select web_authn_credential->>'counter' as counter from auth.mfa_factors where id = $1`,
      [registered.factorId],
    );
    expect(Number(rows[0]?.counter)).toBeGreaterThan(0);
    await page.close();
  });

  it('refuses a challenge answered after GoTrue’s 300 s expiry with mfa_challenge_expired and deletes it', async () => {
    const { page } = await appPage();
    await signInOnPage(page, uniqueEmail('webauthn-expiry'));
    const registered = await registerOnPage(page);
    expect(registered.error).toBeNull();
    const challenge = await page.evaluate(
      async ({ factorId, webauthn }) => {
        const client = (window as unknown as PageWindow).client;
        const { data } = await client.auth.mfa.challenge({ factorId, webauthn });
        const credential = await navigator.credentials.get({
          publicKey: data.webauthn.credential_options.publicKey,
        });
        (window as unknown as PageWindow).held = credential;
        return data.id as string;
      },
      { factorId: registered.factorId, webauthn: pageParams() },
    );
    await stack.db.query(
      `update auth.mfa_challenges set created_at = now() - interval '301 seconds' where id = $1`,
      [challenge],
    );
    const late = await page.evaluate(
      async ({ factorId, challengeId, webauthn }) => {
        const w = window as unknown as PageWindow;
        const { error } = await w.client.auth.mfa.verify({
          factorId,
          challengeId,
          webauthn: { ...webauthn, type: 'request', credential_response: w.held },
        });
        return error ? { status: error.status, code: error.code, message: error.message } : null;
      },
      { factorId: registered.factorId, challengeId: challenge, webauthn: pageParams() },
    );
    expect(late).toEqual({
      status: 422,
      code: 'mfa_challenge_expired',
      message: `MFA challenge ${challenge} has expired, verify against another challenge or create a new challenge.`,
    });
    const { rowCount } = await stack.db.query('select 1 from auth.mfa_challenges where id = $1', [challenge]);
    expect(rowCount).toBe(0);
    await page.close();
  });

  it('refuses a credential made on an origin [auth.webauthn] does not list, and one scoped to another RP ID', async () => {
    // Registration from the unlisted origin: the browser signs it, the server refuses the origin.
    const stranger = await appPage(foreignOrigin);
    await signInOnPage(stranger.page, uniqueEmail('webauthn-origin'));
    const fromStranger = await registerOnPage(stranger.page, 'key', foreignOrigin);
    expect(fromStranger.error).toMatchObject({ status: 422, code: 'mfa_verification_failed' });
    expect(fromStranger.error?.message).toMatch(/origin/i);

    // Registration on a listed origin, but for the RP ID app.localhost instead of localhost.
    const sub = await appPage(subdomainOrigin);
    await signInOnPage(sub.page, uniqueEmail('webauthn-rpid'));
    const scoped = await sub.page.evaluate(async () => {
      const client = (window as unknown as PageWindow).client;
      const { data: factor } = await client.auth.mfa.webauthn.enroll({ friendlyName: 'scoped' });
      const { data, error } = await client.auth.mfa.webauthn.challenge(
        { factorId: factor.id, webauthn: { rpId: 'app.localhost', rpOrigins: [location.origin] } },
        { create: { rp: { id: 'app.localhost', name: 'elsewhere' } } },
      );
      if (error) return { challengeError: error.message };
      const verified = await client.auth.mfa.webauthn.verify({
        factorId: factor.id,
        challengeId: data.challengeId,
        webauthn: { rpId: 'app.localhost', rpOrigins: [location.origin], ...data.webauthn },
      });
      return {
        factorId: factor.id as string,
        error: verified.error
          ? { status: verified.error.status, code: verified.error.code, message: verified.error.message }
          : null,
      };
    });
    expect(scoped).toMatchObject({ error: { status: 422, code: 'mfa_verification_failed' } });
    expect((scoped as { error: { message: string } }).error.message).toMatch(/RP ID/i);
    const { rows } = await stack.db.query('select status from auth.mfa_factors where id = $1', [
      (scoped as { factorId: string }).factorId,
    ]);
    expect(rows).toEqual([{ status: 'unverified' }]);

    // An assertion by a registered key, carried to the unlisted origin, is refused as well.
    const home = await appPage();
    const email = uniqueEmail('webauthn-carried');
    await signInOnPage(home.page, email);
    const registered = await registerOnPage(home.page);
    expect(registered.error).toBeNull();
    const away = await appPage(foreignOrigin);
    expect(await carryCredentials(home, away)).toBe(1);
    await signInOnPage(away.page, email);
    const carried = await away.page.evaluate(
      async ({ factorId, webauthn }) => {
        const client = (window as unknown as PageWindow).client;
        const { data, error } = await client.auth.mfa.webauthn.authenticate({ factorId, webauthn });
        return {
          token: data?.access_token,
          error: error ? { status: error.status, code: error.code } : null,
        };
      },
      { factorId: registered.factorId, webauthn: pageParams(foreignOrigin) },
    );
    expect(carried).toEqual({ error: { status: 422, code: 'mfa_verification_failed' } });
    for (const opened of [stranger, sub, home, away]) await opened.page.close();
  });
});

describe('WebAuthn refusals without a browser', () => {
  it('checks the webauthn parameters before the challenge, as GoTrue does, and refuses a forged credential', async () => {
    const token = await passwordSession(stack);
    const enrolled = await raw(stack, 'POST', '/factors', token, {
      factor_type: 'webauthn',
      friendly_name: 'k',
    });
    expect(enrolled.status).toBe(200);
    expect(enrolled.json).toMatchObject({ type: 'webauthn', friendly_name: 'k' });
    expect(enrolled.json).not.toHaveProperty('totp');
    const factorId = enrolled.json.id;
    const challenge = await raw(stack, 'POST', `/factors/${factorId}/challenge`, token, {});
    expect(challenge.json).toMatchObject({
      type: 'webauthn',
      expires_at: expect.any(Number),
      webauthn: {
        type: 'create',
        credential_options: {
          publicKey: { rp: { id: 'localhost', name: 'Groundwork test' }, challenge: expect.any(String) },
        },
      },
    });
    // The user handle is the user id's text, as GoTrue's WebAuthnID.
    const publicKey = (
      challenge.json.webauthn as { credential_options: { publicKey: { user: { id: string } } } }
    ).credential_options.publicKey;
    expect(Buffer.from(publicKey.user.id, 'base64url').toString('utf8')).toBe(decodeJwt(token).sub);
    const challengeId = challenge.json.id;
    for (const id of [challengeId, crypto.randomUUID()]) {
      expect(
        await raw(stack, 'POST', `/factors/${factorId}/verify`, token, { challenge_id: id }),
      ).toMatchObject({
        status: 400,
        code: 'validation_failed',
        message: 'WebAuthn config required',
      });
      expect(
        await raw(stack, 'POST', `/factors/${factorId}/verify`, token, {
          challenge_id: id,
          webauthn: { type: 'sign' },
        }),
      ).toMatchObject({
        status: 400,
        code: 'validation_failed',
        message: 'WebAuthn type must be create or request',
      });
      expect(
        await raw(stack, 'POST', `/factors/${factorId}/verify`, token, {
          challenge_id: id,
          webauthn: { type: 'create' },
        }),
      ).toMatchObject({ status: 400, code: 'validation_failed', message: 'credential_response required' });
    }
    const forgedCredential = { id: 'x', rawId: 'x', type: 'public-key', response: {} };
    const forged = await raw(stack, 'POST', `/factors/${factorId}/verify`, token, {
      challenge_id: challengeId,
      webauthn: { type: 'create', credential_response: forgedCredential },
    });
    expect(forged).toMatchObject({ status: 422, code: 'mfa_verification_failed' });
    // A random challenge id with well-formed parameters: the challenge lookup answers.
    expect(
      await raw(stack, 'POST', `/factors/${factorId}/verify`, token, {
        challenge_id: crypto.randomUUID(),
        webauthn: { type: 'create', credential_response: forgedCredential },
      }),
    ).toMatchObject({ status: 422, code: 'mfa_factor_not_found' });
    // The factor stays unverified and the session aal1.
    const { rows } = await stack.db.query('select status from auth.mfa_factors where id = $1', [factorId]);
    expect(rows).toEqual([{ status: 'unverified' }]);
    expect(decodeJwt(token).aal).toBe('aal1');
  });

  it('answers another user’s WebAuthn factor exactly as a random id (404 mfa_factor_not_found)', async () => {
    const ownerToken = await passwordSession(stack);
    const theirs = await raw(stack, 'POST', '/factors', ownerToken, { factor_type: 'webauthn' });
    expect(theirs.status).toBe(200);
    const intruder = await passwordSession(stack);
    const answers = [];
    for (const id of [theirs.json.id, crypto.randomUUID()]) {
      for (const [method, path, body] of [
        ['POST', `/factors/${id}/challenge`, {}],
        [
          'POST',
          `/factors/${id}/verify`,
          { challenge_id: crypto.randomUUID(), webauthn: { type: 'create', credential_response: {} } },
        ],
        ['DELETE', `/factors/${id}`, undefined],
      ] as const) {
        answers.push(await raw(stack, method, path, intruder, body));
      }
    }
    for (const answer of answers) {
      expect(answer).toMatchObject({
        status: 404,
        code: 'mfa_factor_not_found',
        message: 'Factor not found',
      });
    }
    const { rows } = await stack.db.query('select status from auth.mfa_factors where id = $1', [
      theirs.json.id,
    ]);
    expect(rows).toEqual([{ status: 'unverified' }]);
  });

  it('with [auth.mfa.web_authn] verify_enabled = false: enrolment works, challenge and verify answer mfa_webauthn_verify_not_enabled', async () => {
    const token = await passwordSession(verifyOff);
    const enrolled = await raw(verifyOff, 'POST', '/factors', token, { factor_type: 'webauthn' });
    expect(enrolled.status).toBe(200);
    const refusal = {
      status: 422,
      code: 'mfa_webauthn_verify_not_enabled',
      message: 'MFA verification is disabled for WebAuthn',
    };
    expect(await raw(verifyOff, 'POST', `/factors/${enrolled.json.id}/challenge`, token, {})).toMatchObject(
      refusal,
    );
    expect(
      await raw(verifyOff, 'POST', `/factors/${enrolled.json.id}/verify`, token, {
        challenge_id: crypto.randomUUID(),
        webauthn: { type: 'create', credential_response: {} },
      }),
    ).toMatchObject(refusal);
    const { rowCount } = await verifyOff.db.query('select 1 from auth.mfa_challenges where factor_id = $1', [
      enrolled.json.id,
    ]);
    expect(rowCount).toBe(0);
  });
});
