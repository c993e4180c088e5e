import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant, createUser, invite, newInvitationToken, uniqueSuffix } from './support/fixtures.ts';
import { backendPid, waitUntilBlocked } from './support/lock-waits.ts';
import { connect, errorAs, queryAs, serviceRole } from './support/sql-identity.ts';

let db: pg.Client;

beforeAll(async () => {
  db = connect(inject('stack').dbUrl);
  await db.connect();
});

afterAll(async () => {
  await db.end();
});

const insertInvitation =
  'insert into public.invitations (workspace_id, email, role, token_hash) values ($1, $2, $3, $4) returning id';

describe('who can invite', () => {
  it.each(['owner', 'admin'] as const)('a %s can invite', async (persona) => {
    const t = await createTenant(db);
    const { id } = await invite(db, t.users[persona], t.workspaceId, `new-${uniqueSuffix()}@example.test`);
    expect(id).toBeTruthy();
  });

  it.each(['member', 'viewer', 'outsider'] as const)('a %s cannot invite', async (persona) => {
    const t = await createTenant(db);
    const error = await errorAs(db, t.users[persona], insertInvitation, [
      t.workspaceId,
      `new-${uniqueSuffix()}@example.test`,
      'member',
      newInvitationToken().tokenHash,
    ]);
    expect(error?.code).toBe('42501');
  });

  it('nobody can invite an owner', async () => {
    const t = await createTenant(db);
    const error = await errorAs(db, t.users.owner, insertInvitation, [
      t.workspaceId,
      `new-${uniqueSuffix()}@example.test`,
      'owner',
      newInvitationToken().tokenHash,
    ]);
    expect(error?.code).toBe('23514');
  });

  it('members and viewers cannot read invitations (they hold emails)', async () => {
    const t = await createTenant(db);
    await invite(db, t.users.admin, t.workspaceId, `new-${uniqueSuffix()}@example.test`);
    const rows = await queryAs(
      db,
      t.users.member,
      'select 1 from public.invitations where workspace_id = $1',
      [t.workspaceId],
    );
    expect(rows).toHaveLength(0);
  });

  it('stores emails lower-cased and refuses a second open invitation to the same address', async () => {
    const t = await createTenant(db);
    const email = `Mixed-${uniqueSuffix()}@Example.TEST`;
    await invite(db, t.users.admin, t.workspaceId, email);
    const { rows } = await db.query('select email from public.invitations where workspace_id = $1', [
      t.workspaceId,
    ]);
    expect(rows[0].email).toBe(email.toLowerCase());
    const error = await errorAs(db, t.users.admin, insertInvitation, [
      t.workspaceId,
      email.toLowerCase(),
      'member',
      newInvitationToken().tokenHash,
    ]);
    expect(error?.message).toBe('invitation_pending');
    expect(error?.code).toBe('PT409');
  });

  it('refuses to invite someone who is already a member', async () => {
    const t = await createTenant(db);
    const error = await errorAs(db, t.users.admin, insertInvitation, [
      t.workspaceId,
      t.users.member.email,
      'member',
      newInvitationToken().tokenHash,
    ]);
    expect(error?.message).toBe('already_member');
  });

  it('a revoked invitation stays revoked', async () => {
    const t = await createTenant(db);
    const { id } = await invite(db, t.users.admin, t.workspaceId, `new-${uniqueSuffix()}@example.test`);
    await queryAs(db, t.users.admin, 'update public.invitations set revoked_at = now() where id = $1', [id]);
    const error = await errorAs(
      db,
      t.users.admin,
      'update public.invitations set revoked_at = null where id = $1',
      [id],
    );
    expect(error?.message).toBe('invalid_input');
  });
});

