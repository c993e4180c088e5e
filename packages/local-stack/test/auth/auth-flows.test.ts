import type { Session } from '@supabase/supabase-js';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../../src/testing/index.ts';
import {
  adminClient,
  clientFor,
  codeIn,
  decodeJwt,
  fragmentOf,
  latestMailTo,
  linkIn,
  openLink,
  restAs,
  startAuthStack,
  uniqueEmail,
} from './auth-test-stack.ts';

const PASSWORD = 'correct1horse';

let stack: TestStack;
beforeAll(async () => {
  stack = await startAuthStack('auth-project');
});
afterAll(async () => {
  await stack?.stop();
});

/** Signs up through supabase-js and confirms by opening the link from the mail catcher. */
async function confirmedUser(label: string, data: Record<string, unknown> = {}) {
  const email = uniqueEmail(label);
  const { error } = await clientFor(stack).auth.signUp({ email, password: PASSWORD, options: { data } });
  expect(error).toBeNull();
  const location = await openLink(linkIn((await latestMailTo(stack, email)).HTML));
  expect(fragmentOf(location).get('access_token')).toBeTruthy();
  return email;
}

async function signIn(email: string, password = PASSWORD): Promise<Session> {
  const { data, error } = await clientFor(stack).auth.signInWithPassword({ email, password });
  expect(error).toBeNull();
  return data.session as Session;
}

