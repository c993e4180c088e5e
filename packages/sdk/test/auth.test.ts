/**
 * gw.auth against the real Auth service, and the whole invitation journey with real
 * sign-ups, the invite-member function and the mail catcher, on the shared test stack: every
 * test signs up addresses of its own (random suffix), so nothing it does meets another file.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { type AuthChangeEvent, createGroundworkClient, type GroundworkClient } from '../src/index.ts';
import { latestMailTo } from './support/mailbox.ts';
import { failureOf } from './support/team.ts';

const PASSWORD = 'correct-horse-battery';
const stack = inject('stack');
const mailUrl = stack.mailUrl;

function newClient(): GroundworkClient {
  return createGroundworkClient({
    url: stack.apiUrl,
    key: stack.publishableKey,
    supabase: { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } },
  });
}

const email = (label: string) => `${label}-${randomBytes(4).toString('hex')}@example.com`;

describe('gw.auth', () => {
  it('signUp signs in, creates the profile from display_name, and the session works for data calls', async () => {
    const gw = newClient();
    const address = email('ada');
    const { user, session } = await gw.auth.signUp({
      email: address,
      password: PASSWORD,
      display_name: 'Ada',
    });
    expect(user?.email).toBe(address);
    expect(session?.access_token).toBeTruthy();
    expect((await gw.auth.getUser())?.id).toBe(user?.id);
    expect((await gw.auth.getSession())?.user.id).toBe(user?.id);
    expect(await gw.auth.getProfile()).toMatchObject({ id: user?.id, display_name: 'Ada' });
    expect(await gw.auth.updateProfile({ display_name: 'Ada L.' })).toMatchObject({ display_name: 'Ada L.' });

    const workspace = await gw.workspaces.create({
      name: 'Ada Inc',
      slug: `ada-${randomBytes(3).toString('hex')}`,
    });
    expect(await gw.workspaces.list()).toEqual([
      expect.objectContaining({ id: workspace.id, role: 'owner' }),
    ]);
  });

  it('signing up twice with one address is a conflict; a short password is validation_failed', async () => {
    const address = email('twice');
    await newClient().auth.signUp({ email: address, password: PASSWORD });
    expect(
      await failureOf(() => newClient().auth.signUp({ email: address, password: PASSWORD })),
    ).toMatchObject({
      code: 'conflict',
      reason: 'user_already_exists',
    });
    expect(
      await failureOf(() => newClient().auth.signUp({ email: email('weak'), password: '123' })),
    ).toMatchObject({
      code: 'validation_failed',
      reason: 'weak_password',
      fields: { password: expect.any(Array) },
    });
  });

  it('signInWithPassword, wrong credentials, signOut and auth events', async () => {
    const address = email('bob');
    await newClient().auth.signUp({ email: address, password: PASSWORD });
    const gw = newClient();
    const events: AuthChangeEvent[] = [];
    const stop = gw.auth.onAuthStateChange((event) => events.push(event));

    expect(
      await failureOf(() => gw.auth.signInWithPassword({ email: address, password: 'wrong-password' })),
    ).toMatchObject({
      code: 'unauthenticated',
      status: 400,
      reason: 'invalid_credentials',
    });
    const { session } = await gw.auth.signInWithPassword({ email: address, password: PASSWORD });
    expect(session?.user.email).toBe(address);
    await gw.auth.signOut();
    expect(await gw.auth.getUser()).toBeNull();
    expect(await failureOf(() => gw.workspaces.list())).toMatchObject({ code: 'unauthenticated' });
    stop();
    expect(events).toEqual(expect.arrayContaining(['SIGNED_IN', 'SIGNED_OUT']));
  });

  it('signInWithOtp mails a code that verifyOtp exchanges for a session', async () => {
    const address = email('otp');
    await newClient().auth.signUp({ email: address, password: PASSWORD });
    const gw = newClient();
    await gw.auth.signInWithOtp({ email: address, create_user: false });
    const mail = await latestMailTo(mailUrl, address);
    const code = /\b(\d{6})\b/.exec(mail.Text)?.[1] ?? '';
    expect(code).toMatch(/^\d{6}$/);
    const { session } = await gw.auth.verifyOtp({ email: address, token: code });
    expect(session?.user.email).toBe(address);
    expect(
      await failureOf(() => newClient().auth.verifyOtp({ email: address, token: '000000' })),
    ).toMatchObject({
      code: 'unauthenticated',
    });
  });

  it('updateUser changes the password', async () => {
    const address = email('pw');
    const gw = newClient();
    await gw.auth.signUp({ email: address, password: PASSWORD });
    await gw.auth.updateUser({ password: 'an-even-better-one' });
    const again = newClient();
    await again.auth.signInWithPassword({ email: address, password: 'an-even-better-one' });
    expect((await again.auth.getUser())?.email).toBe(address);
  });

  it('anonymous sign-ins are off in this project: forbidden', async () => {
    expect(await failureOf(() => newClient().auth.signInAnonymously())).toMatchObject({
      code: 'forbidden',
      reason: 'anonymous_provider_disabled',
    });
  });
});

describe('the invitation journey with real users', () => {
  it('an owner invites by email, the invitee signs up, accepts the emailed token and becomes a member', async () => {
    const owner = newClient();
    await owner.auth.signUp({ email: email('owner'), password: PASSWORD, display_name: 'Owner' });
    const workspace = await owner.workspaces.create({
      name: 'Journey',
      slug: `journey-${randomBytes(3).toString('hex')}`,
    });

    const inviteeAddress = email('invitee');
    const invitation = await owner.invitations.create({
      workspace_id: workspace.id,
      email: inviteeAddress,
      role: 'member',
    });
    expect(invitation).toMatchObject({ email: inviteeAddress, role: 'member', accepted_at: null });
    expect((await owner.invitations.listPending(workspace.id)).map((i) => i.id)).toEqual([invitation.id]);

    const mail = await latestMailTo(mailUrl, inviteeAddress);
    const token = decodeURIComponent(/token=([^\s&"]+)/.exec(mail.Text)?.[1] ?? '');
    expect(token.length).toBeGreaterThan(16);

    const invitee = newClient();
    await invitee.auth.signUp({ email: inviteeAddress, password: PASSWORD, display_name: 'Invitee' });
    expect((await invitee.invitations.accept(token)).id).toBe(workspace.id);
    expect(await invitee.workspaces.list()).toEqual([
      expect.objectContaining({ id: workspace.id, role: 'member' }),
    ]);
    const members = await owner.members.list(workspace.id);
    expect(members.map((m) => m.profile?.display_name).sort()).toEqual(['Invitee', 'Owner']);
    expect(await owner.invitations.listPending(workspace.id)).toEqual([]);

    // Someone else holding the link cannot use it.
    const stranger = newClient();
    await stranger.auth.signUp({ email: email('stranger'), password: PASSWORD });
    expect(await failureOf(() => stranger.invitations.accept(token))).toMatchObject({
      code: 'forbidden',
      reason: 'invitation_email_mismatch',
    });
  });
});
