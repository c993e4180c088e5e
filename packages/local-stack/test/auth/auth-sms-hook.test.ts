import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthService } from '../../src/services/auth/index.ts';
import { createMailCatcherService } from '../../src/services/mail/index.ts';
import { createSmsCatcherService } from '../../src/services/sms/index.ts';
import { startTestStack, type TestStack } from '../../src/testing/index.ts';
import { clientFor, fixture } from './auth-test-stack.ts';

const PASSWORD = 'correct1horse';
/** The fixture's hook refuses this number. */
const REFUSED = '15550009999';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({
    workdir: fixture('phone-oauth-project'),
    services: [createMailCatcherService, createSmsCatcherService, createAuthService],
    configOverrides: {
      auth: { hook: { send_sms: { enabled: true, uri: 'pg-functions://postgres/public/send_sms_hook' } } },
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

let sequence = 0;
function uniquePhone(): string {
  sequence += 1;
  return `1777${String(Date.now() % 1e5).padStart(5, '0')}${String(sequence).padStart(2, '0')}`;
}

/** The events the hook was called with for `phone` (or a pending change to it), oldest first. */
async function hookEvents(phone: string) {
  const { rows } = await stack.db.query<{ event: { user: Record<string, unknown>; sms: { otp: string } } }>(
    `select event from public.sms_hook_events
      where event -> 'user' ->> 'phone' = $1 or event -> 'user' ->> 'new_phone' = $1 order by id`,
    [phone],
  );
  return rows.map((row) => row.event);
}

/** What the SMS catcher holds for `phone`, after a sentinel message posted straight to it. */
async function catcherAfterSentinel(phone: string) {
  const sentinel = uniquePhone();
  const posted = await fetch(`${stack.apiUrl}/__sms/api/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to: sentinel, body: 'sentinel' }),
  });
  expect(posted.status).toBe(201);
  const list = async (to: string) =>
    ((await (await fetch(`${stack.apiUrl}/__sms/api/v1/messages?to=${to}`)).json()) as { total: number })
      .total;
  expect(await list(sentinel)).toBe(1);
  return list(phone);
}

describe('[auth.hook.send_sms] (a Postgres function)', () => {
  it('gets {user, sms: {otp}} instead of the SMS catcher, and the code signs in', async () => {
    const phone = uniquePhone();
    const supabase = clientFor(stack);
    const sent = await supabase.auth.signInWithOtp({ phone });
    expect(sent.error).toBeNull();
    expect(sent.data.messageId).toBeUndefined();
    const [event] = await hookEvents(phone);
    expect(event).toMatchObject({
      user: { phone, aud: 'authenticated' },
      sms: { otp: expect.stringMatching(/^\d{6}$/) },
    });
    expect(await catcherAfterSentinel(phone)).toBe(0);

    const { data, error } = await supabase.auth.verifyOtp({
      phone,
      token: event?.sms.otp ?? '',
      type: 'sms',
    });
    expect(error).toBeNull();
    expect(data.user?.phone).toBe(phone);
  });

  it('is given the pending number of a phone change', async () => {
    const phone = uniquePhone();
    const supabase = clientFor(stack);
    await supabase.auth.signUp({ phone, password: PASSWORD });
    const [signUp] = await hookEvents(phone);
    await supabase.auth.verifyOtp({ phone, token: signUp?.sms.otp ?? '', type: 'sms' });
    const next = uniquePhone();
    expect((await supabase.auth.updateUser({ phone: next })).error).toBeNull();
    const [change] = await hookEvents(next);
    expect(change?.user).toMatchObject({ phone, new_phone: next });
    const moved = await supabase.auth.verifyOtp({
      phone: next,
      token: change?.sms.otp ?? '',
      type: 'phone_change',
    });
    expect(moved.data.user?.phone).toBe(next);
  });

  it('refuses the request with the status and message the hook answers, keeping nothing', async () => {
    const refused = await clientFor(stack).auth.signUp({ phone: REFUSED, password: PASSWORD });
    expect(refused.error).toMatchObject({ status: 400, message: 'This number cannot receive codes' });
    const users = await stack.db.query('select 1 from auth.users where phone = $1', [REFUSED]);
    expect(users.rowCount).toBe(0);
    expect(await hookEvents(REFUSED)).toEqual([]);
  });
});
