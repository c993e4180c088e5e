import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant, createUser, uniqueSuffix } from './support/fixtures.ts';
import type { Identity } from './support/sql-identity.ts';
import { connect, errorAs, queryAs } from './support/sql-identity.ts';

let db: pg.Client;

beforeAll(async () => {
  db = connect(inject('stack').dbUrl);
  await db.connect();
});

afterAll(async () => {
  await db.end();
});

const VIEWER = '00000000-0000-4000-8000-0000000000a1';
const MEMBER = '00000000-0000-4000-8000-0000000000a2';
const ADMIN = '00000000-0000-4000-8000-0000000000a3';
const OWNER = '00000000-0000-4000-8000-0000000000a4';

interface Link {
  id: string;
  token: string;
  max_uses: number;
  use_count: number;
}

async function createLink(as: Identity, workspaceId: string, roleId: string, maxUses = 10): Promise<Link> {
  const [link] = await queryAs<Link>(db, as, 'select * from create_invite_link($1, $2, $3)', [
    workspaceId,
    roleId,
    maxUses,
  ]);
  return link as Link;
}

const join = (as: Identity, token: string) => errorAs(db, as, 'select * from join_invite_link($1)', [token]);

async function roleOf(workspaceId: string, userId: string): Promise<string | undefined> {
  const { rows } = await db.query(
    'select role_id from public.workspace_members where workspace_id = $1 and user_id = $2',
    [workspaceId, userId],
  );
  return rows[0]?.role_id;
}

