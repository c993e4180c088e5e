import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant, createUser } from './support/fixtures.ts';
import { backendPid, waitUntilBlocked } from './support/lock-waits.ts';
import { connect, errorAs, queryAs } from './support/sql-identity.ts';

let db: pg.Client;

beforeAll(async () => {
  db = connect(inject('stack').dbUrl);
  await db.connect();
});

afterAll(async () => {
  await db.end();
});

async function ownersOf(workspaceId: string): Promise<string[]> {
  const { rows } = await db.query(
    `select user_id from public.workspace_members where workspace_id = $1 and role = 'owner' order by user_id`,
    [workspaceId],
  );
  return rows.map((r) => r.user_id as string);
}

describe('create_workspace', () => {
  it('creates the workspace and the caller as its owner in one call', async () => {
    const user = await createUser(db);
    const [ws] = await queryAs<{ id: string; plan: string; slug: string }>(
      db,
      user,
      'select * from create_workspace($1, $2)',
      ['My Team', `My-Team-${user.id.slice(0, 8)}`],
    );
    expect(ws?.plan).toBe('free');
    expect(ws?.slug).toBe(`my-team-${user.id.slice(0, 8)}`);
    expect(await ownersOf(ws?.id as string)).toEqual([user.id]);
  });

  it('answers slug_taken for a used slug', async () => {
    const user = await createUser(db);
    const slug = `taken-${user.id.slice(0, 8)}`;
    await queryAs(db, user, 'select create_workspace($1, $2)', ['A', slug]);
    const error = await errorAs(db, user, 'select create_workspace($1, $2)', ['B', slug]);
    expect(error?.message).toBe('slug_taken');
    expect(error?.code).toBe('23505');
  });

  it('rejects an invalid slug with a check violation', async () => {
    const user = await createUser(db);
    const error = await errorAs(db, user, 'select create_workspace($1, $2)', ['A', 'Not a slug!']);
    expect(error?.code).toBe('23514');
  });
});

describe('a workspace always has at least one owner', () => {
  it('the last owner cannot leave', async () => {
    const t = await createTenant(db);
    const error = await errorAs(db, t.users.owner, 'select leave_workspace($1)', [t.workspaceId]);
    expect(error?.message).toBe('last_owner');
    expect(error?.code).toBe('PT409');
  });

  it('the last owner cannot demote themselves', async () => {
    const t = await createTenant(db);
    const error = await errorAs(
      db,
      t.users.owner,
      `update public.workspace_members set role = 'admin' where workspace_id = $1 and user_id = $2`,
      [t.workspaceId, t.users.owner.id],
    );
    expect(error?.message).toBe('last_owner');
  });

  it('the last owner cannot be removed, even by the service role', async () => {
    const t = await createTenant(db);
    const error = await errorAs(
      db,
      { kind: 'service_role' },
      'delete from public.workspace_members where workspace_id = $1 and user_id = $2',
      [t.workspaceId, t.users.owner.id],
    );
    expect(error?.message).toBe('last_owner');
  });

  it('two owners demoting each other at once leave exactly one owner', async () => {
    const t = await createTenant(db);
    await db.query(
      `update public.workspace_members set role = 'owner' where workspace_id = $1 and user_id = $2`,
      [t.workspaceId, t.users.admin.id],
    );
    const demote = `update public.workspace_members set role = 'admin' where workspace_id = $1 and user_id = $2`;
    const first = connect(inject('stack').dbUrl);
    const second = connect(inject('stack').dbUrl);
    await Promise.all([first.connect(), second.connect()]);
    try {
      // The first demotion stays uncommitted while the second starts, so both pass RLS
      // against the same snapshot; only the workspace lock in the trigger can stop one.
      await first.query('begin');
      await first.query('set local role authenticated');
      await first.query(`select set_config('request.jwt.claims', $1, true)`, [
        JSON.stringify({ sub: t.users.owner.id, role: 'authenticated' }),
      ]);
      await first.query(demote, [t.workspaceId, t.users.admin.id]);
      const secondPid = await backendPid(second);
      const racing = errorAs(second, t.users.admin, demote, [t.workspaceId, t.users.owner.id]);
      await waitUntilBlocked(db, secondPid);
      await first.query('commit');
      const error = await racing;
      expect(error?.message).toBe('last_owner');
      expect(await ownersOf(t.workspaceId)).toEqual([t.users.owner.id]);
    } finally {
      await Promise.all([first.end(), second.end()]);
    }
  });

  it('a second owner lets the first one leave', async () => {
    const t = await createTenant(db);
    await queryAs(
      db,
      t.users.owner,
      `update public.workspace_members set role = 'owner' where workspace_id = $1 and user_id = $2`,
      [t.workspaceId, t.users.admin.id],
    );
    await queryAs(db, t.users.owner, 'select leave_workspace($1)', [t.workspaceId]);
    expect(await ownersOf(t.workspaceId)).toEqual([t.users.admin.id]);
  });
});

