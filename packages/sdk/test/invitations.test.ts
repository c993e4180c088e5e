import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { latestMailTo } from './support/mailbox.ts';
import {
  connectDatabase,
  createPerson,
  createTeam,
  failureOf,
  type Team,
  uniqueSuffix,
} from './support/team.ts';

let db: pg.Client;

beforeAll(async () => {
  db = await connectDatabase();
});

afterAll(async () => {
  await db.end();
});

/**
 * Stores an invitation the way the invite-member function does (only the token's hash),
 * for the tests of listing, revoking and accepting that don't depend on the function.
 */
async function storeInvitation(
  team: Team,
  email: string,
  role = 'member',
): Promise<{ id: string; token: string }> {
  const token = randomBytes(24).toString('base64url');
  const hash = createHash('sha256').update(token).digest('hex');
  const { rows } = await db.query<{ id: string }>(
    `insert into public.invitations (workspace_id, email, role, token_hash, invited_by)
     values ($1, $2, $3, $4, $5) returning id`,
    [team.workspace.id, email, role, hash, team.admin.id],
  );
  return { id: rows[0]?.id ?? '', token };
}

/**
 * invite-member needs the functions runtime (503 on /functions/v1 until mounted) and a mail
 * catcher it can send through (502 `email_not_sent` otherwise); the shared stack gains both
 * with the functions and mail work. One real invitation tells whether both are there.
 */
async function inviteFunctionAvailable(): Promise<boolean> {
  if (!existsSync(new URL('../../../supabase/functions/invite-member/index.ts', import.meta.url)))
    return false;
  const probeDb = await connectDatabase();
  try {
    const team = await createTeam(probeDb);
    await team.admin.gw.invitations.create({ workspace_id: team.workspace.id, email: 'probe@example.test' });
    return true;
  } catch (error) {
    console.warn(`skipping invitations.create tests: invite-member is not usable here (${String(error)})`);
    return false;
  } finally {
    await probeDb.end();
  }
}

const inviteFunctionReady = await inviteFunctionAvailable();