describe('invite links', () => {
  it('anyone signed in joins as the link role, up to the cap; the token is stored only as a hash', async () => {
    const t = await createTenant(db);
    const link = await createLink(t.users.admin, t.workspaceId, VIEWER, 2);
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { rows } = await db.query(
      'select to_jsonb(l)::text as row from public.invite_links l where id = $1',
      [link.id],
    );
    expect(rows[0].row).not.toContain(link.token);

    const [a, b, c] = [await createUser(db), await createUser(db), await createUser(db)];
    expect(await join(a, link.token)).toBeUndefined();
    expect(await roleOf(t.workspaceId, a.id)).toBe(VIEWER);
    // Following the link again as a member is harmless and uses nothing.
    expect(await join(a, link.token)).toBeUndefined();
    expect(await join(b, link.token)).toBeUndefined();
    const usedUp = await join(c, link.token);
    expect([usedUp?.code, usedUp?.message, usedUp?.detail]).toEqual([
      'PT410',
      'invite_link_expired',
      'The link was used up.',
    ]);
    const { rows: counts } = await db.query('select use_count from public.invite_links where id = $1', [
      link.id,
    ]);
    expect(counts[0].use_count).toBe(2);
  });

  it('expired and revoked links refuse; revocation is final', async () => {
    const t = await createTenant(db);
    const expired = await createLink(t.users.admin, t.workspaceId, MEMBER);
    await db.query(
      `update public.invite_links set created_at = now() - interval '8 days', expires_at = now() - interval '1 day' where id = $1`,
      [expired.id],
    );
    expect((await join(await createUser(db), expired.token))?.detail).toBe('The link has expired.');

    const revoked = await createLink(t.users.admin, t.workspaceId, MEMBER);
    const [row] = await queryAs<{ id: string }>(
      db,
      t.users.admin,
      'update public.invite_links set revoked_at = now() where id = $1 returning id',
      [revoked.id],
    );
    expect(row?.id).toBe(revoked.id);
    expect((await join(await createUser(db), revoked.token))?.detail).toBe('The link was revoked.');
    const unrevoke = await errorAs(
      db,
      t.users.admin,
      'update public.invite_links set revoked_at = null where id = $1',
      [revoked.id],
    );
    expect(unrevoke?.message).toBe('invalid_input');
  });

  it('an unknown or malformed token is invite_link_not_found', async () => {
    const user = await createUser(db);
    expect((await join(user, `x${uniqueSuffix()}`.repeat(4)))?.message).toBe('invite_link_not_found');
    expect((await join(user, 'short'))?.message).toBe('invite_link_not_found');
  });

  it('never beyond the creator: no owner links, no role above their permissions', async () => {
    const t = await createTenant(db);
    expect(
      (await errorAs(db, t.users.owner, 'select create_invite_link($1, $2)', [t.workspaceId, OWNER]))
        ?.message,
    ).toBe('forbidden');
    const [role] = await queryAs<{ id: string }>(
      db,
      t.users.owner,
      `insert into public.roles (workspace_id, name, permissions)
       values ($1, 'Recruiter', array['members.invite', 'projects.read']) returning id`,
      [t.workspaceId],
    );
    const recruiter = await createUser(db);
    await db.query(
      'insert into public.workspace_members (workspace_id, user_id, role_id) values ($1, $2, $3)',
      [t.workspaceId, recruiter.id, role?.id],
    );
    const tooHigh = await errorAs(db, recruiter, 'select create_invite_link($1, $2)', [t.workspaceId, ADMIN]);
    expect(tooHigh?.message).toBe('forbidden');
    // Their own custom role they may give.
    const own = await createLink(recruiter, t.workspaceId, role?.id as string);
    const joiner = await createUser(db);
    expect(await join(joiner, own.token)).toBeUndefined();
    expect(await roleOf(t.workspaceId, joiner.id)).toBe(role?.id);
  });

  it('a link stops working when its creator could no longer give its role', async () => {
    const t = await createTenant(db);
    const link = await createLink(t.users.admin, t.workspaceId, MEMBER);
    await db.query(
      `update public.workspace_members set role = 'viewer' where workspace_id = $1 and user_id = $2`,
      [t.workspaceId, t.users.admin.id],
    );
    const error = await join(await createUser(db), link.token);
    expect([error?.message, error?.detail]).toEqual([
      'invite_link_expired',
      "The link's creator can no longer give its role.",
    ]);
  });

  it('joins count against the seats', async () => {
    const t = await createTenant(db, 'free'); // 4 of 5 seats
    const link = await createLink(t.users.admin, t.workspaceId, MEMBER);
    expect(await join(await createUser(db), link.token)).toBeUndefined();
    expect((await join(await createUser(db), link.token))?.message).toBe('plan_limit_reached');
  });

  it('validates the cap and the expiry', async () => {
    const t = await createTenant(db);
    const make = (maxUses: number, expiresAt: Date) =>
      errorAs(db, t.users.admin, 'select create_invite_link($1, $2, $3, $4)', [
        t.workspaceId,
        MEMBER,
        maxUses,
        expiresAt,
      ]);
    const soon = new Date(Date.now() + 86_400_000);
    expect((await make(0, soon))?.detail).toBe('max_uses must be between 1 and 1000.');
    expect((await make(1001, soon))?.detail).toBe('max_uses must be between 1 and 1000.');
    expect((await make(5, new Date(Date.now() + 31 * 86_400_000)))?.detail).toBe(
      'expires_at must be between 1 hour and 30 days from now.',
    );
    expect(
      (await errorAs(db, t.users.admin, 'select create_invite_link($1, $2)', [t.workspaceId, randomUUID()]))
        ?.message,
    ).toBe('role_not_found');
  });

  it('members without members.invite are forbidden; non-members get workspace_not_found, as for no workspace', async () => {
    const t = await createTenant(db);
    expect(
      (await errorAs(db, t.users.member, 'select create_invite_link($1, $2)', [t.workspaceId, VIEWER]))
        ?.message,
    ).toBe('forbidden');
    const real = await errorAs(db, t.users.outsider, 'select create_invite_link($1, $2)', [
      t.workspaceId,
      VIEWER,
    ]);
    const none = await errorAs(db, t.users.outsider, 'select create_invite_link($1, $2)', [
      randomUUID(),
      VIEWER,
    ]);
    expect([real?.code, real?.message, real?.detail]).toEqual(['PT404', 'workspace_not_found', undefined]);
    expect([none?.code, none?.message, none?.detail]).toEqual([real?.code, real?.message, real?.detail]);
    const link = await createLink(t.users.admin, t.workspaceId, VIEWER);
    for (const persona of ['member', 'viewer', 'outsider'] as const) {
      expect(
        await queryAs(db, t.users[persona], 'select id from public.invite_links where id = $1', [link.id]),
      ).toEqual([]);
      expect(
        await queryAs(
          db,
          t.users[persona],
          'update public.invite_links set revoked_at = now() where id = $1 returning id',
          [link.id],
        ),
      ).toEqual([]);
    }
  });

  it('writes audit rows for creating, using and revoking a link, without the token hash', async () => {
    const t = await createTenant(db);
    const link = await createLink(t.users.admin, t.workspaceId, VIEWER);
    const joiner = await createUser(db);
    await join(joiner, link.token);
    await queryAs(db, t.users.admin, 'update public.invite_links set revoked_at = now() where id = $1', [
      link.id,
    ]);
    const { rows } = await db.query(
      `select actor_id, action, changes from public.audit_log
       where target_table = 'invite_links' and target_id = $1 order by id`,
      [link.id],
    );
    expect(rows.map((r) => [r.actor_id, r.action])).toEqual([
      [t.users.admin.id, 'insert'],
      [joiner.id, 'update'],
      [t.users.admin.id, 'update'],
    ]);
    expect(rows.some((r) => 'token_hash' in r.changes)).toBe(false);
    expect(rows[1].changes.use_count).toEqual({ before: 0, after: 1 });
    const { rows: joined } = await db.query(
      `select 1 from public.audit_log where target_table = 'workspace_members' and target_id = $1 and action = 'insert'`,
      [joiner.id],
    );
    expect(joined).toHaveLength(1);
  });
});