describe('accept_invitation', () => {
  it('joins the workspace with the invited role and marks the invitation accepted', async () => {
    const t = await createTenant(db);
    const invitee = await createUser(db);
    const { token, id } = await invite(db, t.users.admin, t.workspaceId, invitee.email, 'viewer');
    const [joined] = await queryAs<{ id: string }>(db, invitee, 'select * from accept_invitation($1)', [
      token,
    ]);
    expect(joined?.id).toBe(t.workspaceId);
    const { rows } = await db.query(
      `select m.role, i.accepted_by from public.workspace_members m, public.invitations i
       where m.workspace_id = $1 and m.user_id = $2 and i.id = $3`,
      [t.workspaceId, invitee.id, id],
    );
    expect(rows[0]).toEqual({ role: 'viewer', accepted_by: invitee.id });
  });

  it('never stores the token itself', async () => {
    const t = await createTenant(db);
    const { token, id } = await invite(
      db,
      t.users.admin,
      t.workspaceId,
      `new-${uniqueSuffix()}@example.test`,
    );
    const { rows } = await db.query(
      'select to_jsonb(i)::text as row from public.invitations i where id = $1',
      [id],
    );
    expect(rows[0].row).not.toContain(token);
  });

  it('is idempotent for the user who accepted', async () => {
    const t = await createTenant(db);
    const invitee = await createUser(db);
    const { token } = await invite(db, t.users.admin, t.workspaceId, invitee.email);
    await queryAs(db, invitee, 'select accept_invitation($1)', [token]);
    const [again] = await queryAs<{ id: string }>(db, invitee, 'select * from accept_invitation($1)', [
      token,
    ]);
    expect(again?.id).toBe(t.workspaceId);
  });

  it('answers invitation_email_mismatch to another signed-in user', async () => {
    const t = await createTenant(db);
    const { token } = await invite(db, t.users.admin, t.workspaceId, `new-${uniqueSuffix()}@example.test`);
    const error = await errorAs(db, t.users.outsider, 'select accept_invitation($1)', [token]);
    expect(error?.message).toBe('invitation_email_mismatch');
    expect(error?.code).toBe('42501');
  });

  it('answers email_not_confirmed when the address is unconfirmed', async () => {
    const t = await createTenant(db);
    const invitee = await createUser(db, { confirmed: false });
    const { token } = await invite(db, t.users.admin, t.workspaceId, invitee.email);
    const error = await errorAs(db, invitee, 'select accept_invitation($1)', [token]);
    expect(error?.message).toBe('email_not_confirmed');
  });

  it('answers invitation_not_found for an unknown token', async () => {
    const invitee = await createUser(db);
    const error = await errorAs(db, invitee, 'select accept_invitation($1)', [newInvitationToken().token]);
    expect(error?.message).toBe('invitation_not_found');
    expect(error?.code).toBe('PT404');
  });

  it('answers invitation_revoked for a revoked invitation', async () => {
    const t = await createTenant(db);
    const invitee = await createUser(db);
    const { token, id } = await invite(db, t.users.admin, t.workspaceId, invitee.email);
    await queryAs(db, t.users.admin, 'update public.invitations set revoked_at = now() where id = $1', [id]);
    const error = await errorAs(db, invitee, 'select accept_invitation($1)', [token]);
    expect(error?.message).toBe('invitation_revoked');
    expect(error?.code).toBe('PT410');
  });

  it('answers invitation_expired after expiry', async () => {
    const t = await createTenant(db);
    const invitee = await createUser(db);
    const { token, id } = await invite(db, t.users.admin, t.workspaceId, invitee.email);
    await db.query(
      `update public.invitations set created_at = now() - interval '8 days', expires_at = now() - interval '1 day' where id = $1`,
      [id],
    );
    const error = await errorAs(db, invitee, 'select accept_invitation($1)', [token]);
    expect(error?.message).toBe('invitation_expired');
  });

  it('an expired invitation does not block inviting the address again', async () => {
    const t = await createTenant(db);
    const email = `again-${uniqueSuffix()}@example.test`;
    const { id } = await invite(db, t.users.admin, t.workspaceId, email);
    await db.query(
      `update public.invitations set created_at = now() - interval '8 days', expires_at = now() - interval '1 day' where id = $1`,
      [id],
    );
    await expect(invite(db, t.users.admin, t.workspaceId, email)).resolves.toBeTruthy();
  });

  it('answers invitation_already_accepted to someone else holding a used token', async () => {
    const t = await createTenant(db);
    const invitee = await createUser(db);
    const { token } = await invite(db, t.users.admin, t.workspaceId, invitee.email);
    await queryAs(db, invitee, 'select accept_invitation($1)', [token]);
    await db.query('update auth.users set email = $2 where id = $1', [
      invitee.id,
      `moved-${uniqueSuffix()}@example.test`,
    ]);
    const sameAddress = await createUser(db, { email: invitee.email });
    const error = await errorAs(db, sameAddress, 'select accept_invitation($1)', [token]);
    expect(error?.message).toBe('invitation_already_accepted');
  });
});