describe('transfer_ownership', () => {
  it('makes the member the owner and the caller an admin', async () => {
    const t = await createTenant(db);
    await queryAs(db, t.users.owner, 'select transfer_ownership($1, $2)', [t.workspaceId, t.users.member.id]);
    expect(await ownersOf(t.workspaceId)).toEqual([t.users.member.id]);
    const { rows } = await db.query(
      'select role from public.workspace_members where workspace_id = $1 and user_id = $2',
      [t.workspaceId, t.users.owner.id],
    );
    expect(rows[0].role).toBe('admin');
  });

  it('is refused to admins', async () => {
    const t = await createTenant(db);
    const error = await errorAs(db, t.users.admin, 'select transfer_ownership($1, $2)', [
      t.workspaceId,
      t.users.admin.id,
    ]);
    expect(error?.message).toBe('forbidden');
    expect(error?.code).toBe('42501');
  });

  it('answers member_not_found for a non-member target', async () => {
    const t = await createTenant(db);
    const error = await errorAs(db, t.users.owner, 'select transfer_ownership($1, $2)', [
      t.workspaceId,
      t.users.outsider.id,
    ]);
    expect(error?.message).toBe('member_not_found');
  });

  it('answers workspace_not_found to outsiders', async () => {
    const t = await createTenant(db);
    const error = await errorAs(db, t.users.outsider, 'select transfer_ownership($1, $2)', [
      t.workspaceId,
      t.users.outsider.id,
    ]);
    expect(error?.message).toBe('workspace_not_found');
  });
});

describe('leave_workspace', () => {
  it('removes the caller', async () => {
    const t = await createTenant(db);
    await queryAs(db, t.users.viewer, 'select leave_workspace($1)', [t.workspaceId]);
    const rows = await queryAs(db, t.users.viewer, 'select 1 from public.workspaces where id = $1', [
      t.workspaceId,
    ]);
    expect(rows).toHaveLength(0);
  });

  it('answers workspace_not_found when the caller is not a member', async () => {
    const t = await createTenant(db);
    const error = await errorAs(db, t.users.outsider, 'select leave_workspace($1)', [t.workspaceId]);
    expect(error?.message).toBe('workspace_not_found');
  });
});

describe('deleting an owner account', () => {
  it('hands the workspace to the most senior remaining member', async () => {
    const t = await createTenant(db);
    await db.query('delete from auth.users where id = $1', [t.users.owner.id]);
    expect(await ownersOf(t.workspaceId)).toEqual([t.users.admin.id]);
  });

  it('a workspace whose only member deletes their account is left with nobody', async () => {
    const user = await createUser(db);
    const [ws] = await queryAs<{ id: string }>(db, user, 'select id from create_workspace($1, $2)', [
      'Solo',
      `solo-${user.id.slice(0, 8)}`,
    ]);
    await db.query('delete from auth.users where id = $1', [user.id]);
    const { rows } = await db.query(
      'select count(*)::int as n from public.workspace_members where workspace_id = $1',
      [ws?.id],
    );
    expect(rows[0].n).toBe(0);
  });
});
