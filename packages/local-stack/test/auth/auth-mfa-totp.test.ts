import type { SupabaseClient } from '@supabase/supabase-js';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthService } from '../../src/services/auth/index.ts';
import { createMailCatcherService } from '../../src/services/mail/index.ts';
import { startTestDatabase, startTestStack, type TestStack } from '../../src/testing/index.ts';
import { adminClient, clientFor, decodeJwt, fixture, restAs, uniqueEmail } from './auth-test-stack.ts';

const PASSWORD = 'correct-horse-9';

// mfa-project: [auth.mfa] max_enrolled_factors = 3, TOTP and WebAuthn enroll + verify on,
// confirmations off, and public.vault_notes readable only with `aal = aal2`.
// `verifyOff` has TOTP enrolment on but verification off, WebAuthn off: an Auth of its own
// for a copy of `stack`'s database (startTestDatabase in `stack`'s Postgres, which holds this
// project's template), with users of its own, without a second Postgres.
let stack: TestStack;
let verifyOff: TestStack;
beforeAll(async () => {
  stack = await startTestStack({
    workdir: fixture('mfa-project'),
    services: [createMailCatcherService, createAuthService],
  });
  verifyOff = await startTestDatabase({
    dbUrl: stack.status.DB_URL,
    workdir: fixture('mfa-project'),
    services: [createMailCatcherService, createAuthService],
    configOverrides: {
      auth: { mfa: { totp: { verify_enabled: false }, web_authn: { enroll_enabled: false } } },
    },
    // No other file takes a copy from this server.
    spareDatabases: 0,
  });
});
afterAll(async () => {
  // The copy lives in `stack`'s server: it goes first.
  await verifyOff?.stop();
  await stack?.stop();
});

/** A confirmed user signed in with a password on a fresh supabase-js client. */
async function signedIn(target: TestStack = stack, email = uniqueEmail('mfa')) {
  const { error } = await adminClient(target).auth.admin.createUser({
    email,
    password: PASSWORD,
    email_confirm: true,
  });
  expect(error).toBeNull();
  const supabase = clientFor(target);
  const { data, error: signInError } = await supabase.auth.signInWithPassword({ email, password: PASSWORD });
  expect(signInError).toBeNull();
  return { supabase, email, session: data.session as NonNullable<typeof data.session> };
}

/** The current code of a factor's secret, as an authenticator app computes it. */
const codeFor = (secret: string, offsetSeconds = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp: Date.now() + offsetSeconds * 1000,
  });

/** Enrols a TOTP factor and verifies it, leaving the client's session at aal2. */
async function enrolledAndVerified(supabase: SupabaseClient, friendlyName?: string) {
  const { data: factor, error } = await supabase.auth.mfa.enroll({
    factorType: 'totp',
    ...(friendlyName ? { friendlyName } : {}),
  });
  expect(error).toBeNull();
  if (factor?.type !== 'totp') throw new Error('no TOTP factor');
  const verified = await supabase.auth.mfa.challengeAndVerify({
    factorId: factor.id,
    code: codeFor(factor.totp.secret),
  });
  expect(verified.error).toBeNull();
  return factor;
}

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
  const json = (await response.json()) as { error_code?: string; msg?: string };
  return { status: response.status, code: json.error_code, message: json.msg, json };
}

