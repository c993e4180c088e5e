import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant, createUser, type Tenant, type TestUser, uniqueSuffix } from './support/fixtures.ts';
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
const OWNER = '00000000-0000-4000-8000-0000000000a4';

/** A tenant plus an admin whose confirmed address is at a domain of its own. */
async function tenantWithDomainAdmin(): Promise<{ t: Tenant; domain: string; admin: TestUser }> {
  const t = await createTenant(db);
  const domain = `acme-${uniqueSuffix()}.test`;
  const admin = await createUser(db, { email: `it@${domain}` });
  await db.query(
    `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'admin')`,
    [t.workspaceId, admin.id],
  );
  return { t, domain, admin };
}

const verify = (as: TestUser, workspaceId: string, domain: string, roleId: string | null = null) =>
  errorAs(db, as, 'select * from verify_workspace_domain($1, $2, $3)', [workspaceId, domain, roleId]);

describe('verifying a domain', () => {
  it('a domains.manage holder with a confirmed address at the domain verifies it', async () => {
    const { t, domain, admin } = await tenantWithDomainAdmin();
    const [row] = await queryAs(db, admin, 'select * from verify_workspace_domain($1, $2, $3)', [
      t.workspaceId,
      ` ${domain.toUpperCase()} `,
      MEMBER,
    ]);
    expect(row).toMatchObject({
      workspace_id: t.workspaceId,
      domain,
      join_role_id: MEMBER,
      verified_by: admin.id,
    });
    const listed = await queryAs(
      db,
      t.users.owner,
      'select domain from public.workspace_domains where workspace_id = $1',
      [t.workspaceId],
    );
    expect(listed).toEqual([{ domain }]);
  });

  it('needs a confirmed address at that very domain', async () => {
    const { t, domain } = await tenantWithDomainAdmin();
    const elsewhere = await verify(t.users.admin, t.workspaceId, domain); // admin is at example.test
    expect([elsewhere?.code, elsewhere?.message]).toEqual(['42501', 'domain_not_verified']);
    const unconfirmed = await createUser(db, { email: `new@${domain}`, confirmed: false });
    await db.query(
      `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'admin')`,
      [t.workspaceId, unconfirmed.id],
    );
    expect((await verify(unconfirmed, t.workspaceId, domain))?.message).toBe('domain_not_verified');
  });

  it('refuses public mail providers and malformed names', async () => {
    const t = await createTenant(db);
    const gmailAdmin = await createUser(db, { email: `boss-${uniqueSuffix()}@gmail.com` });
    await db.query(
      `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'admin')`,
      [t.workspaceId, gmailAdmin.id],
    );
    const gmail = await verify(gmailAdmin, t.workspaceId, 'gmail.com');
    expect([gmail?.message, gmail?.detail]).toEqual([
      'invalid_input',
      'Addresses at a public mail provider cannot verify a domain.',
    ]);
    expect((await verify(gmailAdmin, t.workspaceId, 'not a domain'))?.message).toBe('invalid_input');
  });

  it('the join role stays within the verifier’s permissions (never owner)', async () => {
    const { t, domain, admin } = await tenantWithDomainAdmin();
    expect((await verify(admin, t.workspaceId, domain, OWNER))?.message).toBe('forbidden');
    expect((await verify(admin, t.workspaceId, domain, randomUUID()))?.message).toBe('role_not_found');
  });

  it('members without domains.manage are forbidden; non-members get workspace_not_found as for no workspace', async () => {
    const { t, domain } = await tenantWithDomainAdmin();
    const member = await createUser(db, { email: `dev@${domain}` });
    await db.query(
      `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'member')`,
      [t.workspaceId, member.id],
    );
    expect((await verify(member, t.workspaceId, domain))?.message).toBe('forbidden');
    const outsider = await createUser(db, { email: `spy@${domain}` });
    const real = await verify(outsider, t.workspaceId, domain);
    const none = await verify(outsider, randomUUID(), domain);
    expect([real?.code, real?.message, real?.detail]).toEqual(['PT404', 'workspace_not_found', undefined]);
    expect([none?.code, none?.message, none?.detail]).toEqual([real?.code, real?.message, real?.detail]);
  });
});

