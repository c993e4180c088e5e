import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant, createUser, invite, newInvitationToken, uniqueSuffix } from './support/fixtures.ts';
import { connect, errorAs, queryAs, serviceRole } from './support/sql-identity.ts';

// A seat is a person: members plus open invitations to addresses that are not members yet.
// The free plan has 5 seats; createTenant's workspace has 4 members.

let db: pg.Client;

beforeAll(async () => {
  db = connect(inject('stack').dbUrl);
  await db.connect();
});

afterAll(async () => {
  await db.end();
});

async function seatsUsed(workspaceId: string): Promise<number> {
  const { rows } = await db.query<{ seats: number }>('select private.workspace_seats_used($1) as seats', [
    workspaceId,
  ]);
  return (rows[0] as { seats: number }).seats;
}

const addMember = (workspaceId: string, userId: string) =>
  errorAs(db, serviceRole, 'insert into public.workspace_members (workspace_id, user_id) values ($1, $2)', [
    workspaceId,
    userId,
  ]);

const inviteError = (as: Parameters<typeof errorAs>[1], workspaceId: string, email: string) =>
  errorAs(
    db,
    as,
    'insert into public.invitations (workspace_id, email, role, token_hash) values ($1, $2, $3, $4)',
    [workspaceId, email, 'member', newInvitationToken().tokenHash],
  );

describe('private.workspace_seats_used', () => {
  it('counts members plus open invitations', async () => {
    const t = await createTenant(db, 'free');
    expect(await seatsUsed(t.workspaceId)).toBe(4);
    await invite(db, t.users.admin, t.workspaceId, `a-${uniqueSuffix()}@example.test`);
    expect(await seatsUsed(t.workspaceId)).toBe(5);
  });

  it('does not count revoked, accepted or expired invitations', async () => {
    const t = await createTenant(db, 'pro');
    const revoked = await invite(db, t.users.admin, t.workspaceId, `r-${uniqueSuffix()}@example.test`);
    await queryAs(db, t.users.admin, 'update public.invitations set revoked_at = now() where id = $1', [
      revoked.id,
    ]);
    const expired = await invite(db, t.users.admin, t.workspaceId, `e-${uniqueSuffix()}@example.test`);
    await db.query(
      `update public.invitations set created_at = now() - interval '8 days', expires_at = now() - interval '1 day' where id = $1`,
      [expired.id],
    );
    const invitee = await createUser(db);
    const accepted = await invite(db, t.users.admin, t.workspaceId, invitee.email);
    await queryAs(db, invitee, 'select accept_invitation($1)', [accepted.token]);
    // 4 members + the invitee who accepted; the three invitations hold nothing.
    expect(await seatsUsed(t.workspaceId)).toBe(5);
  });

  it('an invited address that is already a member counts once', async () => {
    const t = await createTenant(db, 'free');
    const person = await createUser(db, { email: `Both-${uniqueSuffix()}@Example.TEST` });
    await invite(db, t.users.admin, t.workspaceId, person.email);
    expect(await seatsUsed(t.workspaceId)).toBe(5);
    // They join some other way while the invitation is still open.
    expect(await addMember(t.workspaceId, person.id)).toBeUndefined();
    expect(await seatsUsed(t.workspaceId)).toBe(5);
    const [usage] = await queryAs(db, t.users.viewer, 'select * from workspace_usage($1)', [t.workspaceId]);
    expect(usage).toMatchObject({ members: 5, pending_invitations: 0, max_members: 5 });
  });

  it('one address invited twice (an expired invitation beside a new one) counts once', async () => {
    const t = await createTenant(db, 'pro');
    const email = `twice-${uniqueSuffix()}@example.test`;
    const first = await invite(db, t.users.admin, t.workspaceId, email);
    await db.query(
      `update public.invitations set created_at = now() - interval '8 days', expires_at = now() - interval '1 day' where id = $1`,
      [first.id],
    );
    await invite(db, t.users.admin, t.workspaceId, email);
    expect(await seatsUsed(t.workspaceId)).toBe(5);
    const [usage] = await queryAs(db, t.users.admin, 'select * from workspace_usage($1)', [t.workspaceId]);
    expect(usage).toMatchObject({ members: 4, pending_invitations: 1 });
  });

  it('is not callable by signed-in users (only the triggers, RPCs and the service role use it)', async () => {
    const t = await createTenant(db, 'free');
    const owner = await errorAs(db, t.users.owner, 'select private.workspace_seats_used($1)', [
      t.workspaceId,
    ]);
    expect(owner?.code).toBe('42501');
    const rows = await queryAs<{ seats: number }>(
      db,
      serviceRole,
      'select private.workspace_seats_used($1) as seats',
      [t.workspaceId],
    );
    expect(rows[0]?.seats).toBe(4);
  });
});