describe('TOTP enrolment, challenge and verification through supabase-js', () => {
  it('enrols with a QR code, secret and otpauth URI; the factor is listed unverified and the session stays aal1', async () => {
    const { supabase, email } = await signedIn();
    const { data, error } = await supabase.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'phone app' });
    expect(error).toBeNull();
    if (data?.type !== 'totp') throw new Error('no TOTP factor');
    expect(data.friendly_name).toBe('phone app');
    expect(data.totp.qr_code).toMatch(/^data:image\/svg\+xml;utf-8,<svg /);
    expect(data.totp.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(data.totp.uri);
    expect(uri.protocol).toBe('otpauth:');
    // The issuer is the site_url's host when the app names none, the account the user's email.
    expect(uri.searchParams.get('issuer')).toBe('127.0.0.1:3000');
    expect(decodeURIComponent(uri.pathname)).toContain(email);

    const { data: factors } = await supabase.auth.mfa.listFactors();
    expect(factors?.all).toEqual([
      expect.objectContaining({
        id: data.id,
        factor_type: 'totp',
        status: 'unverified',
        friendly_name: 'phone app',
      }),
    ]);
    expect(factors?.totp).toEqual([]);
    const { data: aal } = await supabase.auth.mfa.getAuthenticatorAssuranceLevel();
    expect(aal).toMatchObject({ currentLevel: 'aal1', nextLevel: 'aal1' });

    // The secret is kept encrypted at rest, never as the base32 text handed out once.
    const { rows } = await stack.db.query<{ secret: string }>(
      'select secret from auth.mfa_factors where id = $1',
      [data.id],
    );
    expect(rows[0]?.secret).not.toContain(data.totp.secret);
    expect(JSON.parse(rows[0]?.secret ?? '{}')).toMatchObject({ alg: 'aes-gcm-hkdf' });
  });

  it('verifies a code computed with otpauth: session aal2, amr totp + password, refresh keeps aal2, aal1 sessions end', async () => {
    const { supabase, email } = await signedIn();
    // A second sign-in of the same user, still aal1: GoTrue ends it once a factor verifies.
    const other = clientFor(stack);
    const { data: otherSignIn } = await other.auth.signInWithPassword({ email, password: PASSWORD });

    const { data: factor } = await supabase.auth.mfa.enroll({ factorType: 'totp' });
    if (factor?.type !== 'totp') throw new Error('no TOTP factor');
    const { data: challenge, error: challengeError } = await supabase.auth.mfa.challenge({
      factorId: factor.id,
    });
    expect(challengeError).toBeNull();
    expect(challenge).toMatchObject({ type: 'totp' });
    expect(challenge?.expires_at).toBeGreaterThan(Date.now() / 1000 + 250);

    const { data: verified, error } = await supabase.auth.mfa.verify({
      factorId: factor.id,
      challengeId: challenge?.id ?? '',
      code: codeFor(factor.totp.secret),
    });
    expect(error).toBeNull();
    const claims = decodeJwt(verified?.access_token ?? '');
    expect(claims.aal).toBe('aal2');
    expect((claims.amr as { method: string }[]).map((entry) => entry.method).sort()).toEqual([
      'password',
      'totp',
    ]);
    expect(verified?.user.factors).toEqual([
      expect.objectContaining({ id: factor.id, factor_type: 'totp', status: 'verified' }),
    ]);

    const { data: aal } = await supabase.auth.mfa.getAuthenticatorAssuranceLevel();
    expect(aal).toMatchObject({ currentLevel: 'aal2', nextLevel: 'aal2' });
    expect(aal?.currentAuthenticationMethods).toContainEqual(
      expect.objectContaining({ method: 'totp', timestamp: expect.any(Number) }),
    );
    const { data: listed } = await supabase.auth.mfa.listFactors();
    expect(listed?.totp.map((item) => item.id)).toEqual([factor.id]);

    const { data: refreshed, error: refreshError } = await supabase.auth.refreshSession();
    expect(refreshError).toBeNull();
    expect(decodeJwt(refreshed.session?.access_token ?? '').aal).toBe('aal2');

    const { error: endedError } = await other.auth.refreshSession({
      refresh_token: otherSignIn.session?.refresh_token ?? '',
    });
    expect(endedError?.code).toBe('refresh_token_not_found');

    const { rows } = await stack.db.query<{ action: string }>(
      `select payload->>'action' as action from auth.audit_log_entries
        where payload->>'actor_username' = $1 order by created_at`,
      [email],
    );
    expect(rows.map((row) => row.action)).toEqual(
      expect.arrayContaining(['factor_in_progress', 'challenge_created', 'verification_attempted']),
    );
  });

  it('a later sign-in starts at aal1 with nextLevel aal2 and reaches aal2 by challengeAndVerify', async () => {
    const { supabase, email } = await signedIn();
    const factor = await enrolledAndVerified(supabase);
    const later = clientFor(stack);
    const { data: signIn } = await later.auth.signInWithPassword({ email, password: PASSWORD });
    expect(decodeJwt(signIn.session?.access_token ?? '').aal).toBe('aal1');
    expect(signIn.user?.factors?.map((item) => item.status)).toEqual(['verified']);
    const { data: aal } = await later.auth.mfa.getAuthenticatorAssuranceLevel();
    expect(aal).toMatchObject({ currentLevel: 'aal1', nextLevel: 'aal2' });

    const { data, error } = await later.auth.mfa.challengeAndVerify({
      factorId: factor.id,
      code: codeFor(factor.totp.secret),
    });
    expect(error).toBeNull();
    expect(decodeJwt(data?.access_token ?? '').aal).toBe('aal2');
  });

  it('accepts the previous period’s code (GoTrue’s skew of one period) but not one two periods old', async () => {
    const { supabase } = await signedIn();
    const { data: factor } = await supabase.auth.mfa.enroll({ factorType: 'totp' });
    if (factor?.type !== 'totp') throw new Error('no TOTP factor');
    const old = await supabase.auth.mfa.challengeAndVerify({
      factorId: factor.id,
      code: codeFor(factor.totp.secret, -90),
    });
    expect(old.error?.code).toBe('mfa_verification_failed');
    const previous = await supabase.auth.mfa.challengeAndVerify({
      factorId: factor.id,
      code: codeFor(factor.totp.secret, -30),
    });
    expect(previous.error).toBeNull();
  });
});

