import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant, createUser, invite, newInvitationToken, uniqueSuffix } from './support/fixtures.ts';
import { connect, errorAs, queryAs } from './support/sql-identity.ts';

let db: pg.Client;

beforeAll(async () => {
  db = connect(inject('stack').dbUrl);
  await db.connect();
});

afterAll(async () => {
  await db.end();
});

const resend = 'select * from resend_invitation($1, $2)';
const inviteWithExpiry =
  'insert into public.invitations (workspace_id, email, role, token_hash, expires_at) values ($1, $2, $3, $4, $5) returning id, expires_at';

/** Moves the invitation's last send back in time, as if `seconds` had passed. */
const sentAgo = (id: string, seconds: number) =>
  db.query(`update public.invitations set last_sent_at = now() - make_interval(secs => $2) where id = $1`, [
    id,
    seconds,
  ]);

describe('expiry chosen by the inviter', () => {
  it('within 1 hour to 30 days from now', async () => {
    const t = await createTenant(db);
    const inTwoDays = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const [row] = await queryAs<{ expires_at: Date }>(db, t.users.admin, inviteWithExpiry, [
      t.workspaceId,
      `e-${uniqueSuffix()}@example.test`,
      'member',
      newInvitationToken().tokenHash,
      inTwoDays,
    ]);
    expect(row?.expires_at.toISOString()).toBe(inTwoDays);
  });

  it.each([
    ['10 minutes', 10 * 60_000],
    ['31 days', 31 * 86_400_000],
    ['the past', -60_000],
  ])('refuses %s with invalid_input', async (_, offset) => {
    const t = await createTenant(db);
    const error = await errorAs(db, t.users.admin, inviteWithExpiry, [
      t.workspaceId,
      `e-${uniqueSuffix()}@example.test`,
      'member',
      newInvitationToken().tokenHash,
      new Date(Date.now() + offset).toISOString(),
    ]);
    expect(error?.code).toBe('22023');
    expect(error?.message).toBe('invalid_input');
    expect(error?.detail).toBe('expires_at must be between 1 hour and 30 days from now.');
  });
});

