import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect } from './support/sql-identity.ts';

// The dev seed (supabase/seed.sql) loaded into the shared stack. Each check runs in a
// transaction that is rolled back, so the seed stays as `npm run dev` shows it.

let db: pg.Client;

beforeAll(async () => {
  db = connect(inject('stack').dbUrl);
  await db.connect();
});

afterAll(async () => {
  await db.end();
});

async function asSeedUser<T>(email: string, work: () => Promise<T>): Promise<T> {
  const { rows } = await db.query('select id from auth.users where email = $1', [email]);
  await db.query('begin');
  try {
    await db.query('set local role authenticated');
    await db.query(`select set_config('request.jwt.claims', $1, true)`, [
      JSON.stringify({ sub: rows[0].id, email, role: 'authenticated' }),
    ]);
    return await work();
  } finally {
    await db.query('rollback');
  }
}

describe('seed data', () => {
  it('alice (acme owner) sees acme with its two projects and keyed tasks, not globex', async () => {
    const result = await asSeedUser('alice@example.com', async () => {
      const workspaces = await db.query('select slug, plan from public.workspaces order by slug');
      const keys = await db.query('select public.key(t) as key from public.tasks t order by 1');
      return { workspaces: workspaces.rows, keys: keys.rows.map((r) => r.key) };
    });
    expect(result.workspaces).toEqual([{ slug: 'acme', plan: 'pro' }]);
    expect(result.keys).toEqual(['DES-1', 'DES-2', 'ENG-1', 'ENG-2', 'ENG-3', 'ENG-4', 'ENG-5']);
  });

  it('carol belongs to both workspaces', async () => {
    const slugs = await asSeedUser('carol@example.com', async () =>
      (await db.query('select slug from public.workspaces order by slug')).rows.map((r) => r.slug),
    );
    expect(slugs).toEqual(['acme', 'globex']);
  });

  it('every role is represented in both workspaces', async () => {
    const { rows } = await db.query(
      `select w.slug, array_agg(distinct m.role::text order by m.role::text) as roles
       from public.workspace_members m join public.workspaces w on w.id = m.workspace_id
       where w.slug in ('acme', 'globex') group by w.slug order by w.slug`,
    );
    expect(rows).toEqual([
      { slug: 'acme', roles: ['admin', 'member', 'owner', 'viewer'] },
      { slug: 'globex', roles: ['admin', 'member', 'owner', 'viewer'] },
    ]);
  });

  it('acme members see its custom Triage role next to the built-in ones; globex members do not', async () => {
    const names = (email: string) =>
      asSeedUser(email, async () =>
        (await db.query('select name from public.roles order by name')).rows.map((r) => r.name),
      );
    expect(await names('dave@example.com')).toEqual(['Admin', 'Member', 'Owner', 'Triage', 'Viewer']);
    expect(await names('heidi@example.com')).toEqual(['Admin', 'Member', 'Owner', 'Viewer']);
    const { rows } = await db.query(`select permissions from public.roles where name = 'Triage'`);
    // Writing tasks and comments brought reading them.
    expect(rows[0].permissions).toContain('tasks.read');
    expect(rows[0].permissions).toContain('comments.read');
  });

  it("ivan's seeded invitation token lets him join acme", async () => {
    const slug = await asSeedUser('ivan@example.com', async () => {
      const { rows } = await db.query('select slug from public.accept_invitation($1)', [
        'seed-invitation-token-ivan-acme',
      ]);
      return rows[0].slug;
    });
    expect(slug).toBe('acme');
  });

  it('seeded users sign in with password123', async () => {
    const { rows } = await db.query(
      `select count(*)::int as ok from auth.users
       where email like '%@example.com' and encrypted_password = extensions.crypt('password123', encrypted_password)`,
    );
    expect(rows[0].ok).toBe(9);
  });
});
