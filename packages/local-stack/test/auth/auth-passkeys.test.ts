import type { Server } from 'node:http';
import { createClient } from '@supabase/supabase-js';
import { Secret, TOTP } from 'otpauth';
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

// Passkeys as GoTrue serves them under /passkeys, driven by supabase-js's experimental
// auth.passkey API in Chromium with a virtual security key. `stack` has [auth.passkey] on and
// [auth.webauthn] naming the app's origin; `passkeysOff` is the CLI default (off).
let app: Server;
let foreign: Server;
let appOrigin: string;
let foreignOrigin: string;
let stack: TestStack;
let passkeysOff: TestStack;
let browser: Browser;
beforeAll(async () => {
  const [served, other] = await Promise.all([serveApp(), serveApp()]);
  app = served.server;
  foreign = other.server;
  appOrigin = `http://localhost:${served.port}`;
  foreignOrigin = `http://localhost:${other.port}`;
  const webauthn = { rp_display_name: 'Groundwork test', rp_id: 'localhost', rp_origins: [appOrigin] };
  [stack, passkeysOff, browser] = await Promise.all([
    startTestStack({
      workdir: fixture('mfa-project'),
      services: [createMailCatcherService, createAuthService],
      configOverrides: { auth: { webauthn, passkey: { enabled: true } } },
    }),
    startTestStack({
      workdir: fixture('mfa-project'),
      services: [createMailCatcherService, createAuthService],
      configOverrides: { auth: { webauthn } },
    }),
    launchChromium(),
  ]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await Promise.all([stack?.stop(), passkeysOff?.stop()]);
  await Promise.all([closeServer(app), closeServer(foreign)]);
});

const appPage = (origin = appOrigin): Promise<AppPage> =>
  openAppPage(browser, { origin, apiUrl: stack.apiUrl, anonKey: stack.keys.anonKey, passkeys: true });

async function createUser(email: string) {
  const { data, error } = await adminClient(stack).auth.admin.createUser({
    email,
    password: PASSWORD,
    email_confirm: true,
  });
  if (error || !data.user) throw error ?? new Error('no user');
  return data.user.id;
}

/** Signs the page's client in with a password and registers a passkey through supabase-js. */
async function registerOnPage(page: Page, email: string) {
  return page.evaluate(
    async ({ email, password }) => {
      const client = (window as unknown as PageWindow).client;
      const signIn = await client.auth.signInWithPassword({ email, password });
      if (signIn.error) return { error: { message: signIn.error.message } };
      const { data, error } = await client.auth.registerPasskey();
      return {
        data: data as { id: string; friendly_name?: string; created_at: string } | null,
        error: error ? { status: error.status, code: error.code, message: error.message } : null,
      };
    },
    { email, password: PASSWORD },
  );
}

/** signInWithPasskey on the page's client (signed out first); the session's token or the error. */
async function passkeySignInOnPage(page: Page) {
  return page.evaluate(async () => {
    const client = (window as unknown as PageWindow).client;
    await client.auth.signOut({ scope: 'local' });
    const { data, error } = await client.auth.signInWithPasskey();
    return {
      token: data?.session?.access_token as string | undefined,
      userId: data?.user?.id as string | undefined,
      error: error ? { status: error.status, code: error.code, message: error.message } : null,
    };
  });
}

async function raw(target: TestStack, method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${target.apiUrl}/auth/v1${path}`, {
    method,
    headers: {
      apikey: target.keys.anonKey,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const json = (text ? JSON.parse(text) : {}) as {
    error_code?: string;
    msg?: string;
    [key: string]: unknown;
  };
  return { status: response.status, code: json.error_code, message: json.msg, json };
}

async function passwordToken(target: TestStack, email: string) {
  const { data, error } = await clientFor(target).auth.signInWithPassword({ email, password: PASSWORD });
  if (error || !data.session) throw error ?? new Error('no session');
  return data.session.access_token;
}

describe('passkeys with Chromium’s virtual authenticator and supabase-js auth.passkey', () => {
  it('registers a passkey, signs in with it (amr passkey, aal1), lists, renames and deletes it', async () => {
    const home = await appPage();
    const email = uniqueEmail('passkey');
    const userId = await createUser(email);
    const registered = await registerOnPage(home.page, email);
    expect(registered.error).toBeNull();
    expect(registered.data).toMatchObject({ id: expect.any(String), friendly_name: 'Passkey' });
    const { rows: stored } = await stack.db.query<{
      user_id: string;
      credential_id: Buffer;
      public_key: Buffer;
    }>('select user_id, credential_id, public_key from auth.webauthn_credentials where id = $1', [
      registered.data?.id,
    ]);
    expect(stored[0]?.user_id).toBe(userId);
    expect(stored[0]?.public_key.length).toBeGreaterThan(40);
    // A passkey is not an MFA factor.
    const { rowCount: factors } = await stack.db.query('select 1 from auth.mfa_factors where user_id = $1', [
      userId,
    ]);
    expect(factors).toBe(0);

    const signedIn = await passkeySignInOnPage(home.page);
    expect(signedIn.error).toBeNull();
    expect(signedIn.userId).toBe(userId);
    const claims = decodeJwt(signedIn.token ?? '');
    expect(claims).toMatchObject({ sub: userId, aal: 'aal1', role: 'authenticated' });
    expect((claims.amr as { method: string }[]).map((entry) => entry.method)).toEqual(['passkey']);
    const { rows: used } = await stack.db.query<{ sign_count: string; last_used_at: Date | null }>(
      'select sign_count, last_used_at from auth.webauthn_credentials where id = $1',
      [registered.data?.id],
    );
    expect(Number(used[0]?.sign_count)).toBeGreaterThan(0);
    expect(used[0]?.last_used_at).not.toBeNull();
    const { rows: audit } = await stack.db.query<{ action: string }>(
      `select payload->>'action' as action from auth.audit_log_entries
        where payload->>'actor_id' = $1 order by created_at`,
      [userId],
    );
    expect(audit.map((row) => row.action)).toEqual(expect.arrayContaining(['passkey_created', 'login']));

    const managed = await home.page.evaluate(async (passkeyId) => {
      const client = (window as unknown as PageWindow).client;
      const listed = await client.auth.passkey.list();
      const renamed = await client.auth.passkey.update({ passkeyId, friendlyName: 'work key' });
      const deleted = await client.auth.passkey.delete({ passkeyId });
      const after = await client.auth.passkey.list();
      return { listed: listed.data, renamed: renamed.data, deleted: deleted.error, after: after.data };
    }, registered.data?.id);
    expect(managed.listed).toEqual([
      {
        id: registered.data?.id,
        friendly_name: 'Passkey',
        created_at: expect.any(String),
        last_used_at: expect.any(String),
      },
    ]);
    expect(managed.renamed).toMatchObject({ id: registered.data?.id, friendly_name: 'work key' });
    expect(managed.deleted).toBeNull();
    expect(managed.after).toEqual([]);

    // The deleted passkey no longer signs in.
    const refused = await passkeySignInOnPage(home.page);
    expect(refused.error).toMatchObject({ status: 400, code: 'webauthn_verification_failed' });
    await home.page.close();
  });

  it('refuses a replayed and an expired sign-in challenge, an assertion from an unlisted origin, and a banned user', async () => {
    const home = await appPage();
    const email = uniqueEmail('passkey-refusals');
    const userId = await createUser(email);
    expect((await registerOnPage(home.page, email)).error).toBeNull();

    const replayed = await home.page.evaluate(async () => {
      const client = (window as unknown as PageWindow).client;
      const { data: options } = await client.auth.passkey.startAuthentication();
      const credential = await navigator.credentials.get({
        publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options.options),
      });
      const json = (credential as PublicKeyCredential).toJSON();
      const first = await client.auth.passkey.verifyAuthentication({
        challengeId: options.challenge_id,
        credential: json,
      });
      const again = await client.auth.passkey.verifyAuthentication({
        challengeId: options.challenge_id,
        credential: json,
      });
      return {
        first: first.error?.message ?? null,
        again: again.error
          ? { status: again.error.status, code: again.error.code, message: again.error.message }
          : null,
      };
    });
    expect(replayed).toEqual({
      first: null,
      again: {
        status: 400,
        code: 'webauthn_challenge_not_found',
        message: 'Challenge not found or already used',
      },
    });

    const late = await home.page.evaluate(async () => {
      const w = window as unknown as PageWindow;
      const { data: options } = await w.client.auth.passkey.startAuthentication();
      const credential = await navigator.credentials.get({
        publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options.options),
      });
      w.held = (credential as PublicKeyCredential).toJSON();
      return options.challenge_id as string;
    });
    await stack.db.query(
      `update auth.webauthn_challenges set expires_at = now() - interval '1 second' where id = $1`,
      [late],
    );
    const expired = await home.page.evaluate(async (challengeId) => {
      const w = window as unknown as PageWindow;
      const { error } = await w.client.auth.passkey.verifyAuthentication({ challengeId, credential: w.held });
      return error ? { status: error.status, code: error.code, message: error.message } : null;
    }, late);
    expect(expired).toEqual({
      status: 400,
      code: 'webauthn_challenge_expired',
      message: 'Challenge has expired',
    });
    const { rowCount } = await stack.db.query('select 1 from auth.webauthn_challenges where id = $1', [late]);
    expect(rowCount).toBe(0);

    // The same key carried to a site [auth.webauthn] does not list.
    const away = await appPage(foreignOrigin);
    expect(await carryCredentials(home, away)).toBe(1);
    expect((await passkeySignInOnPage(away.page)).error).toMatchObject({
      status: 400,
      code: 'webauthn_verification_failed',
      message: 'Credential verification failed',
    });
    // Registration from there is refused as well.
    const strangerEmail = uniqueEmail('passkey-stranger');
    await createUser(strangerEmail);
    expect((await registerOnPage(away.page, strangerEmail)).error).toMatchObject({
      status: 400,
      code: 'webauthn_verification_failed',
    });

    // A banned user's passkey signs nobody in.
    await adminClient(stack).auth.admin.updateUserById(userId, { ban_duration: '1h' });
    expect((await passkeySignInOnPage(home.page)).error).toMatchObject({
      status: 403,
      code: 'user_banned',
      message: 'User is banned',
    });
    await home.page.close();
    await away.page.close();
  });

  it('needs aal2 to add or remove passkeys once the user has a verified MFA factor', async () => {
    const email = uniqueEmail('passkey-aal');
    await createUser(email);
    const aal1 = await passwordToken(stack, email);
    const enrolled = await raw(stack, 'POST', '/factors', aal1, { factor_type: 'totp' });
    const secret = (enrolled.json.totp as { secret: string }).secret;
    const challenge = await raw(stack, 'POST', `/factors/${enrolled.json.id}/challenge`, aal1, {});
    const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate();
    const verified = await raw(stack, 'POST', `/factors/${enrolled.json.id}/verify`, aal1, {
      challenge_id: challenge.json.id,
      code,
    });
    const aal2 = verified.json.access_token as string;
    expect(decodeJwt(aal2).aal).toBe('aal2');

    const later = await passwordToken(stack, email);
    const refusal = {
      status: 403,
      code: 'insufficient_aal',
      message: 'AAL2 session is required to manage passkeys when MFA is enabled',
    };
    expect(await raw(stack, 'POST', '/passkeys/registration/options', later, {})).toMatchObject(refusal);
    expect(
      await raw(stack, 'POST', '/passkeys/registration/verify', later, {
        challenge_id: crypto.randomUUID(),
        credential: {},
      }),
    ).toMatchObject(refusal);
    expect(await raw(stack, 'DELETE', `/passkeys/${crypto.randomUUID()}`, later)).toMatchObject(refusal);
    const options = await raw(stack, 'POST', '/passkeys/registration/options', aal2, {});
    expect(options.status).toBe(200);
    expect(options.json).toMatchObject({
      challenge_id: expect.any(String),
      expires_at: expect.any(Number),
      options: {
        rp: { id: 'localhost', name: 'Groundwork test' },
        user: { name: email },
        attestation: 'none',
        authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      },
    });
  });
});

describe('passkey refusals without a browser', () => {
  it('answers every /passkeys route 404 passkey_disabled when [auth.passkey] is off; the admin list stays served', async () => {
    const email = uniqueEmail('passkey-off');
    const { data } = await adminClient(passkeysOff).auth.admin.createUser({
      email,
      password: PASSWORD,
      email_confirm: true,
    });
    const token = await passwordToken(passkeysOff, email);
    const off = { status: 404, code: 'passkey_disabled', message: 'Passkeys are disabled' };
    for (const [method, path, withToken] of [
      ['POST', '/passkeys/authentication/options', false],
      ['POST', '/passkeys/authentication/verify', false],
      ['POST', '/passkeys/registration/options', true],
      ['POST', '/passkeys/registration/options', false],
      ['POST', '/passkeys/registration/verify', true],
      ['GET', '/passkeys', true],
      ['PATCH', `/passkeys/${crypto.randomUUID()}`, true],
      ['DELETE', `/passkeys/${crypto.randomUUID()}`, true],
    ] as const) {
      expect(
        await raw(
          passkeysOff,
          method,
          path,
          withToken ? token : undefined,
          method === 'GET' ? undefined : {},
        ),
      ).toMatchObject(off);
    }
    const admin = await fetch(`${passkeysOff.apiUrl}/auth/v1/admin/users/${data.user?.id}/passkeys`, {
      headers: {
        apikey: passkeysOff.keys.serviceRoleKey,
        authorization: `Bearer ${passkeysOff.keys.serviceRoleKey}`,
      },
    });
    expect(admin.status).toBe(200);
    expect(await admin.json()).toEqual([]);
  });

  it('checks the verify parameters in GoTrue’s order, and a challenge is bound to its ceremony and user', async () => {
    const email = uniqueEmail('passkey-params');
    await createUser(email);
    const token = await passwordToken(stack, email);
    const verify = (body: unknown) => raw(stack, 'POST', '/passkeys/authentication/verify', undefined, body);
    expect(await verify({})).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: 'challenge_id is required',
    });
    expect(await verify({ challenge_id: crypto.randomUUID() })).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: 'credential is required',
    });
    expect(await verify({ challenge_id: 'nope', credential: {} })).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: 'challenge_id must be a valid UUID',
    });
    expect(await verify({ challenge_id: crypto.randomUUID(), credential: {} })).toMatchObject({
      status: 400,
      code: 'webauthn_challenge_not_found',
    });
    expect(await verify({ challenge_id: 7, credential: {} })).toMatchObject({
      status: 400,
      code: 'bad_json',
    });

    const signInOptions = await raw(stack, 'POST', '/passkeys/authentication/options', undefined, {});
    expect(signInOptions.json).toMatchObject({
      challenge_id: expect.any(String),
      options: { rpId: 'localhost', challenge: expect.any(String), userVerification: 'preferred' },
    });
    expect(signInOptions.json.options).not.toHaveProperty(
      'allowCredentials',
      expect.arrayContaining([expect.anything()]),
    );
    expect(await verify({ challenge_id: signInOptions.json.challenge_id, credential: 'x' })).toMatchObject({
      status: 400,
      code: 'webauthn_verification_failed',
      message: 'Invalid credential response',
    });
    // That answer used the challenge up.
    expect(await verify({ challenge_id: signInOptions.json.challenge_id, credential: {} })).toMatchObject({
      code: 'webauthn_challenge_not_found',
    });

    // A registration challenge is another user's business and not a sign-in challenge.
    const registration = await raw(stack, 'POST', '/passkeys/registration/options', token, {});
    const otherEmail = uniqueEmail('passkey-other');
    await createUser(otherEmail);
    const otherToken = await passwordToken(stack, otherEmail);
    const forged = { id: 'eA', rawId: 'eA', type: 'public-key', response: {} };
    for (const [path, who] of [
      ['/passkeys/registration/verify', otherToken],
      ['/passkeys/authentication/verify', undefined],
    ] as const) {
      expect(
        await raw(stack, 'POST', path, who, {
          challenge_id: registration.json.challenge_id,
          credential: forged,
        }),
      ).toMatchObject({ status: 400, code: 'webauthn_challenge_not_found' });
    }
    // Its owner's forged answer is refused (and uses it up).
    expect(
      await raw(stack, 'POST', '/passkeys/registration/verify', token, {
        challenge_id: registration.json.challenge_id,
        credential: forged,
      }),
    ).toMatchObject({
      status: 400,
      code: 'webauthn_verification_failed',
      message: 'Credential verification failed',
    });
    expect(await raw(stack, 'POST', '/passkeys/registration/options', undefined, {})).toMatchObject({
      status: 401,
      code: 'no_authorization',
    });
  });

  it('answers another user’s passkey exactly as a random id, for the user and the admin routes; limits to 10 passkeys; soft delete drops them', async () => {
    const ownerEmail = uniqueEmail('passkey-owner');
    const ownerId = await createUser(ownerEmail);
    const { rows } = await stack.db.query<{ id: string }>(
      `insert into auth.webauthn_credentials (user_id, credential_id, public_key, friendly_name, created_at)
       select $1, decode(md5(random()::text), 'hex'), decode(repeat(md5(random()::text), 5), 'hex'),
              'Passkey ' || n, now() - make_interval(secs => 11 - n)
         from generate_series(1, 10) n
       returning id`,
      [ownerId],
    );
    const theirs = rows[0]?.id ?? '';
    const intruderEmail = uniqueEmail('passkey-intruder');
    const intruderId = await createUser(intruderEmail);
    const intruder = await passwordToken(stack, intruderEmail);
    const notFound = { status: 404, code: 'validation_failed', message: 'Passkey not found' };
    for (const id of [theirs, crypto.randomUUID(), 'not-a-uuid']) {
      expect(await raw(stack, 'PATCH', `/passkeys/${id}`, intruder, { friendly_name: 'mine' })).toMatchObject(
        notFound,
      );
      expect(await raw(stack, 'DELETE', `/passkeys/${id}`, intruder)).toMatchObject(notFound);
      expect(
        await raw(stack, 'DELETE', `/admin/users/${intruderId}/passkeys/${id}`, stack.keys.serviceRoleKey),
      ).toMatchObject(notFound);
    }
    expect((await raw(stack, 'GET', '/passkeys', intruder)).json).toEqual([]);
    expect(await raw(stack, 'PATCH', `/passkeys/${theirs}`, intruder, {})).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: 'friendly_name is required',
    });
    const { rows: untouched } = await stack.db.query(
      'select friendly_name from auth.webauthn_credentials where id = $1',
      [theirs],
    );
    expect(untouched).toEqual([{ friendly_name: 'Passkey 1' }]);

    // The owner is at GoTrue's default limit of 10.
    const owner = await passwordToken(stack, ownerEmail);
    expect(await raw(stack, 'POST', '/passkeys/registration/options', owner, {})).toMatchObject({
      status: 422,
      code: 'too_many_passkeys',
      message: 'Maximum number of passkeys reached',
    });
    // The admin API (supabase-js auth.admin.passkey) lists and revokes them; it needs the service role.
    const admin = createClient(stack.apiUrl, stack.keys.serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false, experimental: { passkey: true } },
    }).auth.admin.passkey;
    const listed = await admin.listPasskeys({ userId: ownerId });
    expect(listed.error).toBeNull();
    expect(listed.data).toHaveLength(10);
    expect(listed.data?.[0]).toEqual({
      id: theirs,
      friendly_name: 'Passkey 1',
      created_at: expect.any(String),
    });
    expect(await raw(stack, 'GET', `/admin/users/${ownerId}/passkeys`, owner)).toMatchObject({
      status: 403,
      code: 'not_admin',
    });
    expect((await admin.deletePasskey({ userId: ownerId, passkeyId: theirs })).error).toBeNull();
    expect((await raw(stack, 'GET', '/passkeys', owner)).json).toHaveLength(9);
    // Soft-deleting the user hard-deletes their passkeys, as GoTrue does.
    await adminClient(stack).auth.admin.deleteUser(ownerId, true);
    const { rowCount } = await stack.db.query('select 1 from auth.webauthn_credentials where user_id = $1', [
      ownerId,
    ]);
    expect(rowCount).toBe(0);
  });
});