describe('changing the role before acceptance', () => {
  it('an inviter changes it, and the invitee joins with the new role', async () => {
    const t = await createTenant(db);
    const invitee = await createUser(db);
    const { id, token } = await invite(db, t.users.admin, t.workspaceId, invitee.email, 'viewer');
    const [changed] = await queryAs<{ role: string }>(
      db,
      t.users.admin,
      `update public.invitations set role = 'admin' where id = $1 returning role`,
      [id],
    );
    expect(changed?.role).toBe('admin');
    await queryAs(db, invitee, 'select accept_invitation($1)', [token]);
    const { rows } = await db.query(
      'select role from public.workspace_members where workspace_id = $1 and user_id = $2',
      [t.workspaceId, invitee.id],
    );
    expect(rows[0]?.role).toBe('admin');
  });

  it('not after acceptance, revocation or expiry', async () => {
    const t = await createTenant(db);
    const invitee = await createUser(db);
    const accepted = await invite(db, t.users.admin, t.workspaceId, invitee.email);
    await queryAs(db, invitee, 'select accept_invitation($1)', [accepted.token]);
    const revoked = await invite(db, t.users.admin, t.workspaceId, `r-${uniqueSuffix()}@example.test`);
    await queryAs(db, t.users.admin, 'update public.invitations set revoked_at = now() where id = $1', [
      revoked.id,
    ]);
    const expired = await invite(db, t.users.admin, t.workspaceId, `x-${uniqueSuffix()}@example.test`);
    await db.query(
      `update public.invitations set created_at = now() - interval '8 days', expires_at = now() - interval '1 day' where id = $1`,
      [expired.id],
    );
    const change = (id: string) =>
      errorAs(db, t.users.admin, `update public.invitations set role = 'viewer' where id = $1`, [id]);
    expect((await change(accepted.id))?.message).toBe('invitation_already_accepted');
    expect((await change(revoked.id))?.message).toBe('invitation_revoked');
    expect((await change(expired.id))?.message).toBe('invitation_expired');
  });

  it('members without members.invite and outsiders change nothing (RLS hides the row)', async () => {
    const t = await createTenant(db);
    const { id } = await invite(
      db,
      t.users.admin,
      t.workspaceId,
      `m-${uniqueSuffix()}@example.test`,
      'viewer',
    );
    for (const persona of ['member', 'viewer', 'outsider'] as const) {
      const rows = await queryAs(
        db,
        t.users[persona],
        `update public.invitations set role = 'admin' where id = $1 returning id`,
        [id],
      );
      expect(rows).toEqual([]);
    }
    const { rows } = await db.query('select role from public.invitations where id = $1', [id]);
    expect(rows[0]?.role).toBe('viewer');
  });

  it('an inviter with a custom role cannot raise an invitation beyond their own permissions', async () => {
    const t = await createTenant(db);
    const [role] = await queryAs<{ id: string }>(
      db,
      t.users.owner,
      `insert into public.roles (workspace_id, name, permissions)
       values ($1, 'Recruiter', array['members.invite', 'projects.read', 'tasks.read', 'comments.read',
         'labels.read', 'attachments.read', 'activity.read']) returning id`,
      [t.workspaceId],
    );
    const recruiter = await createUser(db);
    await db.query(
      'insert into public.workspace_members (workspace_id, user_id, role_id) values ($1, $2, $3)',
      [t.workspaceId, recruiter.id, role?.id],
    );
    const { id } = await invite(db, recruiter, t.workspaceId, `c-${uniqueSuffix()}@example.test`, 'viewer');
    const error = await errorAs(db, recruiter, `update public.invitations set role = 'admin' where id = $1`, [
      id,
    ]);
    expect(error?.code).toBe('42501');
    // And an admin's invitation of an admin is out of the recruiter's reach altogether.
    const adminInvite = await invite(
      db,
      t.users.admin,
      t.workspaceId,
      `a-${uniqueSuffix()}@example.test`,
      'admin',
    );
    const untouched = await queryAs(
      db,
      recruiter,
      `update public.invitations set role = 'viewer' where id = $1 returning id`,
      [adminInvite.id],
    );
    expect(untouched).toEqual([]);
  });
});

