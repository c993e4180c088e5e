import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant, type Tenant } from './support/fixtures.ts';
import { connect, errorAs, queryAs } from './support/sql-identity.ts';

let db: pg.Client;

beforeAll(async () => {
  db = connect(inject('stack').dbUrl);
  await db.connect();
});

afterAll(async () => {
  await db.end();
});

async function addTask(t: Tenant, title: string, extra: { status?: string; description?: string } = {}) {
  const [row] = await queryAs<{ id: string; number: number; position: number }>(
    db,
    t.users.member,
    `insert into public.tasks (project_id, title, description, status)
     values ($1, $2, $3, coalesce($4, 'todo')::public.task_status) returning id, number, position`,
    [t.projectId, title, extra.description ?? '', extra.status ?? null],
  );
  return row as { id: string; number: number; position: number };
}

async function column(t: Tenant, status: string): Promise<string[]> {
  const rows = await queryAs<{ title: string }>(
    db,
    t.users.viewer,
    'select title from public.tasks where project_id = $1 and status = $2 order by position, created_at, id',
    [t.projectId, status],
  );
  return rows.map((r) => r.title);
}

describe('task numbers and keys', () => {
  it('numbers tasks per project in order and derives the key', async () => {
    const t = await createTenant(db); // ENG-1 exists
    const second = await addTask(t, 'Second');
    const third = await addTask(t, 'Third');
    expect([second.number, third.number]).toEqual([2, 3]);
    const [row] = await queryAs<{ key: string }>(
      db,
      t.users.viewer,
      'select public.key(t) from public.tasks t where id = $1',
      [third.id],
    );
    expect(row?.key).toBe('ENG-3');
  });

  it('clients cannot choose or change the number', async () => {
    const t = await createTenant(db);
    const insert = await errorAs(
      db,
      t.users.member,
      `insert into public.tasks (project_id, title, number) values ($1, 'x', 99)`,
      [t.projectId],
    );
    expect(insert?.code).toBe('42501');
    const update = await errorAs(db, t.users.member, 'update public.tasks set number = 99 where id = $1', [
      t.taskId,
    ]);
    expect(update?.code).toBe('42501');
  });

  it('concurrent inserts get distinct consecutive numbers', async () => {
    const t = await createTenant(db);
    const clients = Array.from({ length: 4 }, () => connect(inject('stack').dbUrl));
    await Promise.all(clients.map((c) => c.connect()));
    try {
      const numbers = await Promise.all(
        clients.map(async (client, i) => {
          const [row] = await queryAs<{ number: number }>(
            client,
            t.users.member,
            `insert into public.tasks (project_id, title) values ($1, $2) returning number`,
            [t.projectId, `parallel ${i}`],
          );
          return (row as { number: number }).number;
        }),
      );
      expect(numbers.sort()).toEqual([2, 3, 4, 5]);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it('refuses tasks in an archived project', async () => {
    const t = await createTenant(db);
    await queryAs(db, t.users.admin, 'update public.projects set archived = true where id = $1', [
      t.projectId,
    ]);
    const error = await errorAs(
      db,
      t.users.member,
      `insert into public.tasks (project_id, title) values ($1, 'x')`,
      [t.projectId],
    );
    expect(error?.message).toBe('project_archived');
  });

  it('answers project_not_found for an unknown project', async () => {
    const t = await createTenant(db);
    const error = await errorAs(
      db,
      t.users.member,
      `insert into public.tasks (project_id, title) values (gen_random_uuid(), 'x')`,
    );
    expect(error?.message).toBe('project_not_found');
  });
});

describe('move_task', () => {
  it('appends new tasks to the end of their column', async () => {
    const t = await createTenant(db);
    await addTask(t, 'B');
    await addTask(t, 'C');
    expect(await column(t, 'todo')).toEqual(['First task', 'B', 'C']);
  });

  it('moves a task between two neighbours of the same column', async () => {
    const t = await createTenant(db);
    const b = await addTask(t, 'B');
    const c = await addTask(t, 'C');
    await queryAs(db, t.users.member, 'select move_task($1, after_task_id => $2, before_task_id => $3)', [
      c.id,
      t.taskId,
      b.id,
    ]);
    expect(await column(t, 'todo')).toEqual(['First task', 'C', 'B']);
  });

  it('changes status and position in one call', async () => {
    const t = await createTenant(db);
    const d1 = await addTask(t, 'Done 1', { status: 'done' });
    await addTask(t, 'Done 2', { status: 'done' });
    const [moved] = await queryAs<{ status: string }>(
      db,
      t.users.member,
      `select status from move_task($1, 'done', before_task_id => $2)`,
      [t.taskId, d1.id],
    );
    expect(moved?.status).toBe('done');
    expect(await column(t, 'done')).toEqual(['First task', 'Done 1', 'Done 2']);
    expect(await column(t, 'todo')).toEqual([]);
  });

  it('with only after_task_id, lands right after it', async () => {
    const t = await createTenant(db);
    await addTask(t, 'B');
    const c = await addTask(t, 'C');
    await queryAs(db, t.users.member, 'select move_task($1, after_task_id => $2)', [c.id, t.taskId]);
    expect(await column(t, 'todo')).toEqual(['First task', 'C', 'B']);
  });

  it('keeps order correct after many moves into the same gap (renumbering)', async () => {
    const t = await createTenant(db);
    const b = await addTask(t, 'B');
    const titles = ['First task'];
    // Always insert right after "First task": 60 halvings exhaust a double's precision.
    for (let i = 0; i < 60; i++) {
      const task = await addTask(t, `n${i}`);
      await queryAs(db, t.users.member, 'select move_task($1, after_task_id => $2)', [task.id, t.taskId]);
      titles.splice(1, 0, `n${i}`);
    }
    expect(await column(t, 'todo')).toEqual([...titles, 'B']);
    expect(b).toBeTruthy();
  });

  it('rejects neighbours from another column with invalid_move', async () => {
    const t = await createTenant(db);
    const done = await addTask(t, 'Done', { status: 'done' });
    const error = await errorAs(db, t.users.member, `select move_task($1, 'todo', after_task_id => $2)`, [
      t.taskId,
      done.id,
    ]);
    expect(error?.message).toBe('invalid_move');
    expect(error?.code).toBe('22023');
  });

  it('rejects neighbours in the wrong order', async () => {
    const t = await createTenant(db);
    const b = await addTask(t, 'B');
    const c = await addTask(t, 'C');
    const error = await errorAs(
      db,
      t.users.member,
      'select move_task($1, after_task_id => $2, before_task_id => $3)',
      [t.taskId, c.id, b.id],
    );
    expect(error?.message).toBe('invalid_move');
  });

  it('answers task_not_found to outsiders', async () => {
    const t = await createTenant(db);
    const error = await errorAs(db, t.users.outsider, `select move_task($1, 'done')`, [t.taskId]);
    expect(error?.message).toBe('task_not_found');
  });
});

describe('search_tasks', () => {
  it('ranks title matches above description matches', async () => {
    const t = await createTenant(db);
    await addTask(t, 'Unrelated', { description: 'mentions the billing export in passing' });
    await addTask(t, 'Billing export is slow', { description: 'customers wait minutes' });
    await addTask(t, 'Nothing to see');
    const rows = await queryAs<{ title: string }>(
      db,
      t.users.viewer,
      'select title from search_tasks($1, $2)',
      [t.workspaceId, 'billing export'],
    );
    expect(rows.map((r) => r.title)).toEqual(['Billing export is slow', 'Unrelated']);
  });

  it('understands web-search syntax and stems words', async () => {
    const t = await createTenant(db);
    await addTask(t, 'Exporting invoices');
    await addTask(t, 'Exporting receipts');
    const rows = await queryAs<{ title: string }>(
      db,
      t.users.viewer,
      'select title from search_tasks($1, $2)',
      [t.workspaceId, 'export -receipts'],
    );
    expect(rows.map((r) => r.title)).toEqual(['Exporting invoices']);
  });

  it('searches only the given workspace', async () => {
    const t = await createTenant(db);
    const other = await createTenant(db);
    const rows = await queryAs(db, t.users.owner, 'select id from search_tasks($1, $2)', [
      other.workspaceId,
      'first',
    ]);
    expect(rows).toHaveLength(0);
  });
});

describe('profiles', () => {
  it('are created on sign-up with the display name from metadata or the email', async () => {
    const { rows } = await db.query(
      `with u as (
         insert into auth.users (id, email, raw_user_meta_data, email_confirmed_at)
         values (gen_random_uuid(), 'named-' || gen_random_uuid() || '@example.test', '{"name":"Named Person"}', now()),
                (gen_random_uuid(), 'jane.doe-' || substr(gen_random_uuid()::text, 1, 8) || '@example.test', '{}', now())
         returning id, email)
       select u.email from u`,
    );
    const { rows: profiles } = await db.query(
      `select p.display_name from public.profiles p join auth.users u on u.id = p.id where u.email = any($1) order by u.email desc`,
      [rows.map((r) => r.email)],
    );
    expect(profiles.map((p) => p.display_name)).toEqual(['Named Person', rows[1].email.split('@')[0]]);
  });

  it('a user edits only their own profile', async () => {
    const t = await createTenant(db);
    const own = await queryAs(
      db,
      t.users.member,
      `update public.profiles set display_name = 'Me' where id = $1 returning 1`,
      [t.users.member.id],
    );
    expect(own).toHaveLength(1);
    const other = await queryAs(
      db,
      t.users.member,
      `update public.profiles set display_name = 'You' where id = $1 returning 1`,
      [t.users.owner.id],
    );
    expect(other).toHaveLength(0);
  });

  it("an avatar path must sit in the user's own folder", async () => {
    const t = await createTenant(db);
    const error = await errorAs(
      db,
      t.users.member,
      'update public.profiles set avatar_path = $2 where id = $1',
      [t.users.member.id, `${t.users.owner.id}/avatar.png`],
    );
    expect(error?.code).toBe('23514');
  });
});
