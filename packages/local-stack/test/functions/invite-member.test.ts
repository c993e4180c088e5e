import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { httpStatusByCode } from '../../../../supabase/functions/_shared/error-vocabulary.ts';
import { functionErrorBody } from '../../../../supabase/functions/_shared/schemas/function-error.ts';
// Brings in the `inject('stack')` typing the shared test stack provides.
import type {} from '../../../../tests/global-setup.ts';
import { findFreePort } from '../../src/processes/ports.ts';
import { createAuthService } from '../../src/services/auth/index.ts';
import { functionsService } from '../../src/services/functions/functions-service.ts';
import { createMailCatcherService } from '../../src/services/mail/index.ts';
import { mintUserToken, startTestDatabase, type TestDatabase } from '../../src/testing/index.ts';

// The repo's own project: its migrations, seed (acme: alice owner, bob admin, carol member;
// globex on the free plan with all 5 seats taken, frank admin) and its invite-member function.
// Each describe works in its own copy of the shared stack's database (startTestDatabase), so
// the seed's workspaces are as the seed left them whatever other files do, and what these
// tests write (invitations, members) meets no other file.
const workdir = new URL('../../../../', import.meta.url).pathname;
const ACME = 'b0000000-0000-4000-8000-000000000001';
const BOB = 'a0000000-0000-4000-8000-000000000002';
const PASSWORD = 'password123';

interface MailSummary {
  ID: string;
  To: { Address: string }[];
  Subject: string;
}

