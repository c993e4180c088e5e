import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthService } from '../../src/services/auth/index.ts';
import { createMailCatcherService } from '../../src/services/mail/index.ts';
import { createSmsCatcherService } from '../../src/services/sms/index.ts';
import { startTestStack, type TestStack } from '../../src/testing/index.ts';
import { clientFor, decodeJwt, fixture } from './auth-test-stack.ts';

const PASSWORD = 'correct1horse';
/** `[auth.sms.test_otp]` in the fixture: this number signs in with 424242 and gets no message. */
const TEST_NUMBER = '15550000042';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({
    workdir: fixture('phone-oauth-project'),
    services: [createMailCatcherService, createSmsCatcherService, createAuthService],
  });
});
afterAll(async () => {
  await stack?.stop();
});

let sequence = 0;
/** A number no other test uses (E.164 digits, no `+`). */
function uniquePhone(): string {
  sequence += 1;
  return `1555${String(Date.now() % 1e5).padStart(5, '0')}${String(sequence).padStart(2, '0')}`;
}

interface Sms {
  id: string;
  to: string;
  body: string;
  channel: string;
}

/** The text messages the SMS catcher holds for `phone`, newest first, read from its JSON API. */
async function smsTo(phone: string): Promise<Sms[]> {
  const response = await fetch(`${stack.apiUrl}/__sms/api/v1/messages?to=${encodeURIComponent(phone)}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { messages: Sms[] }).messages;
}

/** The code in the newest message to `phone` (Auth sends before it answers, so it is there). */
async function codeSentTo(phone: string): Promise<string> {
  const [latest] = await smsTo(phone);
  const match = /Your Groundwork code is (\d{6})$/.exec(latest?.body ?? '');
  if (!match?.[1]) throw new Error(`no code in the SMS to ${phone}: ${latest?.body}`);
  return match[1];
}

/** Moves a user's code back in time, as if it had been sent `seconds` ago. */
async function backdate(
  phone: string,
  column: 'confirmation_sent_at' | 'phone_change_sent_at',
  seconds: number,
) {
  await stack.db.query(
    `update auth.users set ${column} = now() - make_interval(secs => $2) where phone = $1 or phone_change = $1`,
    [phone, seconds],
  );
}

describe('phone sign-up with a password (confirmations on)', () => {
  it('texts a code, verifyOtp type sms confirms the phone and signs in, then the password works', async () => {
    const phone = uniquePhone();
    const supabase = clientFor(stack);
    const signUp = await supabase.auth.signUp({
      phone: `+${phone}`,
      password: PASSWORD,
      options: { data: { plan: 'team' } },
    });
    expect(signUp.error).toBeNull();
    expect(signUp.data.session).toBeNull();
    expect(signUp.data.user).toMatchObject({
      phone,
      app_metadata: { provider: 'phone' },
      user_metadata: { plan: 'team' },
    });
    expect(signUp.data.user?.identities?.[0]?.identity_data).toMatchObject({
      plan: 'team',
      phone_verified: false,
    });
    expect(signUp.data.user?.phone_confirmed_at).toBeUndefined();

    // Not confirmed yet: the password alone does not sign in.
    const early = await supabase.auth.signInWithPassword({ phone: `+${phone}`, password: PASSWORD });
    expect(early.error).toMatchObject({
      status: 400,
      code: 'phone_not_confirmed',
      message: 'Phone not confirmed',
    });

    const [message] = await smsTo(phone);
    expect(message).toMatchObject({
      to: phone,
      channel: 'sms',
      body: expect.stringMatching(/^Your Groundwork code is \d{6}$/),
    });
    const { data, error } = await supabase.auth.verifyOtp({
      phone: `+${phone}`,
      token: await codeSentTo(phone),
      type: 'sms',
    });
    expect(error).toBeNull();
    expect(data.session?.access_token).toBeTruthy();
    expect(data.user?.phone_confirmed_at).toBeTruthy();
    expect(data.user?.identities?.[0]).toMatchObject({
      provider: 'phone',
      identity_data: { phone, phone_verified: true },
    });
    const claims = decodeJwt(data.session?.access_token ?? '');
    expect(claims).toMatchObject({ phone, role: 'authenticated', amr: [{ method: 'otp' }] });

    const password = await clientFor(stack).auth.signInWithPassword({
      phone: `+${phone}`,
      password: PASSWORD,
    });
    expect(password.error).toBeNull();
    expect(password.data.user?.id).toBe(data.user?.id);
    const wrong = await clientFor(stack).auth.signInWithPassword({
      phone: `+${phone}`,
      password: 'wrong1horse',
    });
    expect(wrong.error).toMatchObject({
      status: 400,
      code: 'invalid_credentials',
      message: 'Invalid login credentials',
    });
  });

  it('refuses a repeated sign-up of a confirmed number (email confirms at sign-up here), texting nothing', async () => {
    const phone = uniquePhone();
    const supabase = clientFor(stack);
    await supabase.auth.signUp({ phone, password: PASSWORD });
    await supabase.auth.verifyOtp({ phone, token: await codeSentTo(phone), type: 'sms' });
    const before = (await smsTo(phone)).length;
    // GoTrue: "User already registered" whenever Mailer or Sms autoconfirm is on; the fixture
    // confirms email at sign-up ([auth.email] enable_confirmations = false).
    const again = await supabase.auth.signUp({ phone, password: PASSWORD });
    expect(again.error).toMatchObject({
      status: 422,
      code: 'user_already_exists',
      message: 'User already registered',
    });
    expect(await smsTo(phone)).toHaveLength(before);
  });

  it('refuses PKCE for a phone sign-up', async () => {
    const response = await fetch(`${stack.apiUrl}/auth/v1/signup`, {
      method: 'POST',
      headers: { apikey: stack.keys.anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        phone: uniquePhone(),
        password: PASSWORD,
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 's256',
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error_code: 'validation_failed',
      msg: 'PKCE not supported for phone signups',
    });
  });

  it('refuses a wrong code and an expired one with otp_expired, and the right code once', async () => {
    const phone = uniquePhone();
    const supabase = clientFor(stack);
    await supabase.auth.signUp({ phone, password: PASSWORD });
    const code = await codeSentTo(phone);
    const wrong = await supabase.auth.verifyOtp({
      phone,
      token: code === '000000' ? '111111' : '000000',
      type: 'sms',
    });
    expect(wrong.error).toMatchObject({
      status: 403,
      code: 'otp_expired',
      message: 'Token has expired or is invalid',
    });

    // The CLI gives phone codes 6000 s (GOTRUE_SMS_OTP_EXP); one sent 6001 s ago is refused.
    await backdate(phone, 'confirmation_sent_at', 6001);
    const expired = await supabase.auth.verifyOtp({ phone, token: code, type: 'sms' });
    expect(expired.error).toMatchObject({ status: 403, code: 'otp_expired' });
    const row = await stack.db.query('select phone_confirmed_at from auth.users where phone = $1', [phone]);
    expect(row.rows[0].phone_confirmed_at).toBeNull();
  });
});

describe('phone sign-in by code (signInWithOtp)', () => {
  it('makes the user (sign-up: no message id), then signs the confirmed number in with a code and its message id', async () => {
    const phone = uniquePhone();
    const supabase = clientFor(stack);
    const sent = await supabase.auth.signInWithOtp({
      phone: `+${phone}`,
      options: { data: { from: 'otp' } },
    });
    expect(sent.error).toBeNull();
    expect(sent.data.messageId).toBeUndefined();
    const { data, error } = await supabase.auth.verifyOtp({
      phone,
      token: await codeSentTo(phone),
      type: 'sms',
    });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ phone, user_metadata: { from: 'otp' } });

    // The next code waits out max_frequency (5 s in the fixture) since the last one.
    const tooSoon = await supabase.auth.signInWithOtp({ phone });
    expect(tooSoon.error).toMatchObject({ status: 429, code: 'over_sms_send_rate_limit' });
    await backdate(phone, 'confirmation_sent_at', 10);
    const again = await supabase.auth.signInWithOtp({ phone });
    expect(again.error).toBeNull();
    expect(again.data.messageId).toBe((await smsTo(phone))[0]?.id);
    const signedIn = await clientFor(stack).auth.verifyOtp({
      phone,
      token: await codeSentTo(phone),
      type: 'sms',
    });
    expect(signedIn.data.user?.id).toBe(data.user?.id);
  });

  it('refuses an unknown number with create_user false, and WhatsApp reaches the catcher as its channel', async () => {
    const phone = uniquePhone();
    const refused = await clientFor(stack).auth.signInWithOtp({
      phone,
      options: { shouldCreateUser: false },
    });
    expect(refused.error).toMatchObject({
      status: 422,
      code: 'otp_disabled',
      message: 'Signups not allowed for otp',
    });
    expect(await smsTo(phone)).toEqual([]);

    const whatsapp = await clientFor(stack).auth.signInWithOtp({ phone, options: { channel: 'whatsapp' } });
    expect(whatsapp.error).toBeNull();
    expect((await smsTo(phone))[0]?.channel).toBe('whatsapp');
  });

  it('signs a [auth.sms.test_otp] number in with its fixed code and texts it nothing', async () => {
    const supabase = clientFor(stack);
    const sent = await supabase.auth.signInWithOtp({ phone: `+${TEST_NUMBER}` });
    expect(sent.error).toBeNull();
    // Sentinel: a message to another number sent afterwards arrives, and still none to the test number.
    const sentinel = uniquePhone();
    await clientFor(stack).auth.signInWithOtp({ phone: sentinel });
    expect(await smsTo(sentinel)).toHaveLength(1);
    expect(await smsTo(TEST_NUMBER)).toEqual([]);

    const { data, error } = await supabase.auth.verifyOtp({
      phone: TEST_NUMBER,
      token: '424242',
      type: 'sms',
    });
    expect(error).toBeNull();
    expect(data.user?.phone).toBe(TEST_NUMBER);

    // Once confirmed, the number's sign-in answers GoTrue's message id for test numbers.
    await backdate(TEST_NUMBER, 'confirmation_sent_at', 10);
    const next = await supabase.auth.signInWithOtp({ phone: TEST_NUMBER });
    expect(next.data.messageId).toBe('test-otp');
    expect(await smsTo(TEST_NUMBER)).toEqual([]);
  });
});

describe('resend', () => {
  it('waits out [auth.sms] max_frequency, then texts a new code that replaces the old one', async () => {
    const phone = uniquePhone();
    const supabase = clientFor(stack);
    await supabase.auth.signUp({ phone, password: PASSWORD });
    const first = await codeSentTo(phone);
    const tooSoon = await supabase.auth.resend({ phone, type: 'sms' });
    expect(tooSoon.error).toMatchObject({
      status: 429,
      code: 'over_sms_send_rate_limit',
      message: expect.stringMatching(/^For security purposes, you can only request this after \d seconds\.$/),
    });
    expect(await smsTo(phone)).toHaveLength(1);

    await backdate(phone, 'confirmation_sent_at', 10);
    const resent = await supabase.auth.resend({ phone, type: 'sms' });
    expect(resent.error).toBeNull();
    expect(resent.data.messageId).toBe((await smsTo(phone))[0]?.id);
    const second = await codeSentTo(phone);
    if (second !== first) {
      expect((await supabase.auth.verifyOtp({ phone, token: first, type: 'sms' })).error).toMatchObject({
        code: 'otp_expired',
      });
    }
    expect((await supabase.auth.verifyOtp({ phone, token: second, type: 'sms' })).error).toBeNull();
  });

  it('answers an unknown number like a known one and texts it nothing', async () => {
    const phone = uniquePhone();
    const { data, error } = await clientFor(stack).auth.resend({ phone, type: 'sms' });
    expect(error).toBeNull();
    expect(data.messageId).toBeUndefined();
    expect(await smsTo(phone)).toEqual([]);
  });
});

describe('phone change (updateUser)', () => {
  async function signedInByPhone() {
    const phone = uniquePhone();
    const supabase = clientFor(stack);
    await supabase.auth.signUp({ phone, password: PASSWORD });
    const { data } = await supabase.auth.verifyOtp({ phone, token: await codeSentTo(phone), type: 'sms' });
    return { supabase, phone, userId: data.user?.id };
  }

  it('texts the new number, and verifyOtp type phone_change moves the user to it', async () => {
    const { supabase, phone, userId } = await signedInByPhone();
    const next = uniquePhone();
    const update = await supabase.auth.updateUser({ phone: `+${next}` });
    expect(update.error).toBeNull();
    expect(update.data.user).toMatchObject({ phone });
    const row = await stack.db.query('select phone, phone_change from auth.users where id = $1', [userId]);
    expect(row.rows[0]).toEqual({ phone, phone_change: next });

    const { data, error } = await supabase.auth.verifyOtp({
      phone: next,
      token: await codeSentTo(next),
      type: 'phone_change',
    });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ id: userId, phone: next });
    expect(
      data.user?.identities?.find((identity) => identity.provider === 'phone')?.identity_data,
    ).toMatchObject({
      phone: next,
    });
    const old = await clientFor(stack).auth.signInWithPassword({ phone, password: PASSWORD });
    expect(old.error).toMatchObject({ code: 'invalid_credentials' });
    expect(
      (await clientFor(stack).auth.signInWithPassword({ phone: next, password: PASSWORD })).error,
    ).toBeNull();
  });

  it('resends the phone_change code to the new number, looked up by the current one, after max_frequency', async () => {
    const { supabase, phone } = await signedInByPhone();
    const next = uniquePhone();
    expect((await supabase.auth.updateUser({ phone: next })).error).toBeNull();
    const tooSoon = await supabase.auth.resend({ phone, type: 'phone_change' });
    expect(tooSoon.error).toMatchObject({ status: 429, code: 'over_sms_send_rate_limit' });
    await backdate(next, 'phone_change_sent_at', 10);
    const resent = await supabase.auth.resend({ phone, type: 'phone_change' });
    expect(resent.error).toBeNull();
    const messages = await smsTo(next);
    expect(messages).toHaveLength(2);
    expect(resent.data.messageId).toBe(messages[0]?.id);
    const { error } = await supabase.auth.verifyOtp({
      phone: next,
      token: await codeSentTo(next),
      type: 'phone_change',
    });
    expect(error).toBeNull();
  });

  it('refuses a number another user has, and a malformed one, before texting anything', async () => {
    const taken = await signedInByPhone();
    const { supabase } = await signedInByPhone();
    const before = (await smsTo(taken.phone)).length;
    expect((await supabase.auth.updateUser({ phone: taken.phone })).error).toMatchObject({
      status: 422,
      code: 'phone_exists',
      message: 'A user with this phone number has already been registered',
    });
    expect((await supabase.auth.updateUser({ phone: '+0123' })).error).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: 'Invalid phone number format (E.164 required)',
    });
    expect(await smsTo(taken.phone)).toHaveLength(before);
  });

  it('gives an email user a phone identity, and unlinkIdentity takes the number off again', async () => {
    const supabase = clientFor(stack);
    const email = `phone-unlink-${Date.now()}@example.com`;
    expect((await supabase.auth.signUp({ email, password: PASSWORD })).error).toBeNull();
    const phone = uniquePhone();
    expect((await supabase.auth.updateUser({ phone })).error).toBeNull();
    const verified = await supabase.auth.verifyOtp({
      phone,
      token: await codeSentTo(phone),
      type: 'phone_change',
    });
    expect(verified.error).toBeNull();
    expect(verified.data.user?.identities?.map((identity) => identity.provider).sort()).toEqual([
      'email',
      'phone',
    ]);
    expect(verified.data.user?.app_metadata.providers).toEqual(['email', 'phone']);

    const phoneIdentity = verified.data.user?.identities?.find((identity) => identity.provider === 'phone');
    expect((await supabase.auth.unlinkIdentity(phoneIdentity as never)).error).toBeNull();
    const after = await supabase.auth.getUser();
    expect(after.data.user).toMatchObject({ email, phone: '' });
    expect(after.data.user?.identities?.map((identity) => identity.provider)).toEqual(['email']);
    expect(
      (await clientFor(stack).auth.signInWithPassword({ phone, password: PASSWORD })).error,
    ).toMatchObject({
      code: 'invalid_credentials',
    });
  });

  it('lets an anonymous user add a phone and become a permanent phone user', async () => {
    const supabase = clientFor(stack);
    const anonymous = await supabase.auth.signInAnonymously();
    expect(anonymous.error).toBeNull();
    const phone = uniquePhone();
    expect((await supabase.auth.updateUser({ phone })).error).toBeNull();
    const { data, error } = await supabase.auth.verifyOtp({
      phone,
      token: await codeSentTo(phone),
      type: 'phone_change',
    });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ id: anonymous.data.user?.id, phone, is_anonymous: false });
    expect(data.user?.app_metadata.providers).toEqual(['phone']);
  });
});

describe('reauthentication by text message', () => {
  it('texts a phone user the nonce that lets an old session change the password', async () => {
    const phone = uniquePhone();
    const supabase = clientFor(stack);
    await supabase.auth.signUp({ phone, password: PASSWORD });
    const { data } = await supabase.auth.verifyOtp({ phone, token: await codeSentTo(phone), type: 'sms' });
    // secure_password_change (fixture): a session older than a day must prove itself.
    await stack.db.query(
      "update auth.sessions set created_at = now() - interval '2 days' where user_id = $1",
      [data.user?.id],
    );
    const refused = await supabase.auth.updateUser({ password: 'newer1horse' });
    expect(refused.error).toMatchObject({ code: 'reauthentication_needed' });

    expect((await supabase.auth.reauthenticate()).error).toBeNull();
    const nonce = await codeSentTo(phone);
    const wrong = await supabase.auth.updateUser({
      password: 'newer1horse',
      nonce: nonce === '000000' ? '111111' : '000000',
    });
    expect(wrong.error).toMatchObject({ code: 'reauthentication_not_valid' });
    expect((await supabase.auth.updateUser({ password: 'newer1horse', nonce })).error).toBeNull();
    expect(
      (await clientFor(stack).auth.signInWithPassword({ phone, password: 'newer1horse' })).error,
    ).toBeNull();
  });
});

describe('bad phone input', () => {
  it('answers E.164 violations with GoTrue’s message on every phone route, and sends nothing', async () => {
    const supabase = clientFor(stack);
    const invalid = {
      status: 400,
      code: 'validation_failed',
      message: 'Invalid phone number format (E.164 required)',
    };
    for (const phone of ['+0123456789', 'not-a-number', '+1234567890123456', '+1 (555) 010-0000']) {
      expect((await supabase.auth.signUp({ phone, password: PASSWORD })).error).toMatchObject(invalid);
      expect((await supabase.auth.signInWithOtp({ phone })).error).toMatchObject(invalid);
      expect((await supabase.auth.verifyOtp({ phone, token: '123456', type: 'sms' })).error).toMatchObject(
        invalid,
      );
    }
    const channel = await fetch(`${stack.apiUrl}/auth/v1/otp`, {
      method: 'POST',
      headers: { apikey: stack.keys.anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ phone: uniquePhone(), channel: 'pigeon' }),
    });
    expect(channel.status).toBe(400);
    expect(await channel.json()).toMatchObject({ error_code: 'validation_failed' });
    const verify = async (body: Record<string, unknown>) => {
      const response = await fetch(`${stack.apiUrl}/auth/v1/verify`, {
        method: 'POST',
        headers: { apikey: stack.keys.anonKey, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    expect(await verify({ type: 'sms', phone: uniquePhone() })).toMatchObject({
      status: 400,
      body: { error_code: 'validation_failed', msg: 'Verify requires either a token or a token hash' },
    });
    expect(await verify({ type: 'sms', token: '123456' })).toMatchObject({
      status: 400,
      body: { msg: 'Only an email address or phone number should be provided on verify' },
    });
    const unknown = await supabase.auth.verifyOtp({ phone: uniquePhone(), token: '123456', type: 'sms' });
    expect(unknown.error).toMatchObject({ status: 403, code: 'otp_expired' });
  });

  it('GET /settings reports the phone provider and that phones are confirmed by code', async () => {
    const response = await fetch(`${stack.apiUrl}/auth/v1/settings`, {
      headers: { apikey: stack.keys.anonKey },
    });
    expect(await response.json()).toMatchObject({ external: { phone: true }, phone_autoconfirm: false });
  });
});

describe('SMS catcher', () => {
  it('shows caught messages in its web page and clears them through its API', async () => {
    const phone = uniquePhone();
    await clientFor(stack).auth.signInWithOtp({ phone });
    const page = await fetch(`${stack.apiUrl}/__sms`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain(`+${phone}`);
    expect(html).toContain(`Your Groundwork code is ${await codeSentTo(phone)}`);

    const latest = await fetch(`${stack.apiUrl}/__sms/api/v1/messages/latest?to=${phone}`);
    expect(await latest.json()).toMatchObject({ to: phone });
    expect((await fetch(`${stack.apiUrl}/__sms/api/v1/messages/nope`)).status).toBe(404);
    const bad = await fetch(`${stack.apiUrl}/__sms/api/v1/messages`, { method: 'POST', body: '{"to":"x"}' });
    expect(bad.status).toBe(400);

    expect((await fetch(`${stack.apiUrl}/__sms/api/v1/messages`, { method: 'DELETE' })).status).toBe(204);
    expect(await smsTo(phone)).toEqual([]);
  });
});
