import type { Session } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../../src/testing/index.ts';
import { adminClient, clientFor, startAuthStack, uniqueEmail } from './auth-test-stack.ts';

// Behaviours of GoTrue that apps meet through supabase-js: bcrypt's 72-byte limit, the admin
// API's pagination errors, and what generate_link stores.
const PASSWORD = 'correct1horse';
// 73 bytes: bcrypt would read only the first 72, so any 73rd character would sign in.
const TOO_LONG = `${'a1'.repeat(36)}x`;
// 72 bytes in 37 characters (é is two bytes in UTF-8): the limit is bytes, as GoTrue's len().
const LONGEST = `1a${'é'.repeat(35)}`;
const TOO_LONG_MULTIBYTE = `1a${'é'.repeat(36)}`;
const TOO_LONG_MESSAGE = 'Password cannot be longer than 72 characters';

let stack: TestStack;
beforeAll(async () => {
  stack = await startAuthStack('auth-project');
});
afterAll(async () => {
  await stack?.stop();
});

async function storedPasswordHash(email: string): Promise<string | null> {
  const { rows } = await stack.db.query<{ encrypted_password: string | null }>(
    'select encrypted_password from auth.users where email = $1',
    [email],
  );
  return rows[0]?.encrypted_password ?? null;
}

describe('passwords longer than 72 bytes are refused as GoTrue does', () => {
  it('refuses them at sign-up (400 validation_failed, GoTrue message) and creates no user', async () => {
    for (const password of [TOO_LONG, TOO_LONG_MULTIBYTE]) {
      const email = uniqueEmail('long-signup');
      const { data, error } = await clientFor(stack).auth.signUp({ email, password });
      expect(error).toMatchObject({ status: 400, code: 'validation_failed', message: TOO_LONG_MESSAGE });
      expect(data.user).toBeNull();
      const { rowCount } = await stack.db.query('select 1 from auth.users where email = $1', [email]);
      expect(rowCount).toBe(0);
    }
  });

  it('accepts exactly 72 bytes, and only that password signs in', async () => {
    const email = uniqueEmail('longest');
    const { error } = await adminClient(stack).auth.admin.createUser({
      email,
      password: LONGEST,
      email_confirm: true,
    });
    expect(error).toBeNull();
    const signedIn = await clientFor(stack).auth.signInWithPassword({ email, password: LONGEST });
    expect(signedIn.error).toBeNull();
    const wrongEnding = await clientFor(stack).auth.signInWithPassword({
      email,
      password: `${LONGEST.slice(0, -1)}e`,
    });
    expect(wrongEnding.error).toMatchObject({ status: 400, code: 'invalid_credentials' });
  });

  it('refuses them when a user updates their password, keeping the old one', async () => {
    const email = uniqueEmail('long-update');
    await adminClient(stack).auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
    const { data } = await clientFor(stack).auth.signInWithPassword({ email, password: PASSWORD });
    const before = await storedPasswordHash(email);
    const supabase = clientFor(stack);
    await supabase.auth.setSession(data.session as Session);
    const { error } = await supabase.auth.updateUser({ password: TOO_LONG });
    expect(error).toMatchObject({ status: 400, code: 'validation_failed', message: TOO_LONG_MESSAGE });
    expect(await storedPasswordHash(email)).toBe(before);
    const old = await clientFor(stack).auth.signInWithPassword({ email, password: PASSWORD });
    expect(old.error).toBeNull();
  });

  it('refuses them in admin createUser and updateUserById', async () => {
    const admin = adminClient(stack).auth.admin;
    const email = uniqueEmail('long-admin');
    const created = await admin.createUser({ email, password: TOO_LONG, email_confirm: true });
    expect(created.error).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: TOO_LONG_MESSAGE,
    });
    const { rowCount } = await stack.db.query('select 1 from auth.users where email = $1', [email]);
    expect(rowCount).toBe(0);

    const user = await admin.createUser({ email, password: PASSWORD, email_confirm: true });
    const before = await storedPasswordHash(email);
    const updated = await admin.updateUserById(user.data.user?.id ?? '', { password: TOO_LONG_MULTIBYTE });
    expect(updated.error).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: TOO_LONG_MESSAGE,
    });
    expect(await storedPasswordHash(email)).toBe(before);
  });

  it('refuses them in generateLink({ type: "signup" })', async () => {
    const email = uniqueEmail('long-link');
    const { error } = await adminClient(stack).auth.admin.generateLink({
      type: 'signup',
      email,
      password: TOO_LONG,
    });
    expect(error).toMatchObject({ status: 400, code: 'validation_failed', message: TOO_LONG_MESSAGE });
  });
});