describe('refusals with GoTrue’s codes', () => {
  it('refuses a wrong code with mfa_verification_failed, leaves the session aal1, and the challenge still verifies with the right code', async () => {
    const { supabase, session } = await signedIn();
    const { data: factor } = await supabase.auth.mfa.enroll({ factorType: 'totp' });
    if (factor?.type !== 'totp') throw new Error('no TOTP factor');
    const { data: challenge } = await supabase.auth.mfa.challenge({ factorId: factor.id });
    const right = codeFor(factor.totp.secret);
    const wrong = right === '000000' ? '111111' : '000000';
    const { error } = await supabase.auth.mfa.verify({
      factorId: factor.id,
      challengeId: challenge?.id ?? '',
      code: wrong,
    });
    expect(error).toMatchObject({
      status: 422,
      code: 'mfa_verification_failed',
      message: 'Invalid TOTP code entered',
    });
    expect((await supabase.auth.mfa.getAuthenticatorAssuranceLevel()).data?.currentLevel).toBe('aal1');
    const { rows } = await stack.db.query('select status from auth.mfa_factors where id = $1', [factor.id]);
    expect(rows).toEqual([{ status: 'unverified' }]);

    expect(
      await raw(stack, 'POST', `/factors/${factor.id}/verify`, session.access_token, {
        challenge_id: challenge?.id,
      }),
    ).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: 'Code needs to be non-empty',
    });
    const ok = await supabase.auth.mfa.verify({
      factorId: factor.id,
      challengeId: challenge?.id ?? '',
      code: right,
    });
    expect(ok.error).toBeNull();
    // A verified challenge cannot be used again.
    const again = await raw(stack, 'POST', `/factors/${factor.id}/verify`, ok.data?.access_token ?? '', {
      challenge_id: challenge?.id,
      code: right,
    });
    expect(again).toMatchObject({ status: 422, code: 'mfa_ip_address_mismatch' });
  });

  it('refuses an expired challenge with mfa_challenge_expired and deletes it', async () => {
    const { supabase } = await signedIn();
    const { data: factor } = await supabase.auth.mfa.enroll({ factorType: 'totp' });
    if (factor?.type !== 'totp') throw new Error('no TOTP factor');
    const { data: challenge } = await supabase.auth.mfa.challenge({ factorId: factor.id });
    // GoTrue's challenge expiry is 300 s: age this one past it.
    await stack.db.query(
      `update auth.mfa_challenges set created_at = now() - interval '301 seconds' where id = $1`,
      [challenge?.id],
    );
    const code = codeFor(factor.totp.secret);
    const { error } = await supabase.auth.mfa.verify({
      factorId: factor.id,
      challengeId: challenge?.id ?? '',
      code,
    });
    expect(error).toMatchObject({ status: 422, code: 'mfa_challenge_expired' });
    expect(error?.message).toBe(
      `MFA challenge ${challenge?.id} has expired, verify against another challenge or create a new challenge.`,
    );
    const { rowCount } = await stack.db.query('select 1 from auth.mfa_challenges where id = $1', [
      challenge?.id,
    ]);
    expect(rowCount).toBe(0);
    const gone = await supabase.auth.mfa.verify({
      factorId: factor.id,
      challengeId: challenge?.id ?? '',
      code,
    });
    expect(gone.error).toMatchObject({
      status: 422,
      code: 'mfa_factor_not_found',
      message: 'MFA factor with the provided challenge ID not found',
    });
  });

  it('answers another user’s factor exactly as a random id (404 mfa_factor_not_found), and a non-UUID with validation_failed', async () => {
    const owner = await signedIn();
    const { data: theirs } = await owner.supabase.auth.mfa.enroll({ factorType: 'totp' });
    const intruder = await signedIn();
    const token = intruder.session.access_token;
    for (const id of [theirs?.id, crypto.randomUUID()]) {
      for (const [method, path] of [
        ['POST', `/factors/${id}/challenge`],
        ['POST', `/factors/${id}/verify`],
        ['DELETE', `/factors/${id}`],
      ] as const) {
        expect(
          await raw(stack, method, path, token, method === 'POST' ? { code: '123456' } : undefined),
        ).toMatchObject({
          status: 404,
          code: 'mfa_factor_not_found',
          message: 'Factor not found',
        });
      }
    }
    expect(await raw(stack, 'POST', '/factors/not-a-uuid/challenge', token, {})).toMatchObject({
      status: 404,
      code: 'validation_failed',
      message: 'factor_id must be an UUID',
    });
    // The owner's factor is untouched.
    const { rowCount } = await stack.db.query('select 1 from auth.mfa_factors where id = $1', [theirs?.id]);
    expect(rowCount).toBe(1);
  });

  it('limits: a duplicate friendly name, max_enrolled_factors = 3, and a new factor at aal1 once one is verified', async () => {
    const { supabase, email } = await signedIn();
    expect((await supabase.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'one' })).error).toBeNull();
    const duplicate = await supabase.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'one' });
    expect(duplicate.error).toMatchObject({
      status: 422,
      code: 'mfa_factor_name_conflict',
      message: 'A factor with the friendly name "one" for this user already exists',
    });
    expect((await supabase.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'two' })).error).toBeNull();
    expect((await supabase.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'three' })).error).toBeNull();
    const fourth = await supabase.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'four' });
    expect(fourth.error).toMatchObject({
      status: 422,
      code: 'too_many_enrolled_mfa_factors',
      message: 'Maximum number of verified factors reached, unenroll to continue',
    });
    expect((await supabase.auth.mfa.listFactors()).data?.all).toHaveLength(3);

    const fresh = await signedIn();
    await enrolledAndVerified(fresh.supabase, 'first');
    const atAal1 = clientFor(stack);
    await atAal1.auth.signInWithPassword({ email: fresh.email, password: PASSWORD });
    const refused = await atAal1.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'second' });
    expect(refused.error).toMatchObject({
      status: 403,
      code: 'insufficient_aal',
      message: 'AAL2 required to enroll a new factor',
    });
    const allowed = await fresh.supabase.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'second' });
    expect(allowed.error).toBeNull();
    expect(email).toBeTruthy();
  });

  it('unenrols: a verified factor needs aal2 (422 insufficient_aal); after unenrol the session is back to aal1 without totp', async () => {
    const { supabase, email } = await signedIn();
    const factor = await enrolledAndVerified(supabase);
    const atAal1 = clientFor(stack);
    await atAal1.auth.signInWithPassword({ email, password: PASSWORD });
    const refused = await atAal1.auth.mfa.unenroll({ factorId: factor.id });
    expect(refused.error).toMatchObject({
      status: 422,
      code: 'insufficient_aal',
      message: 'AAL2 required to unenroll verified factor',
    });
    const { data, error } = await supabase.auth.mfa.unenroll({ factorId: factor.id });
    expect(error).toBeNull();
    expect(data).toEqual({ id: factor.id });
    const { data: refreshed } = await supabase.auth.refreshSession();
    const claims = decodeJwt(refreshed.session?.access_token ?? '');
    expect(claims.aal).toBe('aal1');
    expect((claims.amr as { method: string }[]).map((entry) => entry.method)).toEqual(['password']);
    expect((await supabase.auth.mfa.listFactors()).data?.all).toEqual([]);
  });

  it('admin MFA API: listFactors, deleteFactor (its sessions back to aal1), another user’s factor = random id, renaming; soft delete drops factors', async () => {
    const admin = adminClient(stack);
    const { supabase, session } = await signedIn();
    const factor = await enrolledAndVerified(supabase, 'phone app');
    const userId = session.user.id;
    const listed = await admin.auth.admin.mfa.listFactors({ userId });
    expect(listed.error).toBeNull();
    expect(listed.data?.factors).toEqual([
      expect.objectContaining({
        id: factor.id,
        factor_type: 'totp',
        status: 'verified',
        friendly_name: 'phone app',
      }),
    ]);
    expect(JSON.stringify(listed.data)).not.toContain('secret');
    // The admin's user JSON carries the factors, as GoTrue's eager-loaded user does.
    const { data: asAdmin } = await admin.auth.admin.getUserById(userId);
    expect(asAdmin.user?.factors).toEqual([expect.objectContaining({ id: factor.id, status: 'verified' })]);

    const serviceKey = stack.keys.serviceRoleKey;
    const renamed = await raw(stack, 'PUT', `/admin/users/${userId}/factors/${factor.id}`, serviceKey, {
      friendly_name: 'old phone',
    });
    expect(renamed).toMatchObject({ status: 200, json: { id: factor.id, friendly_name: 'old phone' } });

    const other = await signedIn();
    for (const [owner, id] of [
      [other.session.user.id, factor.id],
      [userId, crypto.randomUUID()],
    ] as const) {
      for (const method of ['DELETE', 'PUT']) {
        expect(await raw(stack, method, `/admin/users/${owner}/factors/${id}`, serviceKey, {})).toMatchObject(
          {
            status: 404,
            code: 'mfa_factor_not_found',
            message: 'Factor not found',
          },
        );
      }
    }
    expect(
      await raw(stack, 'GET', `/admin/users/${userId}/factors`, other.session.access_token),
    ).toMatchObject({ status: 403, code: 'not_admin' });

    const deleted = await admin.auth.admin.mfa.deleteFactor({ userId, id: factor.id });
    expect(deleted.error).toBeNull();
    // supabase-js 2.109 wraps the body once more here ({ data: { data: factor, error } }).
    expect(deleted.data as unknown).toMatchObject({ data: { id: factor.id, factor_type: 'totp' } });
    expect((await admin.auth.admin.mfa.listFactors({ userId })).data?.factors).toEqual([]);
    // The aal2 session it raised is aal1 again.
    const { data: refreshed } = await supabase.auth.refreshSession();
    expect(decodeJwt(refreshed.session?.access_token ?? '').aal).toBe('aal1');

    // Soft-deleting a user hard-deletes their factors, as GoTrue does.
    const third = await signedIn();
    await enrolledAndVerified(third.supabase);
    await admin.auth.admin.deleteUser(third.session.user.id, true);
    const { rowCount } = await stack.db.query('select 1 from auth.mfa_factors where user_id = $1', [
      third.session.user.id,
    ]);
    expect(rowCount).toBe(0);
  });

  it('answers switched-off settings with GoTrue’s codes: verify off, WebAuthn and phone enrolment off, unknown type', async () => {
    const { supabase, session } = await signedIn(verifyOff);
    const { data: factor, error } = await supabase.auth.mfa.enroll({ factorType: 'totp' });
    expect(error).toBeNull();
    const challenge = await supabase.auth.mfa.challenge({ factorId: factor?.id ?? '' });
    expect(challenge.error).toMatchObject({
      status: 422,
      code: 'mfa_totp_verify_not_enabled',
      message: 'MFA verification is disabled for TOTP',
    });
    const verify = await raw(verifyOff, 'POST', `/factors/${factor?.id}/verify`, session.access_token, {
      challenge_id: crypto.randomUUID(),
      code: '123456',
    });
    expect(verify).toMatchObject({ status: 422, code: 'mfa_totp_verify_not_enabled' });
    expect(
      await raw(verifyOff, 'POST', '/factors', session.access_token, { factor_type: 'webauthn' }),
    ).toMatchObject({
      status: 422,
      code: 'mfa_webauthn_enroll_not_enabled',
      message: 'MFA enroll is disabled for WebAuthn',
    });
    expect(
      await raw(verifyOff, 'POST', '/factors', session.access_token, {
        factor_type: 'phone',
        phone: '+15551234567',
      }),
    ).toMatchObject({
      status: 422,
      code: 'mfa_phone_enroll_not_enabled',
      message: 'MFA enroll is disabled for Phone',
    });
    expect(
      await raw(verifyOff, 'POST', '/factors', session.access_token, { factor_type: 'sms' }),
    ).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: 'factor_type needs to be totp, phone, or webauthn',
    });
    expect(await raw(verifyOff, 'POST', '/factors', 'not-a-jwt', { factor_type: 'totp' })).toMatchObject({
      status: 403,
      code: 'bad_jwt',
    });
  });
});