describe('plan limits', () => {
  it('open invitations hold seats: the free plan stops at 5 members plus invitations', async () => {
    const t = await createTenant(db, 'free'); // 4 members
    await invite(db, t.users.admin, t.workspaceId, `fifth-${uniqueSuffix()}@example.test`);
    const error = await errorAs(db, t.users.admin, insertInvitation, [
      t.workspaceId,
      `sixth-${uniqueSuffix()}@example.test`,
      'member',
      newInvitationToken().tokenHash,
    ]);
    expect(error?.message).toBe('plan_limit_reached');
    expect(error?.code).toBe('PT402');
    expect(JSON.parse(error?.detail ?? '{}')).toEqual({ limit: 'members', max: 5, current: 5 });
  });

  it('revoking an invitation frees its seat', async () => {
    const t = await createTenant(db, 'free');
    const { id } = await invite(db, t.users.admin, t.workspaceId, `fifth-${uniqueSuffix()}@example.test`);
    await queryAs(db, t.users.admin, 'update public.invitations set revoked_at = now() where id = $1', [id]);
    await expect(
      invite(db, t.users.admin, t.workspaceId, `other-${uniqueSuffix()}@example.test`),
    ).resolves.toBeTruthy();
  });

  it('the pro plan allows more', async () => {
    const t = await createTenant(db, 'pro');
    for (let i = 0; i < 3; i++)
      await invite(db, t.users.admin, t.workspaceId, `p${i}-${uniqueSuffix()}@example.test`);
    const [usage] = await queryAs(db, t.users.viewer, 'select * from workspace_usage($1)', [t.workspaceId]);
    expect(usage).toEqual({
      plan: 'pro',
      members: 4,
      pending_invitations: 3,
      projects: 1,
      max_members: 50,
      max_projects: null,
      storage_limit_bytes: '107374182400',
    });
  });

  it('direct member inserts are limited too, even for the service role', async () => {
    const t = await createTenant(db, 'free');
    await db.query(`insert into public.workspace_members (workspace_id, user_id) values ($1, $2)`, [
      t.workspaceId,
      (await createUser(db)).id,
    ]);
    const error = await errorAs(
      db,
      serviceRole,
      'insert into public.workspace_members (workspace_id, user_id) values ($1, $2)',
      [t.workspaceId, (await createUser(db)).id],
    );
    expect(error?.message).toBe('plan_limit_reached');
  });

  it('the free plan allows 3 active projects; archiving frees one', async () => {
    const t = await createTenant(db, 'free'); // 1 project
    const addProject = (key: string) =>
      errorAs(
        db,
        t.users.admin,
        `insert into public.projects (workspace_id, name, key) values ($1, $2, $2)`,
        [t.workspaceId, key],
      );
    expect(await addProject('TWO')).toBeUndefined();
    expect(await addProject('THREE')).toBeUndefined();
    expect((await addProject('FOUR'))?.message).toBe('plan_limit_reached');
    await queryAs(db, t.users.admin, 'update public.projects set archived = true where id = $1', [
      t.projectId,
    ]);
    expect(await addProject('FOUR')).toBeUndefined();
    const unarchive = await errorAs(
      db,
      t.users.admin,
      'update public.projects set archived = false where id = $1',
      [t.projectId],
    );
    expect(unarchive?.message).toBe('plan_limit_reached');
  });
});

describe('plan limits under concurrency', () => {
  it('two simultaneous invitations for the last seat: exactly one wins', async () => {
    const t = await createTenant(db, 'free'); // 4 of 5 seats taken
    const a = connect(inject('stack').dbUrl);
    const b = connect(inject('stack').dbUrl);
    await Promise.all([a.connect(), b.connect()]);
    try {
      const results = await Promise.all(
        [a, b].map((client, i) =>
          errorAs(client, t.users.admin, insertInvitation, [
            t.workspaceId,
            `race-${i}-${uniqueSuffix()}@example.test`,
            'member',
            newInvitationToken().tokenHash,
          ]),
        ),
      );
      expect(results.filter((e) => e === undefined)).toHaveLength(1);
      expect(results.find((e) => e !== undefined)?.message).toBe('plan_limit_reached');
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('an invitation racing an uncommitted one waits for it and then loses', async () => {
    const t = await createTenant(db, 'free');
    const first = connect(inject('stack').dbUrl);
    const second = connect(inject('stack').dbUrl);
    await Promise.all([first.connect(), second.connect()]);
    try {
      await first.query('begin');
      await first.query('set local role authenticated');
      await first.query(`select set_config('request.jwt.claims', $1, true)`, [
        JSON.stringify({ sub: t.users.owner.id, role: 'authenticated' }),
      ]);
      await first.query(insertInvitation, [
        t.workspaceId,
        `one-${uniqueSuffix()}@example.test`,
        'member',
        newInvitationToken().tokenHash,
      ]);
      const secondPid = await backendPid(second);
      const racing = errorAs(second, t.users.admin, insertInvitation, [
        t.workspaceId,
        `two-${uniqueSuffix()}@example.test`,
        'member',
        newInvitationToken().tokenHash,
      ]);
      await waitUntilBlocked(db, secondPid);
      await first.query('commit');
      expect((await racing)?.message).toBe('plan_limit_reached');
    } finally {
      await Promise.all([first.end(), second.end()]);
    }
  });

  it('two simultaneous project creations for the last slot: exactly one wins', async () => {
    const t = await createTenant(db, 'free');
    await queryAs(
      db,
      t.users.admin,
      `insert into public.projects (workspace_id, name, key) values ($1, 'Two', 'TWO')`,
      [t.workspaceId],
    );
    const a = connect(inject('stack').dbUrl);
    const b = connect(inject('stack').dbUrl);
    await Promise.all([a.connect(), b.connect()]);
    try {
      const results = await Promise.all(
        [a, b].map((client, i) =>
          errorAs(
            client,
            t.users.admin,
            `insert into public.projects (workspace_id, name, key) values ($1, $2, $2)`,
            [t.workspaceId, `RACE${i}`],
          ),
        ),
      );
      expect(results.filter((e) => e === undefined)).toHaveLength(1);
      expect(results.find((e) => e !== undefined)?.message).toBe('plan_limit_reached');
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });
});