describe('resend_invitation', () => {
  it('replaces the token: the new one works, the old one no longer does', async () => {
    const t = await createTenant(db);
    const invitee = await createUser(db);
    const { id, token: oldToken } = await invite(db, t.users.admin, t.workspaceId, invitee.email);
    await sentAgo(id, 61);
    const fresh = newInvitationToken();
    const [row] = await queryAs<{ send_count: number }>(db, t.users.admin, resend, [id, fresh.tokenHash]);
    expect(row?.send_count).toBe(2);
    expect((await errorAs(db, invitee, 'select accept_invitation($1)', [oldToken]))?.message).toBe(
      'invitation_not_found',
    );
    const [joined] = await queryAs<{ id: string }>(db, invitee, 'select * from accept_invitation($1)', [
      fresh.token,
    ]);
    expect(joined?.id).toBe(t.workspaceId);
  });

  it('is rate limited per invitation with a growing wait, answered as invitation_resend_too_soon', async () => {
    const t = await createTenant(db);
    const { id } = await invite(db, t.users.admin, t.workspaceId, `rl-${uniqueSuffix()}@example.test`);
    const other = await invite(db, t.users.admin, t.workspaceId, `other-${uniqueSuffix()}@example.test`);
    const tooSoon = await errorAs(db, t.users.admin, resend, [id, newInvitationToken().tokenHash]);
    expect(tooSoon?.code).toBe('PT429');
    expect(tooSoon?.message).toBe('invitation_resend_too_soon');
    const { retry_after_seconds } = JSON.parse(tooSoon?.detail ?? '{}');
    expect(retry_after_seconds).toBeGreaterThan(55);
    expect(retry_after_seconds).toBeLessThanOrEqual(60);

    await sentAgo(id, 61);
    expect(await errorAs(db, t.users.admin, resend, [id, newInvitationToken().tokenHash])).toBeUndefined();
    // After the first resend the wait is 2 minutes.
    await sentAgo(id, 61);
    const second = await errorAs(db, t.users.admin, resend, [id, newInvitationToken().tokenHash]);
    expect(JSON.parse(second?.detail ?? '{}').retry_after_seconds).toBeGreaterThan(55);
    await sentAgo(id, 121);
    expect(await errorAs(db, t.users.admin, resend, [id, newInvitationToken().tokenHash])).toBeUndefined();
    // Another invitation's wait is its own.
    await sentAgo(other.id, 61);
    expect(
      await errorAs(db, t.users.admin, resend, [other.id, newInvitationToken().tokenHash]),
    ).toBeUndefined();
  });

  it('refuses accepted, revoked and expired invitations', async () => {
    const t = await createTenant(db);
    const invitee = await createUser(db);
    const accepted = await invite(db, t.users.admin, t.workspaceId, invitee.email);
    await queryAs(db, invitee, 'select accept_invitation($1)', [accepted.token]);
    const revoked = await invite(db, t.users.admin, t.workspaceId, `r-${uniqueSuffix()}@example.test`);
    await queryAs(db, t.users.admin, 'update public.invitations set revoked_at = now() where id = $1', [
      revoked.id,
    ]);
    const expired = await invite(db, t.users.admin, t.workspaceId, `x-${uniqueSuffix()}@example.test`);
    await db.query(
      `update public.invitations set created_at = now() - interval '8 days', expires_at = now() - interval '1 day' where id = $1`,
      [expired.id],
    );
    const again = async (id: string) =>
      (await errorAs(db, t.users.admin, resend, [id, newInvitationToken().tokenHash]))?.message;
    expect(await again(accepted.id)).toBe('invitation_already_accepted');
    expect(await again(revoked.id)).toBe('invitation_revoked');
    expect(await again(expired.id)).toBe('invitation_expired');
  });

  it('refuses a token hash that is not lower-case hex SHA-256', async () => {
    const t = await createTenant(db);
    const { id } = await invite(db, t.users.admin, t.workspaceId, `h-${uniqueSuffix()}@example.test`);
    const error = await errorAs(db, t.users.admin, resend, [id, 'not-a-hash']);
    expect(error?.message).toBe('invalid_input');
  });

  it('members without members.invite and outsiders get invitation_not_found, as for an id that does not exist', async () => {
    const t = await createTenant(db);
    const { id } = await invite(db, t.users.admin, t.workspaceId, `n-${uniqueSuffix()}@example.test`);
    await sentAgo(id, 3600);
    for (const persona of ['member', 'viewer', 'outsider'] as const) {
      const real = await errorAs(db, t.users[persona], resend, [id, newInvitationToken().tokenHash]);
      const random = await errorAs(db, t.users[persona], resend, [
        randomUUID(),
        newInvitationToken().tokenHash,
      ]);
      expect([real?.code, real?.message, real?.detail]).toEqual(['PT404', 'invitation_not_found', undefined]);
      expect([random?.code, random?.message, random?.detail]).toEqual([
        real?.code,
        real?.message,
        real?.detail,
      ]);
    }
    const { rows } = await db.query('select send_count from public.invitations where id = $1', [id]);
    expect(rows[0]?.send_count).toBe(1);
  });

  it('writes an audit row for each resend and role change, without the token hash', async () => {
    const t = await createTenant(db);
    const { id } = await invite(db, t.users.admin, t.workspaceId, `au-${uniqueSuffix()}@example.test`);
    await sentAgo(id, 61);
    await queryAs(db, t.users.admin, resend, [id, newInvitationToken().tokenHash]);
    await queryAs(db, t.users.admin, `update public.invitations set role = 'viewer' where id = $1`, [id]);
    const { rows } = await db.query(
      `select actor_id, action, changes from public.audit_log
       where target_table = 'invitations' and target_id = $1 and action = 'update' and actor_id is not null
       order by id`,
      [id],
    );
    expect(rows.map((r) => Object.keys(r.changes).sort())).toEqual([
      ['last_sent_at', 'send_count'],
      ['role'],
    ]);
    expect(rows.every((r) => r.actor_id === t.users.admin.id)).toBe(true);
    expect(rows[0]?.changes.send_count).toEqual({ before: 1, after: 2 });
    expect(rows[1]?.changes.role).toEqual({ before: 'member', after: 'viewer' });
  });
});