describe('invite-member, end to end through the gateway', () => {
  let stack: TestDatabase;
  let mailUrl: string;
  const sessions = new Map<string, string>();

  beforeAll(async () => {
    stack = await startTestDatabase({
      dbUrl: inject('stack').dbUrl,
      workdir,
      services: [createMailCatcherService, createAuthService, functionsService({ keepSpares: false })],
    });
    mailUrl = stack.status.MAILPIT_URL;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const anonClient = (accessToken?: string): SupabaseClient =>
    createClient(stack.apiUrl, stack.keys.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      ...(accessToken ? { global: { headers: { Authorization: `Bearer ${accessToken}` } } } : {}),
    });

  async function tokenOf(email: string): Promise<string> {
    const cached = sessions.get(email);
    if (cached) return cached;
    const { data, error } = await anonClient().auth.signInWithPassword({ email, password: PASSWORD });
    if (error || !data.session) throw new Error(`sign-in as ${email} failed: ${error?.message}`);
    sessions.set(email, data.session.access_token);
    return data.session.access_token;
  }

  async function invite(as: string | undefined, body: unknown, init: RequestInit = {}) {
    const headers = new Headers({ apikey: stack.keys.anonKey, 'content-type': 'application/json' });
    if (as) headers.set('authorization', `Bearer ${as.includes('@') ? await tokenOf(as) : as}`);
    const response = await fetch(`${stack.apiUrl}/functions/v1/invite-member`, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
      headers,
    });
    const answer = (await response.json()) as Record<string, unknown>;
    // The function's own errors (not the platform's verify_jwt 401, whose code is a number)
    // have the vocabulary's shape and status.
    if (!response.ok && typeof answer.code === 'string') {
      const parsed = functionErrorBody.parse(answer);
      expect(response.status, parsed.code).toBe(httpStatusByCode[parsed.code]);
    }
    return { status: response.status, body: answer };
  }

  async function mailsTo(address: string): Promise<MailSummary[]> {
    const response = await fetch(`${mailUrl}/api/v1/search?query=${encodeURIComponent(`to:${address}`)}`);
    return ((await response.json()) as { messages: MailSummary[] }).messages;
  }

  async function tokenFromMail(id: string): Promise<string> {
    const message = (await (await fetch(`${mailUrl}/api/v1/message/${id}`)).json()) as { Text: string };
    const token = /[?&]token=([A-Za-z0-9_-]+)/.exec(message.Text)?.[1];
    if (!token) throw new Error(`no token in mail: ${message.Text}`);
    return token;
  }

  it('lets an admin invite; the mail carries the token, the invitee signs up, accepts and is a member', async () => {
    const email = `new-admin-${Date.now()}@example.com`;
    const created = await invite('bob@example.com', {
      workspaceId: ACME,
      email: `  ${email.toUpperCase()} `,
      role: 'admin',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      workspace_id: ACME,
      email,
      role: 'admin',
      accepted_at: null,
      revoked_at: null,
    });
    expect(created.body).not.toHaveProperty('token');
    expect(created.body).not.toHaveProperty('token_hash');

    const mails = await expect
      .poll(() => mailsTo(email), { timeout: 10_000, interval: 200 })
      .toHaveLength(1)
      .then(() => mailsTo(email));
    const mail = mails[0] as MailSummary;
    expect(mail.Subject).toContain('Acme');
    const token = await tokenFromMail(mail.ID);

    // Only the hash is stored, and it is the hash of the mailed token.
    const stored = await stack.db.query('select token_hash from public.invitations where id = $1', [
      created.body.id,
    ]);
    expect(stored.rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(stored.rows[0])).not.toContain(token);

    const invitee = anonClient();
    const signUp = await invitee.auth.signUp({ email, password: 'invitee-password-1' });
    expect(signUp.error).toBeNull();
    const accessToken = signUp.data.session?.access_token;
    expect(accessToken).toBeTruthy();
    const asInvitee = anonClient(accessToken);
    const accepted = await asInvitee.rpc('accept_invitation', { token });
    expect(accepted.error).toBeNull();
    expect(accepted.data).toMatchObject({ id: ACME });

    const member = await stack.db.query(
      'select m.role from public.workspace_members m join auth.users u on u.id = m.user_id where m.workspace_id = $1 and u.email = $2',
      [ACME, email],
    );
    expect(member.rows).toEqual([{ role: 'admin' }]);
  });

  it('lets an owner invite and defaults the role to member', async () => {
    const created = await invite('alice@example.com', {
      workspaceId: ACME,
      email: `by-owner-${Date.now()}@example.com`,
    });
    expect(created.status).toBe(201);
    expect(created.body.role).toBe('member');
  });

  it('replaces the pending invitation when the same address is invited again', async () => {
    const email = `twice-${Date.now()}@example.com`;
    const first = await invite('bob@example.com', { workspaceId: ACME, email, role: 'viewer' });
    const second = await invite('bob@example.com', { workspaceId: ACME, email, role: 'member' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
    const rows = await stack.db.query(
      'select id, role, revoked_at is not null as revoked from public.invitations where workspace_id = $1 and email = $2 order by created_at',
      [ACME, email],
    );
    expect(rows.rows).toEqual([
      { id: first.body.id, role: 'viewer', revoked: true },
      { id: second.body.id, role: 'member', revoked: false },
    ]);
    await expect.poll(() => mailsTo(email).then((mails) => mails.length), { timeout: 10_000 }).toBe(2);

    // The first link stops working once replaced.
    const mails = await mailsTo(email);
    const tokens = await Promise.all(mails.map((mail) => tokenFromMail(mail.ID)));
    const signUp = await anonClient().auth.signUp({ email, password: 'invitee-password-1' });
    const asInvitee = anonClient(signUp.data.session?.access_token);
    const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
    const revoked = await stack.db.query(
      'select token_hash from public.invitations where email = $1 and revoked_at is not null',
      [email],
    );
    const oldToken = tokens.find((token) => hashOf(token) === revoked.rows[0].token_hash);
    const newToken = tokens.find((token) => token !== oldToken);
    expect(oldToken).toBeDefined();
    const refused = await asInvitee.rpc('accept_invitation', { token: oldToken });
    expect(refused.error?.message).toBe('invitation_revoked');
    const accepted = await asInvitee.rpc('accept_invitation', { token: newToken });
    expect(accepted.error).toBeNull();
  });

  it('answers 400 validation_failed naming every bad field', async () => {
    const bad = await invite('bob@example.com', {
      workspaceId: 'nope',
      email: 'not-an-email',
      role: 'owner',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
    expect(Object.keys(bad.body.fields as object).sort()).toEqual(['email', 'role', 'workspaceId']);

    const missing = await invite('bob@example.com', {});
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.fields as object).sort()).toEqual(['email', 'workspaceId']);

    const unknownKey = await invite('bob@example.com', {
      workspace_id: ACME,
      workspaceId: ACME,
      email: 'x@example.com',
    });
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body.code).toBe('validation_failed');

    for (const body of ['not json', '[1,2]', 'null']) {
      const response = await invite('bob@example.com', body);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('validation_failed');
    }
  });

  it('never invites an owner', async () => {
    const response = await invite('alice@example.com', {
      workspaceId: ACME,
      email: 'owner2@example.com',
      role: 'owner',
    });
    expect(response.status).toBe(400);
    expect(response.body.fields).toHaveProperty('role');
  });

  it('answers 403 forbidden to a member or viewer', async () => {
    for (const who of ['carol@example.com', 'dave@example.com']) {
      const response = await invite(who, { workspaceId: ACME, email: `x-${Date.now()}@example.com` });
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('forbidden');
    }
  });

  it('answers 404 workspace_not_found for a workspace the caller is not in, or that does not exist', async () => {
    const globex = await stack.db.query("select id from public.workspaces where slug = 'globex'");
    for (const workspaceId of [globex.rows[0].id, '00000000-0000-4000-8000-00000000dead']) {
      const response = await invite('bob@example.com', { workspaceId, email: 'x@example.com' });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('workspace_not_found');
    }
  });

  it('answers 409 already_member for someone already in the workspace', async () => {
    const response = await invite('bob@example.com', { workspaceId: ACME, email: 'Carol@Example.com' });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('already_member');
  });

  it("answers 402 plan_limit_reached when the plan's seats are taken, as the database does", async () => {
    const globex = await stack.db.query("select id from public.workspaces where slug = 'globex'");
    const response = await invite('frank@example.com', {
      workspaceId: globex.rows[0].id,
      email: 'seat6@example.com',
    });
    expect(response.status).toBe(402);
    expect(response.body).toMatchObject({
      code: 'plan_limit_reached',
      details: { limit: 'members', max: 5 },
    });
    expect((await mailsTo('seat6@example.com')).length).toBe(0);
  });

  // invite-member takes API keys too (verify_jwt = false), so the function itself refuses a
  // request that carries neither a user's token nor a key, with the vocabulary's code.
  it('answers 401 not_authenticated without a JWT and for the anon key', async () => {
    const missing = await invite(undefined, { workspaceId: ACME, email: 'x@example.com' });
    expect(missing).toEqual({
      status: 401,
      body: { code: 'not_authenticated', message: 'Sign in first, or send an API key' },
    });
    const anon = await invite(stack.keys.anonKey, { workspaceId: ACME, email: 'x@example.com' });
    expect(anon.status).toBe(401);
    expect(anon.body.code).toBe('not_authenticated');
  });

  it('answers 405 to anything but POST, and a CORS preflight', async () => {
    const get = await fetch(`${stack.apiUrl}/functions/v1/invite-member`, {
      headers: { authorization: `Bearer ${await tokenOf('bob@example.com')}` },
    });
    expect(get.status).toBe(405);
    expect(((await get.json()) as { code: string }).code).toBe('method_not_allowed');
    const preflight = await fetch(`${stack.apiUrl}/functions/v1/invite-member`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    // Answered by the function's own CORS handling (the gateway leaves functions' CORS alone).
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(get.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('is callable through supabase-js functions.invoke as the signed-in user', async () => {
    const client = anonClient(await tokenOf('bob@example.com'));
    const { data, error } = await client.functions.invoke('invite-member', {
      body: { workspaceId: ACME, email: `invoke-${Date.now()}@example.com`, role: 'viewer' },
    });
    expect(error).toBeNull();
    expect(data).toMatchObject({ workspace_id: ACME, role: 'viewer' });
  });
});

describe('invite-member when the mail cannot be sent', () => {
  let stack: TestDatabase;
  let copy: string;

  beforeAll(async () => {
    // A copy of the project whose functions/.env points SMTP at a port nothing listens on.
    copy = mkdtempSync(join(tmpdir(), 'groundwork-invite-nomail-'));
    cpSync(join(workdir, 'supabase'), join(copy, 'supabase'), {
      recursive: true,
      filter: (source) => !source.includes(`${join('supabase', '.temp')}`) && !source.endsWith('.env'),
    });
    writeFileSync(
      join(copy, 'supabase', 'functions', '.env'),
      `SMTP_HOST=127.0.0.1\nSMTP_PORT=${await findFreePort()}\n`,
    );
    // Same migrations and seed as the repo's, so the shared server's template is theirs.
    stack = await startTestDatabase({
      dbUrl: inject('stack').dbUrl,
      workdir: copy,
      services: [functionsService({ keepSpares: false })],
    });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(copy, { recursive: true, force: true });
  });

  it('answers 502 email_not_sent and revokes the invitation nobody received', async () => {
    const bob = await mintUserToken(stack.keys, { id: BOB, email: 'bob@example.com' });
    const email = `unreachable-${Date.now()}@example.com`;
    const response = await fetch(`${stack.apiUrl}/functions/v1/invite-member`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bob}`, 'content-type': 'application/json' },
      body: JSON.stringify({ workspaceId: ACME, email }),
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ code: 'email_not_sent' });
    const rows = await stack.db.query(
      'select revoked_at is not null as revoked from public.invitations where email = $1',
      [email],
    );
    expect(rows.rows).toEqual([{ revoked: true }]);
  });
});