describe('RLS can require aal2', () => {
  it('a policy on (auth.jwt() ->> aal) = aal2 hides rows from the aal1 session and shows them after verification', async () => {
    const { supabase, email } = await signedIn();
    const factor = await enrolledAndVerified(supabase);
    const { data: session } = await supabase.auth.getSession();
    const aal2 = restAs(stack, session.session?.access_token ?? '');
    const inserted = await aal2.from('vault_notes').insert({ body: 'launch codes' }).select('body');
    expect(inserted).toMatchObject({ error: null, data: [{ body: 'launch codes' }] });

    const later = clientFor(stack);
    const { data: signIn } = await later.auth.signInWithPassword({ email, password: PASSWORD });
    const aal1 = restAs(stack, signIn.session?.access_token ?? '');
    expect(await aal1.from('vault_notes').select('body')).toMatchObject({ error: null, data: [] });
    const denied = await aal1.from('vault_notes').insert({ body: 'sneaky' });
    expect(denied.error?.code).toBe('42501');

    const { data: verified } = await later.auth.mfa.challengeAndVerify({
      factorId: factor.id,
      code: codeFor(factor.totp.secret),
    });
    const upgraded = restAs(stack, verified?.access_token ?? '');
    expect(await upgraded.from('vault_notes').select('body')).toMatchObject({
      error: null,
      data: [{ body: 'launch codes' }],
    });
  });
});