describe('the member limit counts seats', () => {
  it('a pending invitation holds its seat against people joining without one', async () => {
    const t = await createTenant(db, 'free');
    await invite(db, t.users.admin, t.workspaceId, `held-${uniqueSuffix()}@example.test`);
    const error = await addMember(t.workspaceId, (await createUser(db)).id);
    expect(error?.message).toBe('plan_limit_reached');
    expect(error?.code).toBe('PT402');
    expect(JSON.parse(error?.detail ?? '{}')).toEqual({ limit: 'members', max: 5, current: 5 });
  });

  it('the invitee takes the seat their invitation held, even when every seat is taken', async () => {
    const t = await createTenant(db, 'free');
    const invitee = await createUser(db);
    const { token } = await invite(db, t.users.admin, t.workspaceId, invitee.email);
    const [joined] = await queryAs<{ id: string }>(db, invitee, 'select * from accept_invitation($1)', [
      token,
    ]);
    expect(joined?.id).toBe(t.workspaceId);
    expect(await seatsUsed(t.workspaceId)).toBe(5);
  });

  it('after a downgrade below the seats in use, nobody joins, invited or not', async () => {
    const t = await createTenant(db, 'pro');
    const invitee = await createUser(db);
    const { token } = await invite(db, t.users.admin, t.workspaceId, invitee.email);
    await invite(db, t.users.admin, t.workspaceId, `other-${uniqueSuffix()}@example.test`);
    await db.query(`insert into public.workspace_members (workspace_id, user_id) values ($1, $2)`, [
      t.workspaceId,
      (await createUser(db)).id,
    ]);
    await db.query(`update public.workspaces set plan = 'free' where id = $1`, [t.workspaceId]); // 7 seats, 5 allowed
    const error = await errorAs(db, invitee, 'select accept_invitation($1)', [token]);
    expect(error?.message).toBe('plan_limit_reached');
    // The invitee is not a member, so the detail names the limit without the numbers.
    expect(JSON.parse(error?.detail ?? '{}')).toEqual({ limit: 'members', max: null, current: null });
  });

  it('a new invitation after a member who was also invited reports each person once', async () => {
    const t = await createTenant(db, 'free');
    const person = await createUser(db);
    await invite(db, t.users.admin, t.workspaceId, person.email);
    expect(await addMember(t.workspaceId, person.id)).toBeUndefined();
    const error = await inviteError(t.users.admin, t.workspaceId, `sixth-${uniqueSuffix()}@example.test`);
    expect(error?.message).toBe('plan_limit_reached');
    expect(JSON.parse(error?.detail ?? '{}')).toEqual({ limit: 'members', max: 5, current: 5 });
  });

  it('an outsider inviting into a full workspace gets the plain RLS refusal, no seat counts', async () => {
    const t = await createTenant(db, 'free');
    await invite(db, t.users.admin, t.workspaceId, `fifth-${uniqueSuffix()}@example.test`);
    const error = await inviteError(t.users.outsider, t.workspaceId, `x-${uniqueSuffix()}@example.test`);
    expect(error?.code).toBe('42501');
    expect(error?.detail ?? '').not.toContain('5');
  });
});