describe('server information', () => {
  it('GET /settings reports the email and anonymous providers and confirmations from config.toml', async () => {
    const response = await fetch(`${stack.apiUrl}/auth/v1/settings`, {
      headers: { apikey: stack.keys.anonKey },
    });
    expect(response.status).toBe(200);
    const settings = await response.json();
    expect(settings).toMatchObject({
      external: { email: true, anonymous_users: true, github: false, phone: false },
      disable_signup: false,
      mailer_autoconfirm: false,
    });
  });

  it('GET /health answers, and the JWKS is public and empty with HS256', async () => {
    const health = await fetch(`${stack.apiUrl}/auth/v1/health`, { headers: { apikey: stack.keys.anonKey } });
    expect(await health.json()).toMatchObject({ name: 'GoTrue' });
    const jwks = await fetch(`${stack.apiUrl}/auth/v1/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    expect(await jwks.json()).toEqual({ keys: [] });
  });
});

describe('sign up, confirmation and sign in', () => {
  it('signs up without a session, runs the auth.users trigger, and refuses sign-in until confirmed', async () => {
    const email = uniqueEmail('signup');
    const supabase = clientFor(stack);
    const { data, error } = await supabase.auth.signUp({
      email,
      password: PASSWORD,
      options: { data: { display_name: 'Ada' } },
    });
    expect(error).toBeNull();
    expect(data.session).toBeNull();
    expect(data.user).toMatchObject({
      email,
      aud: 'authenticated',
      role: 'authenticated',
      is_anonymous: false,
    });
    expect(data.user?.user_metadata).toMatchObject({
      display_name: 'Ada',
      email_verified: false,
      sub: data.user?.id,
    });
    expect(data.user?.identities?.[0]).toMatchObject({
      provider: 'email',
      identity_data: { email, email_verified: false },
    });

    const profile = await stack.db.query('select display_name from public.profiles where id = $1', [
      data.user?.id,
    ]);
    expect(profile.rows).toEqual([{ display_name: 'Ada' }]);

    const early = await supabase.auth.signInWithPassword({ email, password: PASSWORD });
    expect(early.error).toMatchObject({ status: 400, code: 'email_not_confirmed' });
  });

  it('confirms by the mailed link: 303 to site_url with a GoTrue session in the fragment', async () => {
    const email = uniqueEmail('confirm');
    await clientFor(stack).auth.signUp({ email, password: PASSWORD });
    const mail = await latestMailTo(stack, email);
    expect(mail.Subject).toBe('Confirm Your Email');
    const link = linkIn(mail.HTML);
    expect(link).toContain(`${stack.apiUrl}/auth/v1/verify?token=`);
    expect(link).toContain('type=signup');

    const location = await openLink(link);
    expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:3000/');
    const fragment = fragmentOf(location);
    expect(fragment.get('token_type')).toBe('bearer');
    expect(fragment.get('type')).toBe('signup');
    const claims = decodeJwt(fragment.get('access_token') ?? '');
    expect(claims).toMatchObject({
      iss: `${stack.apiUrl}/auth/v1`,
      aud: 'authenticated',
      role: 'authenticated',
      email,
      phone: '',
      aal: 'aal1',
      is_anonymous: false,
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: { email_verified: true },
      user_plan: 'free',
      hook_method: 'otp',
    });
    expect(claims.exp).toBe((claims.iat as number) + 3600);
    expect((claims.amr as { method: string }[])[0]?.method).toBe('otp');

    // A confirmed link cannot be used twice.
    const again = await openLink(link);
    expect(fragmentOf(again).get('error_code')).toBe('otp_expired');
  });

  it('signs in with a password; the access token works for REST and RLS sees the user', async () => {
    const email = await confirmedUser('signin');
    const session = await signIn(email);
    expect(session).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    expect(session.refresh_token).toMatch(/^[a-z0-9]{12}$/);
    expect(decodeJwt(session.access_token)).toMatchObject({
      hook_method: 'password',
      session_id: expect.any(String),
    });
    const rest = restAs(stack, session.access_token);
    expect((await rest.rpc('whoami')).data).toBe(session.user.id);
    const inserted = await rest.from('notes').insert({ body: 'mine' }).select('owner_id').single();
    expect(inserted.data?.owner_id).toBe(session.user.id);
  });

  it('honours redirect_to inside additional_redirect_urls and falls back to site_url otherwise', async () => {
    const allowed = uniqueEmail('redirect-ok');
    await clientFor(stack).auth.signUp({
      email: allowed,
      password: PASSWORD,
      options: { emailRedirectTo: 'http://localhost:3000/welcome/page' },
    });
    const toAllowed = await openLink(linkIn((await latestMailTo(stack, allowed)).HTML));
    expect(`${toAllowed.origin}${toAllowed.pathname}`).toBe('http://localhost:3000/welcome/page');

    const denied = uniqueEmail('redirect-no');
    await clientFor(stack).auth.signUp({
      email: denied,
      password: PASSWORD,
      options: { emailRedirectTo: 'https://evil.example/steal' },
    });
    const toDenied = await openLink(linkIn((await latestMailTo(stack, denied)).HTML));
    expect(toDenied.origin).toBe('http://127.0.0.1:3000');
  });

  it('answers a repeated sign-up of a confirmed address with a user that has no identities', async () => {
    const email = await confirmedUser('repeat');
    const { data, error } = await clientFor(stack).auth.signUp({ email, password: PASSWORD });
    expect(error).toBeNull();
    expect(data.user?.identities).toEqual([]);
    expect(data.session).toBeNull();
  });

  it('confirms with the mailed code through verifyOtp', async () => {
    const email = uniqueEmail('otp-confirm');
    await clientFor(stack).auth.signUp({ email, password: PASSWORD });
    const code = codeIn((await latestMailTo(stack, email)).HTML);
    const { data, error } = await clientFor(stack).auth.verifyOtp({ email, token: code, type: 'email' });
    expect(error).toBeNull();
    expect(data.session?.user.email_confirmed_at).toBeTruthy();
  });
});

describe('refresh tokens', () => {
  it('rotates, gives the same child when a revoked token is replayed within the interval, and revokes the session outside it', async () => {
    const email = await confirmedUser('refresh');
    const first = await signIn(email);
    const supabase = clientFor(stack);
    const rotated = await supabase.auth.refreshSession({ refresh_token: first.refresh_token });
    expect(rotated.error).toBeNull();
    const second = rotated.data.session as Session;
    expect(second.refresh_token).not.toBe(first.refresh_token);

    const replay = await supabase.auth.refreshSession({ refresh_token: first.refresh_token });
    expect(replay.error).toBeNull();
    expect(replay.data.session?.refresh_token).toBe(second.refresh_token);

    const rows = await stack.db.query(
      'select token, parent, revoked from auth.refresh_tokens where session_id = $1 order by id',
      [decodeJwt(first.access_token).session_id],
    );
    expect(rows.rows).toEqual([
      { token: first.refresh_token, parent: null, revoked: true },
      { token: second.refresh_token, parent: first.refresh_token, revoked: false },
    ]);

    // Move the revocation outside refresh_token_reuse_interval instead of sleeping.
    await stack.db.query(
      "update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = $1",
      [first.refresh_token],
    );
    const late = await supabase.auth.refreshSession({ refresh_token: first.refresh_token });
    expect(late.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
    const child = await supabase.auth.refreshSession({ refresh_token: second.refresh_token });
    expect(child.error).toMatchObject({ code: 'refresh_token_already_used' });
  });
});

describe('account updates, recovery and magic links', () => {
  it('updates metadata and password; the new password signs in and the old one no longer does', async () => {
    const email = await confirmedUser('update');
    const session = await signIn(email);
    const supabase = clientFor(stack);
    await supabase.auth.setSession(session);
    const updated = await supabase.auth.updateUser({ data: { theme: 'dark' }, password: 'another2horse' });
    expect(updated.error).toBeNull();
    expect(updated.data.user?.user_metadata).toMatchObject({ theme: 'dark' });
    const old = await clientFor(stack).auth.signInWithPassword({ email, password: PASSWORD });
    expect(old.error).toMatchObject({ code: 'invalid_credentials' });
    await signIn(email, 'another2horse');

    const same = await supabase.auth.updateUser({ password: 'another2horse' });
    expect(same.error).toMatchObject({ status: 422, code: 'same_password' });
  });

  it('changes the email after both addresses confirm (double_confirm_changes)', async () => {
    const email = await confirmedUser('change-old');
    const next = uniqueEmail('change-new');
    const supabase = clientFor(stack);
    await supabase.auth.setSession(await signIn(email));
    const { data, error } = await supabase.auth.updateUser({ email: next });
    expect(error).toBeNull();
    expect(data.user?.new_email).toBe(next);

    const toNew = await latestMailTo(stack, next, 'Confirm Email Change');
    const toOld = await latestMailTo(stack, email, 'Confirm Email Change');
    const firstHop = await openLink(linkIn(toNew.HTML));
    expect(fragmentOf(firstHop).get('message')).toMatch(/Confirmation link accepted/);
    const secondHop = await openLink(linkIn(toOld.HTML));
    expect(fragmentOf(secondHop).get('type')).toBe('email_change');
    const { rows } = await stack.db.query('select email, email_change from auth.users where id = $1', [
      data.user?.id,
    ]);
    expect(rows[0]).toEqual({ email: next, email_change: '' });
    await signIn(next);
  });

  it('recovers a password by the mailed link and sets a new one with the recovery session', async () => {
    const email = await confirmedUser('recover');
    const { error } = await clientFor(stack).auth.resetPasswordForEmail(email, {
      redirectTo: 'http://localhost:3000/reset',
    });
    expect(error).toBeNull();
    const mail = await latestMailTo(stack, email, 'Reset Your Password');
    const location = await openLink(linkIn(mail.HTML));
    expect(location.pathname).toBe('/reset');
    const fragment = fragmentOf(location);
    expect(fragment.get('type')).toBe('recovery');
    const supabase = clientFor(stack);
    await supabase.auth.setSession({
      access_token: fragment.get('access_token') ?? '',
      refresh_token: fragment.get('refresh_token') ?? '',
    });
    expect((await supabase.auth.updateUser({ password: 'recovered3horse' })).error).toBeNull();
    await signIn(email, 'recovered3horse');
  });

  it('answers recovery for an unknown address the same way, sending nothing', async () => {
    const { error } = await clientFor(stack).auth.resetPasswordForEmail(uniqueEmail('nobody'));
    expect(error).toBeNull();
  });

  it('signs in by magic link and by the code in the same mail', async () => {
    const email = await confirmedUser('magic');
    expect((await clientFor(stack).auth.signInWithOtp({ email })).error).toBeNull();
    const mail = await latestMailTo(stack, email, 'Your Magic Link');
    const location = await openLink(linkIn(mail.HTML));
    expect(fragmentOf(location).get('type')).toBe('magiclink');
    expect(
      (decodeJwt(fragmentOf(location).get('access_token') ?? '').amr as { method: string }[])[0]?.method,
    ).toBe('otp');

    expect((await clientFor(stack).auth.signInWithOtp({ email })).error).toBeNull();
    const code = codeIn((await latestMailTo(stack, email, 'Your Magic Link')).HTML);
    const { data, error } = await clientFor(stack).auth.verifyOtp({ email, token: code, type: 'email' });
    expect(error).toBeNull();
    expect(data.session?.user.email).toBe(email);
  });

  it('creates a user on signInWithOtp unless shouldCreateUser is false', async () => {
    const fresh = uniqueEmail('otp-new');
    expect((await clientFor(stack).auth.signInWithOtp({ email: fresh })).error).toBeNull();
    expect((await latestMailTo(stack, fresh)).Subject).toBe('Confirm Your Email');
    const refused = await clientFor(stack).auth.signInWithOtp({
      email: uniqueEmail('otp-none'),
      options: { shouldCreateUser: false },
    });
    expect(refused.error).toMatchObject({ status: 422, code: 'otp_disabled' });
  });

  it('resends the sign-up confirmation and sends a reauthentication code', async () => {
    const email = uniqueEmail('resend');
    await clientFor(stack).auth.signUp({ email, password: PASSWORD });
    expect((await clientFor(stack).auth.resend({ type: 'signup', email })).error).toBeNull();
    await openLink(linkIn((await latestMailTo(stack, email)).HTML));
    const supabase = clientFor(stack);
    await supabase.auth.setSession(await signIn(email));
    expect((await supabase.auth.reauthenticate()).error).toBeNull();
    expect((await latestMailTo(stack, email, 'Confirm reauthentication')).HTML).toMatch(/\d{6}/);
  });
});

describe('anonymous users and PKCE', () => {
  it('signs in anonymously, acts through RLS, then becomes a permanent user by confirming an email', async () => {
    const supabase = clientFor(stack);
    const { data, error } = await supabase.auth.signInAnonymously({ options: { data: { via: 'guest' } } });
    expect(error).toBeNull();
    const session = data.session as Session;
    expect(decodeJwt(session.access_token)).toMatchObject({
      is_anonymous: true,
      role: 'authenticated',
      amr: [{ method: 'anonymous', timestamp: expect.any(Number) }],
    });
    const rest = restAs(stack, session.access_token);
    expect((await rest.rpc('whoami')).data).toBe(session.user.id);

    const email = uniqueEmail('anon-upgrade');
    await supabase.auth.setSession(session);
    const passwordOnly = await supabase.auth.updateUser({ password: PASSWORD });
    expect(passwordOnly.error).toMatchObject({ status: 422, code: 'validation_failed' });
    expect((await supabase.auth.updateUser({ email })).error).toBeNull();
    await openLink(linkIn((await latestMailTo(stack, email, 'Confirm Email Change')).HTML));
    const { rows } = await stack.db.query('select email, is_anonymous from auth.users where id = $1', [
      session.user.id,
    ]);
    expect(rows[0]).toEqual({ email, is_anonymous: false });
  });

  it('completes a PKCE sign-up: the link redirects with ?code= and exchangeCodeForSession returns a session', async () => {
    const supabase = clientFor(stack, { flowType: 'pkce' });
    const email = uniqueEmail('pkce');
    await supabase.auth.signUp({
      email,
      password: PASSWORD,
      options: { emailRedirectTo: 'http://localhost:3000/cb' },
    });
    const link = linkIn((await latestMailTo(stack, email)).HTML);
    expect(link).toContain('token=pkce_');
    const location = await openLink(link);
    expect(location.pathname).toBe('/cb');
    const code = location.searchParams.get('code') ?? '';
    expect(code).not.toBe('');
    const { data, error } = await supabase.auth.exchangeCodeForSession(code);
    expect(error).toBeNull();
    expect(data.session?.user.email).toBe(email);
    const reuse = await clientFor(stack, { flowType: 'pkce' }).auth.exchangeCodeForSession(code);
    expect(reuse.error).not.toBeNull();
  });
});

describe('logout scopes', () => {
  it('others, local and global end exactly the sessions they name; live sessions keep RLS access', async () => {
    const email = await confirmedUser('logout');
    const [a, b, c] = [await signIn(email), await signIn(email), await signIn(email)];
    const refreshes = async (session: Session) =>
      (await clientFor(stack).auth.refreshSession({ refresh_token: session.refresh_token })).error === null;

    const asA = clientFor(stack);
    await asA.auth.setSession(a);
    expect((await asA.auth.signOut({ scope: 'others' })).error).toBeNull();
    expect(await refreshes(b)).toBe(false);
    expect(await refreshes(c)).toBe(false);
    const stale = await clientFor(stack).auth.getUser(b.access_token);
    expect(stale.error?.name).toBe('AuthSessionMissingError');

    const liveA = (await clientFor(stack).auth.refreshSession({ refresh_token: a.refresh_token })).data
      .session as Session;
    expect((await restAs(stack, liveA.access_token).rpc('whoami')).data).toBe(a.user.id);

    const d = await signIn(email);
    const asD = clientFor(stack);
    await asD.auth.setSession(d);
    expect((await asD.auth.signOut({ scope: 'local' })).error).toBeNull();
    expect(await refreshes(d)).toBe(false);
    expect((await restAs(stack, liveA.access_token).rpc('whoami')).data).toBe(a.user.id);

    const e = await signIn(email);
    const asLiveA = clientFor(stack);
    await asLiveA.auth.setSession(liveA);
    expect((await asLiveA.auth.signOut({ scope: 'global' })).error).toBeNull();
    expect(await refreshes(liveA)).toBe(false);
    expect(await refreshes(e)).toBe(false);
    const { rowCount } = await stack.db.query('select 1 from auth.sessions where user_id = $1', [a.user.id]);
    expect(rowCount).toBe(0);
  });

  it('shows each user only their own rows through REST', async () => {
    const one = await signIn(await confirmedUser('rls-one'));
    const two = await signIn(await confirmedUser('rls-two'));
    await restAs(stack, one.access_token).from('notes').insert({ body: 'one' });
    await restAs(stack, two.access_token).from('notes').insert({ body: 'two' });
    const seenByOne = await restAs(stack, one.access_token).from('notes').select('body');
    const seenByTwo = await restAs(stack, two.access_token).from('notes').select('body');
    expect(seenByOne.data).toEqual([{ body: 'one' }]);
    expect(seenByTwo.data).toEqual([{ body: 'two' }]);
    const forged = await restAs(stack, one.access_token)
      .from('notes')
      .insert({ body: 'x', owner_id: two.user.id });
    expect(forged.error?.code).toBe('42501');
  });
});

describe('admin API', () => {
  it('creates, reads, lists with pagination, updates, bans and deletes users', async () => {
    const admin = adminClient(stack).auth.admin;
    const email = uniqueEmail('admin');
    const created = await admin.createUser({
      email,
      password: PASSWORD,
      email_confirm: true,
      user_metadata: { display_name: 'Grace' },
      app_metadata: { plan: 'pro' },
    });
    expect(created.error).toBeNull();
    const id = created.data.user?.id as string;
    expect(created.data.user).toMatchObject({ email, app_metadata: { provider: 'email', plan: 'pro' } });
    expect(created.data.user?.email_confirmed_at).toBeTruthy();
    await signIn(email);
    // A stored password that no longer meets the rules (set before they changed) signs in, flagged.
    const weakEmail = uniqueEmail('admin-weak');
    const weakUser = await admin.createUser({ email: weakEmail, password: PASSWORD, email_confirm: true });
    await stack.db.query('update auth.users set encrypted_password = $2 where id = $1', [
      weakUser.data.user?.id,
      await bcrypt.hash('alllettersonly', 4),
    ]);
    const weak = await clientFor(stack).auth.signInWithPassword({
      email: weakEmail,
      password: 'alllettersonly',
    });
    expect(weak.data.weakPassword?.reasons).toEqual(['characters']);

    expect((await admin.getUserById(id)).data.user?.email).toBe(email);
    const page = await admin.listUsers({ page: 1, perPage: 1 });
    expect(page.error).toBeNull();
    expect(page.data.users).toHaveLength(1);
    expect((page.data as { total: number }).total).toBeGreaterThan(1);
    expect((page.data as { nextPage: number | null }).nextPage).toBe(2);

    const updated = await admin.updateUserById(id, { user_metadata: { team: 'blue' }, ban_duration: '24h' });
    expect(updated.error).toBeNull();
    expect(updated.data.user?.user_metadata).toMatchObject({ display_name: 'Grace', team: 'blue' });
    const banned = await clientFor(stack).auth.signInWithPassword({ email, password: PASSWORD });
    expect(banned.error).toMatchObject({ code: 'invalid_credentials' });

    expect((await admin.deleteUser(id)).error).toBeNull();
    expect((await admin.getUserById(id)).error).toMatchObject({ status: 404, code: 'user_not_found' });
    const duplicate = await admin.createUser({ email: await confirmedUser('dup') });
    expect(duplicate.error).toMatchObject({ status: 422, code: 'email_exists' });
  });

  it('creates phone users, filters the user list, and soft-deletes keeping the row', async () => {
    const admin = adminClient(stack).auth.admin;
    const phone = `1555${String(Date.now()).slice(-7)}`;
    const byPhone = await admin.createUser({ phone: `+${phone}`, phone_confirm: true });
    expect(byPhone.error).toBeNull();
    expect(byPhone.data.user).toMatchObject({ phone, app_metadata: { provider: 'phone' } });
    expect(byPhone.data.user?.identities?.map((identity) => identity.provider)).toEqual(['phone']);
    expect((await admin.createUser({ phone: `+${phone}` })).error).toMatchObject({ code: 'phone_exists' });

    const email = uniqueEmail('soft-delete');
    const created = await admin.createUser({ email, password: PASSWORD, email_confirm: true });
    const id = created.data.user?.id as string;
    const listed = await fetch(`${stack.apiUrl}/auth/v1/admin/users?filter=${encodeURIComponent(email)}`, {
      headers: { apikey: stack.keys.serviceRoleKey, Authorization: `Bearer ${stack.keys.serviceRoleKey}` },
    });
    expect(listed.headers.get('x-total-count')).toBe('1');
    expect(((await listed.json()) as { users: { id: string }[] }).users.map((user) => user.id)).toEqual([id]);

    expect((await admin.deleteUser(id, true)).error).toBeNull();
    const { rows } = await stack.db.query(
      'select email, deleted_at is not null as deleted, (select count(*)::int from auth.identities where user_id = $1) as identities from auth.users where id = $1',
      [id],
    );
    expect(rows).toEqual([{ email: null, deleted: true, identities: 0 }]);
    const signIn = await clientFor(stack).auth.signInWithPassword({ email, password: PASSWORD });
    expect(signIn.error).toMatchObject({ code: 'invalid_credentials' });
  });

  it('generates working signup, magic link and recovery links without sending mail', async () => {
    const admin = adminClient(stack).auth.admin;
    const email = uniqueEmail('genlink');
    const signup = await admin.generateLink({ type: 'signup', email, password: PASSWORD });
    expect(signup.error).toBeNull();
    expect(signup.data.properties?.verification_type).toBe('signup');
    expect(signup.data.properties?.email_otp).toMatch(/^\d{6}$/);
    const confirmed = await openLink(signup.data.properties?.action_link as string);
    expect(fragmentOf(confirmed).get('access_token')).toBeTruthy();

    const magic = await admin.generateLink({ type: 'magiclink', email });
    const viaHash = await clientFor(stack).auth.verifyOtp({
      token_hash: magic.data.properties?.hashed_token as string,
      type: 'magiclink',
    });
    expect(viaHash.error).toBeNull();
    expect(viaHash.data.session?.user.email).toBe(email);

    const recovery = await admin.generateLink({ type: 'recovery', email });
    expect(fragmentOf(await openLink(recovery.data.properties?.action_link as string)).get('type')).toBe(
      'recovery',
    );
  });

  it('invites by email with the configured subject; the invite link signs the user in', async () => {
    const email = uniqueEmail('invite');
    const invited = await adminClient(stack).auth.admin.inviteUserByEmail(email, { data: { team: 'red' } });
    expect(invited.error).toBeNull();
    expect(invited.data.user?.invited_at).toBeTruthy();
    const mail = await latestMailTo(stack, email, 'Join the fixture team');
    const location = await openLink(linkIn(mail.HTML));
    expect(fragmentOf(location).get('type')).toBe('invite');
  });

  it('refuses admin routes to anon and user tokens with not_admin', async () => {
    const anon = await clientFor(stack).auth.admin.listUsers();
    expect(anon.error).toMatchObject({ status: 403, code: 'not_admin' });
    const session = await signIn(await confirmedUser('not-admin'));
    const asUser = await fetch(`${stack.apiUrl}/auth/v1/admin/users`, {
      headers: { apikey: stack.keys.anonKey, Authorization: `Bearer ${session.access_token}` },
    });
    expect(asUser.status).toBe(403);
  });
});

describe('features this stack does not run', () => {
  it('answers OAuth, SSO, MFA, phone and id_token with the errors GoTrue gives when they are off', async () => {
    const supabase = clientFor(stack);
    const authorize = await fetch(`${stack.apiUrl}/auth/v1/authorize?provider=github`, {
      headers: { apikey: stack.keys.anonKey },
      redirect: 'manual',
    });
    expect(authorize.status).toBe(400);
    expect((await authorize.json()).error_code).toBe('validation_failed');

    expect((await supabase.auth.signInWithSSO({ domain: 'example.com' })).error).toMatchObject({
      status: 404,
      code: 'saml_provider_disabled',
    });
    expect((await supabase.auth.signUp({ phone: '+15555550100', password: PASSWORD })).error).toMatchObject({
      code: 'phone_provider_disabled',
    });
    expect((await supabase.auth.signInWithIdToken({ provider: 'google', token: 'x' })).error).toMatchObject({
      status: 400,
      code: 'provider_disabled',
    });
    await supabase.auth.setSession(await signIn(await confirmedUser('mfa')));
    // [auth] enable_manual_linking = false in this fixture: linking and unlinking are refused.
    const link = await supabase.auth.linkIdentity({
      provider: 'github',
      options: { skipBrowserRedirect: true },
    });
    expect(link.error).toMatchObject({ status: 404, code: 'manual_linking_disabled' });
    expect((await supabase.auth.mfa.enroll({ factorType: 'totp' })).error).toMatchObject({
      status: 422,
      code: 'mfa_totp_enroll_not_enabled',
    });
    const claims = await supabase.auth.getClaims();
    expect(claims.error).toBeNull();
    expect(claims.data?.claims.role).toBe('authenticated');
  });
});

describe('mail catcher', () => {
  it('serves the Mailpit API on its own port and through the gateway under /__mail', async () => {
    const direct = await fetch(
      `http://${stack.config.host}:${stack.config.ports.mail}/api/v1/messages?limit=1`,
    );
    const viaGateway = await fetch(`${stack.apiUrl}/__mail/api/v1/messages?limit=1`);
    const [one, two] = [await direct.json(), await viaGateway.json()];
    expect(one.total).toBeGreaterThan(0);
    expect(two.total).toBe(one.total);
    expect(one.messages[0]).toMatchObject({
      ID: expect.any(String),
      Subject: expect.any(String),
      Snippet: expect.any(String),
    });
  });
});
