import type { Session } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../../src/testing/index.ts';
import { clientFor, codeIn, latestMailTo, startAuthStack, uniqueEmail } from './auth-test-stack.ts';

const PASSWORD = 'correct-horse';

// This fixture keeps confirmations off and sets sign_in_sign_ups = 3, token_refresh = 2,
// max_frequency = "60s", anonymous sign-ins off and secure_password_change on, so each limit
// is reached in a few calls.
let stack: TestStack;
beforeAll(async () => {
  stack = await startAuthStack('limits-project');
});
afterAll(async () => {
  await stack?.stop();
});

describe('config.toml switches and rate limits', () => {
  it('autoconfirms when enable_confirmations is false, and refuses a second sign-up with user_already_exists', async () => {
    const email = uniqueEmail('limits');
    const first = await clientFor(stack).auth.signUp({ email, password: PASSWORD });
    expect(first.error).toBeNull();
    expect(first.data.session?.access_token).toBeTruthy();
    const second = await clientFor(stack).auth.signUp({ email, password: PASSWORD });
    expect(second.error).toMatchObject({ status: 422, code: 'user_already_exists' });

    // Third sign-in/sign-up request from this address is still allowed; the fourth is not.
    expect((await clientFor(stack).auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
    const limited = await clientFor(stack).auth.signInWithPassword({ email, password: PASSWORD });
    expect(limited.error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });

    // Refreshing is limited separately (token_refresh = 2).
    const refresh = first.data.session?.refresh_token ?? '';
    const one = await clientFor(stack).auth.refreshSession({ refresh_token: refresh });
    expect(one.error).toBeNull();
    const two = await clientFor(stack).auth.refreshSession({
      refresh_token: one.data.session?.refresh_token ?? '',
    });
    expect(two.error).toBeNull();
    const three = await clientFor(stack).auth.refreshSession({
      refresh_token: two.data.session?.refresh_token ?? '',
    });
    expect(three.error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
  });

  it('counts limits per client address (X-Forwarded-For)', async () => {
    const response = await fetch(`${stack.apiUrl}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: {
        apikey: stack.keys.anonKey,
        'content-type': 'application/json',
        'x-forwarded-for': '203.0.113.9',
      },
      body: JSON.stringify({ email: 'nobody@example.com', password: 'x' }),
    });
    expect(response.status).toBe(400);
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