describe('joining through a verified domain', () => {
  it('people at the domain see it suggested and join as the join role', async () => {
    const { t, domain, admin } = await tenantWithDomainAdmin();
    await queryAs(db, admin, 'select verify_workspace_domain($1, $2, $3)', [t.workspaceId, domain, VIEWER]);
    const colleague = await createUser(db, { email: `ana@${domain}` });
    const suggested = await queryAs(db, colleague, 'select * from suggested_workspaces()');
    expect(suggested).toEqual([
      { workspace_id: t.workspaceId, name: expect.any(String), slug: t.slug, domain, can_join: true },
    ]);
    const [joined] = await queryAs<{ id: string }>(
      db,
      colleague,
      'select * from join_workspace_by_domain($1)',
      [t.workspaceId],
    );
    expect(joined?.id).toBe(t.workspaceId);
    const { rows } = await db.query(
      'select role_id from public.workspace_members where workspace_id = $1 and user_id = $2',
      [t.workspaceId, colleague.id],
    );
    expect(rows[0]?.role_id).toBe(VIEWER);
    // A member is no longer offered the workspace.
    expect(await queryAs(db, colleague, 'select * from suggested_workspaces()')).toEqual([]);
  });

  it('a suggest-only domain shows the workspace but does not let people in', async () => {
    const { t, domain, admin } = await tenantWithDomainAdmin();
    await queryAs(db, admin, 'select verify_workspace_domain($1, $2)', [t.workspaceId, domain]);
    const colleague = await createUser(db, { email: `bo@${domain}` });
    expect(await queryAs(db, colleague, 'select can_join from suggested_workspaces()')).toEqual([
      { can_join: false },
    ]);
    const error = await errorAs(db, colleague, 'select join_workspace_by_domain($1)', [t.workspaceId]);
    expect(error?.message).toBe('workspace_not_found');
  });

  it('other domains, unconfirmed addresses and random ids learn nothing: the same workspace_not_found', async () => {
    const { t, domain, admin } = await tenantWithDomainAdmin();
    await queryAs(db, admin, 'select verify_workspace_domain($1, $2, $3)', [t.workspaceId, domain, MEMBER]);
    const stranger = await createUser(db, { email: `x@other-${uniqueSuffix()}.test` });
    const unconfirmed = await createUser(db, { email: `late@${domain}`, confirmed: false });
    for (const who of [stranger, unconfirmed]) {
      expect(await queryAs(db, who, 'select * from suggested_workspaces()')).toEqual([]);
      const real = await errorAs(db, who, 'select join_workspace_by_domain($1)', [t.workspaceId]);
      const none = await errorAs(db, who, 'select join_workspace_by_domain($1)', [randomUUID()]);
      expect([real?.code, real?.message, real?.detail]).toEqual(['PT404', 'workspace_not_found', undefined]);
      expect([none?.code, none?.message, none?.detail]).toEqual([real?.code, real?.message, real?.detail]);
    }
  });

  it('stops letting people in when the verifier could no longer give the join role', async () => {
    const { t, domain, admin } = await tenantWithDomainAdmin();
    await queryAs(db, admin, 'select verify_workspace_domain($1, $2, $3)', [t.workspaceId, domain, MEMBER]);
    await db.query(
      `update public.workspace_members set role = 'viewer' where workspace_id = $1 and user_id = $2`,
      [t.workspaceId, admin.id],
    );
    const colleague = await createUser(db, { email: `cy@${domain}` });
    expect(await queryAs(db, colleague, 'select can_join from suggested_workspaces()')).toEqual([
      { can_join: false },
    ]);
    expect(
      (await errorAs(db, colleague, 'select join_workspace_by_domain($1)', [t.workspaceId]))?.message,
    ).toBe('workspace_not_found');
  });

  it('removing the domain (domains.manage) ends both; audit rows record verify and remove', async () => {
    const { t, domain, admin } = await tenantWithDomainAdmin();
    const [row] = await queryAs<{ id: string }>(
      db,
      admin,
      'select * from verify_workspace_domain($1, $2, $3)',
      [t.workspaceId, domain, MEMBER],
    );
    expect(
      await queryAs(db, t.users.member, 'delete from public.workspace_domains where id = $1 returning id', [
        row?.id,
      ]),
    ).toEqual([]);
    await queryAs(db, t.users.admin, 'delete from public.workspace_domains where id = $1', [row?.id]);
    const colleague = await createUser(db, { email: `di@${domain}` });
    expect(await queryAs(db, colleague, 'select * from suggested_workspaces()')).toEqual([]);
    const { rows } = await db.query(
      `select actor_id, action from public.audit_log where target_table = 'workspace_domains' and target_id = $1 order by id`,
      [row?.id],
    );
    expect(rows).toEqual([
      { actor_id: admin.id, action: 'insert' },
      { actor_id: t.users.admin.id, action: 'delete' },
    ]);
  });

  it('joins count against the seats', async () => {
    const t = await createTenant(db, 'free'); // 4 of 5 seats
    const domain = `acme-${uniqueSuffix()}.test`;
    const admin = await createUser(db, { email: `it@${domain}` });
    await db.query(
      `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'admin')`,
      [t.workspaceId, admin.id],
    );
    await queryAs(db, admin, 'select verify_workspace_domain($1, $2, $3)', [t.workspaceId, domain, MEMBER]);
    const colleague = await createUser(db, { email: `full@${domain}` });
    expect(
      (await errorAs(db, colleague, 'select join_workspace_by_domain($1)', [t.workspaceId]))?.message,
    ).toBe('plan_limit_reached');
  });
});