describe('admin listUsers pagination', () => {
  const cases: [string, { page?: string; per_page?: string }, string][] = [
    ['page -1', { page: '-1' }, 'Bad Pagination Parameters: strconv.ParseUint: parsing "-1": invalid syntax'],
    [
      'page abc',
      { page: 'abc' },
      'Bad Pagination Parameters: strconv.ParseUint: parsing "abc": invalid syntax',
    ],
    ['per_page 0', { per_page: '0' }, 'Bad Pagination Parameters: per_page must be greater than 0'],
    [
      'per_page beyond uint64',
      { per_page: '18446744073709551616' },
      'Bad Pagination Parameters: strconv.ParseUint: parsing "18446744073709551616": value out of range',
    ],
  ];

  it('answers listUsers({ page: -1 }) with 400 Bad Pagination Parameters through supabase-js', async () => {
    const { data, error } = await adminClient(stack).auth.admin.listUsers({ page: -1 });
    expect(error).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(error?.message).toBe('Bad Pagination Parameters: strconv.ParseUint: parsing "-1": invalid syntax');
    expect(data.users).toEqual([]);
  });

  it.each(cases)('answers %s with 400 and GoTrue message', async (_name, query, message) => {
    const response = await fetch(
      `${stack.apiUrl}/auth/v1/admin/users?${new URLSearchParams(query).toString()}`,
      {
        headers: {
          apikey: stack.keys.serviceRoleKey,
          Authorization: `Bearer ${stack.keys.serviceRoleKey}`,
        },
      },
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 400, error_code: 'validation_failed', msg: message });
  });

  it('still serves page 0 as the first page and a page past the end as empty', async () => {
    const admin = adminClient(stack).auth.admin;
    await admin.createUser({ email: uniqueEmail('page'), password: PASSWORD, email_confirm: true });
    const first = await admin.listUsers({ page: 1, perPage: 1 });
    const zero = await admin.listUsers({ page: 0, perPage: 1 });
    expect(zero.error).toBeNull();
    expect(zero.data.users.map((user) => user.id)).toEqual(first.data.users.map((user) => user.id));
    const far = await admin.listUsers({ page: 1_000_000_000, perPage: 1000 });
    expect(far.error).toBeNull();
    expect(far.data.users).toEqual([]);
  });
});

describe('generateLink stores exactly the metadata passed', () => {
  it('keeps user_metadata to `data` for signup (no email, email_verified, phone_verified, sub)', async () => {
    const email = uniqueEmail('link-meta');
    const data = { full_name: 'Ada Lovelace', plan: 'pro' };
    const link = await adminClient(stack).auth.admin.generateLink({
      type: 'signup',
      email,
      password: PASSWORD,
      options: { data },
    });
    expect(link.error).toBeNull();
    expect(link.data.user?.user_metadata).toEqual(data);
    const { rows } = await stack.db.query<{ raw_user_meta_data: unknown }>(
      'select raw_user_meta_data from auth.users where email = $1',
      [email],
    );
    expect(rows[0]?.raw_user_meta_data).toEqual(data);
    // The identity still carries its claims, as GoTrue's.
    const identity = await stack.db.query<{ identity_data: Record<string, unknown> }>(
      "select identity_data from auth.identities where provider = 'email' and user_id = $1",
      [link.data.user?.id],
    );
    expect(identity.rows[0]?.identity_data).toMatchObject({ email, sub: link.data.user?.id });
  });

  it('keeps user_metadata to `data` for invite links too', async () => {
    const email = uniqueEmail('link-invite');
    const link = await adminClient(stack).auth.admin.generateLink({
      type: 'invite',
      email,
      options: { data: { team: 'core' } },
    });
    expect(link.error).toBeNull();
    expect(link.data.user?.user_metadata).toEqual({ team: 'core' });
  });

  it('while /signup still folds the identity claims in, as GoTrue does', async () => {
    const email = uniqueEmail('signup-meta');
    const { data } = await clientFor(stack).auth.signUp({
      email,
      password: PASSWORD,
      options: { data: { full_name: 'Grace' } },
    });
    expect(data.user?.user_metadata).toMatchObject({ full_name: 'Grace', email, sub: data.user?.id });
  });
});