describe('gw.invitations', () => {
  it('listPending shows open invitations to admins only, newest first', async () => {
    const team = await createTeam(db);
    await storeInvitation(team, 'first@example.test');
    const revoked = await storeInvitation(team, 'revoked@example.test');
    await db.query('update public.invitations set revoked_at = now() where id = $1', [revoked.id]);
    await storeInvitation(team, 'second@example.test', 'viewer');

    const pending = await team.admin.gw.invitations.listPending(team.workspace.id);
    expect(pending.map((i) => [i.email, i.role])).toEqual([
      ['second@example.test', 'viewer'],
      ['first@example.test', 'member'],
    ]);
    expect(pending[0]).not.toHaveProperty('token_hash');
    expect(await team.member.gw.invitations.listPending(team.workspace.id)).toEqual([]);
  });

  it('revoke is for admins and is final; accepted invitations cannot be revoked', async () => {
    const team = await createTeam(db);
    const invitation = await storeInvitation(team, `r-${uniqueSuffix()}@example.test`);
    expect(await failureOf(() => team.member.gw.invitations.revoke(invitation.id))).toMatchObject({
      code: 'not_found',
    });
    const revoked = await team.admin.gw.invitations.revoke(invitation.id);
    expect(revoked.revoked_at).not.toBeNull();
    expect(await failureOf(() => team.admin.gw.invitations.revoke(invitation.id))).toMatchObject({
      code: 'validation_failed',
      reason: 'invalid_input',
    });

    const invitee = await createPerson(db);
    const accepted = await storeInvitation(team, invitee.email);
    await invitee.gw.invitations.accept(accepted.token);
    expect(await failureOf(() => team.admin.gw.invitations.revoke(accepted.id))).toMatchObject({
      code: 'conflict',
      reason: 'invitation_already_accepted',
    });
  });

  it('accept joins the workspace with the invited role, once, for the invited address only', async () => {
    const team = await createTeam(db);
    const invitee = await createPerson(db);
    const { token } = await storeInvitation(team, invitee.email, 'viewer');

    expect(await failureOf(() => team.outsider.gw.invitations.accept(token))).toMatchObject({
      code: 'forbidden',
      reason: 'invitation_email_mismatch',
    });
    const joined = await invitee.gw.invitations.accept(token);
    expect(joined).toMatchObject({ id: team.workspace.id, slug: team.workspace.slug });
    expect(await invitee.gw.workspaces.list()).toEqual([
      expect.objectContaining({ id: team.workspace.id, role: 'viewer' }),
    ]);
    // Accepting twice is harmless.
    expect((await invitee.gw.invitations.accept(token)).id).toBe(team.workspace.id);
  });

  it('unknown, revoked and expired tokens are not_found', async () => {
    const team = await createTeam(db);
    const invitee = await createPerson(db);
    expect(await failureOf(() => invitee.gw.invitations.accept('x'.repeat(32)))).toMatchObject({
      code: 'not_found',
      reason: 'invitation_not_found',
    });
    const revoked = await storeInvitation(team, invitee.email);
    await team.admin.gw.invitations.revoke(revoked.id);
    expect(await failureOf(() => invitee.gw.invitations.accept(revoked.token))).toMatchObject({
      code: 'not_found',
      status: 410,
      reason: 'invitation_revoked',
    });
    const expired = await storeInvitation(team, invitee.email);
    await db.query(
      `update public.invitations set created_at = now() - interval '8 days', expires_at = now() - interval '1 day' where id = $1`,
      [expired.id],
    );
    expect(await failureOf(() => invitee.gw.invitations.accept(expired.token))).toMatchObject({
      code: 'not_found',
      status: 410,
      reason: 'invitation_expired',
    });
  });

  it('a token that is too short fails validation before any request', async () => {
    const invitee = await createPerson(db);
    expect(await failureOf(() => invitee.gw.invitations.accept('short'))).toMatchObject({
      code: 'validation_failed',
      fields: { _: expect.any(Array) },
    });
  });

  it.runIf(inviteFunctionReady)(
    'create invites by email through invite-member; re-inviting replaces the open invitation',
    async () => {
      const team = await createTeam(db);
      const email = `new-${uniqueSuffix()}@example.test`;
      const first = await team.admin.gw.invitations.create({
        workspace_id: team.workspace.id,
        email,
        role: 'viewer',
      });
      expect(first).toMatchObject({
        workspace_id: team.workspace.id,
        email,
        role: 'viewer',
        revoked_at: null,
      });
      expect(first).not.toHaveProperty('token_hash');
      const second = await team.admin.gw.invitations.create({
        workspace_id: team.workspace.id,
        email: email.toUpperCase(),
      });
      expect(second).toMatchObject({ email, role: 'member' });
      expect((await team.admin.gw.invitations.listPending(team.workspace.id)).map((i) => i.id)).toEqual([
        second.id,
      ]);
    },
  );

  it.runIf(inviteFunctionReady)(
    'create maps the function’s errors: member, outsider, existing member',
    async () => {
      const team = await createTeam(db);
      const email = `x-${uniqueSuffix()}@example.test`;
      expect(
        await failureOf(() => team.member.gw.invitations.create({ workspace_id: team.workspace.id, email })),
      ).toMatchObject({ code: 'forbidden', status: 403 });
      expect(
        await failureOf(() =>
          team.outsider.gw.invitations.create({ workspace_id: team.workspace.id, email }),
        ),
      ).toMatchObject({ code: 'not_found', status: 404, reason: 'workspace_not_found' });
      expect(
        await failureOf(() =>
          team.admin.gw.invitations.create({ workspace_id: team.workspace.id, email: team.viewer.email }),
        ),
      ).toMatchObject({ code: 'conflict', reason: 'already_member' });
    },
  );

  it.runIf(inviteFunctionReady)(
    'create on a full free plan is plan_limit_reached with the limit',
    async () => {
      const team = await createTeam(db, 'free'); // 4 members of 5 seats
      await team.admin.gw.invitations.create({
        workspace_id: team.workspace.id,
        email: `a-${uniqueSuffix()}@example.test`,
      });
      const error = await failureOf(() =>
        team.admin.gw.invitations.create({
          workspace_id: team.workspace.id,
          email: `b-${uniqueSuffix()}@example.test`,
        }),
      );
      expect(error).toMatchObject({
        code: 'plan_limit_reached',
        details: { limit: 'members', max: 5, current: 5 },
      });
    },
  );

  it('create validates with the function’s own schema before any request, naming SDK fields', async () => {
    const team = await createTeam(db);
    const error = await failureOf(() =>
      team.admin.gw.invitations.create({
        workspace_id: 'nope',
        email: 'not-an-email',
        role: 'owner' as never,
      }),
    );
    expect(error).toMatchObject({ code: 'validation_failed', status: 400 });
    expect(Object.keys((error as { fields: object }).fields).sort()).toEqual([
      'email',
      'role',
      'workspace_id',
    ]);
  });

  it.runIf(inviteFunctionReady)(
    'resend mails a new token through resend-invitation, then is rate limited with a retry-after',
    async () => {
      const team = await createTeam(db);
      const invitee = await createPerson(db);
      const first = await team.admin.gw.invitations.create({
        workspace_id: team.workspace.id,
        email: invitee.email,
      });
      const firstToken = tokenIn((await latestMailTo(inject('stack').mailUrl, invitee.email)).Text);
      await db.query(
        `update public.invitations set last_sent_at = now() - interval '61 seconds' where id = $1`,
        [first.id],
      );
      const resent = await team.admin.gw.invitations.resend(first.id);
      expect(resent).toMatchObject({ id: first.id, send_count: 2 });
      expect(resent).not.toHaveProperty('token_hash');
      const secondToken = await waitForNewToken(invitee.email, firstToken);

      const tooSoon = await failureOf(() => team.admin.gw.invitations.resend(first.id));
      expect(tooSoon).toMatchObject({
        code: 'rate_limited',
        status: 429,
        reason: 'invitation_resend_too_soon',
        details: { retry_after_seconds: expect.any(Number) },
      });
      expect(await failureOf(() => team.member.gw.invitations.resend(first.id))).toMatchObject({
        code: 'not_found',
        reason: 'invitation_not_found',
      });

      expect(await failureOf(() => invitee.gw.invitations.accept(firstToken))).toMatchObject({
        code: 'not_found',
      });
      expect((await invitee.gw.invitations.accept(secondToken)).id).toBe(team.workspace.id);
    },
  );

  it.runIf(inviteFunctionReady)('create takes an expiry between 1 hour and 30 days', async () => {
    const team = await createTeam(db);
    const expiresAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const invitation = await team.admin.gw.invitations.create({
      workspace_id: team.workspace.id,
      email: `exp-${uniqueSuffix()}@example.test`,
      expires_at: expiresAt,
    });
    expect(new Date(invitation.expires_at).toISOString()).toBe(expiresAt);
    const tooLong = await failureOf(() =>
      team.admin.gw.invitations.create({
        workspace_id: team.workspace.id,
        email: `exp-${uniqueSuffix()}@example.test`,
        expires_at: new Date(Date.now() + 40 * 86_400_000).toISOString(),
      }),
    );
    expect(tooLong).toMatchObject({
      code: 'validation_failed',
      status: 400,
      fields: { expiresAt: expect.any(Array) },
    });
  });

  it('changeRole changes an open invitation for inviters only', async () => {
    const team = await createTeam(db);
    const invitation = await storeInvitation(team, `cr-${uniqueSuffix()}@example.test`, 'viewer');
    expect(await team.admin.gw.invitations.changeRole(invitation.id, 'member')).toMatchObject({
      id: invitation.id,
      role: 'member',
    });
    expect(
      await failureOf(() => team.member.gw.invitations.changeRole(invitation.id, 'admin')),
    ).toMatchObject({
      code: 'not_found',
    });
    expect(
      await failureOf(() => team.admin.gw.invitations.changeRole(invitation.id, 'owner' as never)),
    ).toMatchObject({ code: 'validation_failed' });
  });
});

function tokenIn(text: string): string {
  return /token=([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? '';
}

/** The token of the newest mail to `address` once it differs from `previous`. */
async function waitForNewToken(address: string, previous: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const token = tokenIn((await latestMailTo(inject('stack').mailUrl, address)).Text);
    if (token && token !== previous) return token;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no second invitation mail to ${address}`);
}
