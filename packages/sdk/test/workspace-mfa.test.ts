import { randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createGroundworkClient, type GroundworkClient, type Workspace } from '../src/index.ts';
import { connectDatabase, createPerson, failureOf, type Person, uniqueSuffix } from './support/team.ts';

// gw.workspaceMfa and what the rest of the SDK says while a workspace requires MFA. The owner
// signs in through Auth with a password and verifies a TOTP code computed here, as an app would
// with gw.supabase.auth.mfa; the others carry aal1 tokens like Auth's after a password sign-in.

const PASSWORD = 'correct-horse-battery';
let db: pg.Client;
let owner: GroundworkClient;
let workspace: Workspace;
let member: Person;
let viewer: Person;
let outsider: Person;

/** A confirmed user with a password, signed in through Auth on a fresh SDK client (aal1). */
async function signedInOwner(): Promise<GroundworkClient> {
  const email = `mfa-owner-${uniqueSuffix()}@example.test`;
  await db.query(
    `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
       raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
     values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2,
       extensions.crypt($3, extensions.gen_salt('bf', 4)), now(),
       '{"provider":"email","providers":["email"]}', '{}', now(), now())`,
    [randomUUID(), email, PASSWORD],
  );
  const { apiUrl, publishableKey } = inject('stack');
  const gw = createGroundworkClient({
    url: apiUrl,
    key: publishableKey,
    supabase: { auth: { persistSession: false, autoRefreshToken: false } },
  });
  await gw.auth.signInWithPassword({ email, password: PASSWORD });
  return gw;
}

/** Enrols a TOTP factor and verifies a code: the client's session is at aal2 afterwards. */
async function verifySecondFactor(gw: GroundworkClient) {
  const { data: factor, error } = await gw.supabase.auth.mfa.enroll({ factorType: 'totp' });
  if (error) throw error;
  if (factor.type !== 'totp') throw new Error('no TOTP factor');
  const code = new TOTP({ secret: Secret.fromBase32(factor.totp.secret) }).generate();
  const verified = await gw.supabase.auth.mfa.challengeAndVerify({ factorId: factor.id, code });
  if (verified.error) throw verified.error;
}

beforeAll(async () => {
  db = await connectDatabase();
  owner = await signedInOwner();
  workspace = await owner.workspaces.create({ name: 'Secure', slug: `secure-${uniqueSuffix()}` });
  member = await createPerson(db);
  viewer = await createPerson(db);
  outsider = await createPerson(db);
  for (const [person, role] of [
    [member, 'member'],
    [viewer, 'viewer'],
  ] as const) {
    await db.query('insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, $3)', [
      workspace.id,
      person.id,
      role,
    ]);
  }
});

afterAll(async () => {
  await db.end();
});

describe('gw.workspaceMfa', () => {
  it('status tells a member the setting and their session level; workspaces carry require_mfa', async () => {
    expect(await member.gw.workspaceMfa.status(workspace.id)).toEqual({
      workspace_id: workspace.id,
      require_mfa: false,
      session_aal: 'aal1',
      mfa_satisfied: true,
    });
    expect(workspace.require_mfa).toBe(false);
  });

  it('setRequired from aal1 is forbidden with reason mfa_required; nothing changes', async () => {
    const error = await failureOf(() => owner.workspaceMfa.setRequired(workspace.id, true));
    expect(error).toMatchObject({
      name: 'GroundworkError',
      code: 'forbidden',
      status: 403,
      reason: 'mfa_required',
    });
    expect((await owner.workspaces.get(workspace.id)).require_mfa).toBe(false);
  });

  it('a viewer may not set it (forbidden), a non-member gets not_found as for a random id', async () => {
    expect(await failureOf(() => viewer.gw.workspaceMfa.setRequired(workspace.id, true))).toMatchObject({
      code: 'forbidden',
      reason: 'forbidden',
    });
    const forReal = await failureOf(() => outsider.gw.workspaceMfa.status(workspace.id));
    const forNothing = await failureOf(() => outsider.gw.workspaceMfa.status(randomUUID()));
    expect(forReal).toMatchObject({ code: 'not_found', status: 404, reason: 'workspace_not_found' });
    expect(forNothing).toMatchObject({ code: 'not_found', status: 404, reason: 'workspace_not_found' });
    expect(await failureOf(() => outsider.gw.workspaceMfa.setRequired(workspace.id, true))).toMatchObject({
      code: 'not_found',
      reason: 'workspace_not_found',
    });
  });

  it('bad input is validation_failed naming the field', async () => {
    const error = await failureOf(() =>
      owner.workspaceMfa.setRequired(workspace.id, 'yes' as unknown as boolean),
    );
    expect(error).toMatchObject({
      code: 'validation_failed',
      fields: { require_mfa: ['must be true or false'] },
    });
  });

  it('after verifying a second factor the owner turns it on, and keeps working', async () => {
    await verifySecondFactor(owner);
    expect(await owner.workspaceMfa.setRequired(workspace.id, true)).toEqual({
      workspace_id: workspace.id,
      require_mfa: true,
      session_aal: 'aal2',
      mfa_satisfied: true,
    });
    const project = await owner.projects.create({ workspace_id: workspace.id, name: 'Vault', key: 'VLT' });
    expect(await owner.projects.list(workspace.id)).toEqual([expect.objectContaining({ id: project.id })]);
  });

  it('a member below aal2 sees why, lists come back empty, and calls are forbidden with reason mfa_required', async () => {
    expect(await member.gw.workspaceMfa.status(workspace.id)).toMatchObject({
      require_mfa: true,
      session_aal: 'aal1',
      mfa_satisfied: false,
    });
    expect((await member.gw.workspaces.get(workspace.id)).require_mfa).toBe(true);
    expect(await member.gw.projects.list(workspace.id)).toEqual([]);
    for (const call of [
      () => member.gw.roles.myPermissions(workspace.id),
      () => member.gw.workspaces.usage(workspace.id),
      () => member.gw.projects.create({ workspace_id: workspace.id, name: 'Nope', key: 'NOPE' }),
    ]) {
      expect(await failureOf(call)).toMatchObject({ code: 'forbidden', status: 403, reason: 'mfa_required' });
    }
  });
});
