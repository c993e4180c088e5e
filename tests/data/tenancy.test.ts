import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant, createUser, type Tenant } from './support/fixtures.ts';
import { anon, connect, errorAs, queryAs, serviceRole } from './support/sql-identity.ts';

// Rules of tenancy, checked in SQL with PostgREST's identity switch. The REST-level
// matrix over every persona lives in access-matrix.test.ts.

let db: pg.Client;
let acme: Tenant;
let globex: Tenant;

beforeAll(async () => {
  db = connect(inject('stack').dbUrl);
  await db.connect();
  acme = await createTenant(db);
  globex = await createTenant(db);
});

afterAll(async () => {
  await db.end();
});

const tables = [
  'workspaces',
  'workspace_members',
  'projects',
  'tasks',
  'labels',
  'task_labels',
  'comments',
  'activity',
];

describe('non-members see nothing of a workspace', () => {
  it.each(tables)('an outsider reads no %s rows of the workspace', async (table) => {
    const column = table === 'workspaces' ? 'id' : 'workspace_id';
    const rows = await queryAs(
      db,
      acme.users.outsider,
      `select 1 from public.${table} where ${column} = $1`,
      [acme.workspaceId],
    );
    expect(rows).toHaveLength(0);
  });

  it.each(tables)('a member of another workspace reads no %s rows of this one', async (table) => {
    const column = table === 'workspaces' ? 'id' : 'workspace_id';
    const rows = await queryAs(db, globex.users.owner, `select 1 from public.${table} where ${column} = $1`, [
      acme.workspaceId,
    ]);
    expect(rows).toHaveLength(0);
  });

  it('an outsider cannot read profiles of workspace members', async () => {
    const rows = await queryAs(db, acme.users.outsider, 'select id from public.profiles where id = $1', [
      acme.users.member.id,
    ]);
    expect(rows).toHaveLength(0);
  });

  it('workspace_usage answers workspace_not_found to outsiders, as if it did not exist', async () => {
    const error = await errorAs(db, acme.users.outsider, 'select * from workspace_usage($1)', [
      acme.workspaceId,
    ]);
    expect(error?.message).toBe('workspace_not_found');
    expect(error?.code).toBe('PT404');
  });

  it('search_tasks finds nothing for outsiders', async () => {
    const rows = await queryAs(db, acme.users.outsider, 'select id from search_tasks($1, $2)', [
      acme.workspaceId,
      'first',
    ]);
    expect(rows).toHaveLength(0);
  });

  it('anon has no privileges on any table', async () => {
    for (const table of [...tables, 'profiles', 'invitations', 'plans']) {
      const error = await errorAs(db, anon, `select 1 from public.${table} limit 1`);
      expect(error?.code, table).toBe('42501');
    }
  });
});

describe('members read everything of their workspace', () => {
  it.each(['viewer', 'member', 'admin', 'owner'] as const)(
    'a %s reads tasks, comments and activity',
    async (p) => {
      const [row] = await queryAs<{ tasks: number; comments: number; activity: number }>(
        db,
        acme.users[p],
        `select (select count(*)::int from public.tasks where workspace_id = $1) as tasks,
              (select count(*)::int from public.comments where workspace_id = $1) as comments,
              (select count(*)::int from public.activity where workspace_id = $1) as activity`,
        [acme.workspaceId],
      );
      expect(row?.tasks).toBe(1);
      expect(row?.comments).toBe(1);
      expect(row?.activity).toBeGreaterThan(0);
    },
  );

  it('members read the profiles of their co-members', async () => {
    const rows = await queryAs(db, acme.users.viewer, 'select id from public.profiles where id = any($1)', [
      [acme.users.owner.id, acme.users.member.id, globex.users.owner.id],
    ]);
    expect(rows).toHaveLength(2);
  });
});

describe('viewers read but do not write', () => {
  it('a viewer cannot create a task', async () => {
    const error = await errorAs(
      db,
      acme.users.viewer,
      `insert into public.tasks (project_id, title) values ($1, 'x')`,
      [acme.projectId],
    );
    expect(error?.code).toBe('42501');
  });

  it('a viewer cannot comment', async () => {
    const error = await errorAs(
      db,
      acme.users.viewer,
      `insert into public.comments (task_id, body) values ($1, 'x')`,
      [acme.taskId],
    );
    expect(error?.code).toBe('42501');
  });

  it('a viewer updates no task', async () => {
    const rows = await queryAs(
      db,
      acme.users.viewer,
      `update public.tasks set title = 'hijacked' where id = $1 returning id`,
      [acme.taskId],
    );
    expect(rows).toHaveLength(0);
  });

  it('a viewer cannot move a task', async () => {
    const error = await errorAs(db, acme.users.viewer, `select id from move_task($1, 'done')`, [acme.taskId]);
    expect(error?.message).toBe('forbidden');
  });
});

describe('members write tasks, labels and comments, and only their own comments', () => {
  it('a member creates, edits and deletes a task (into the trash)', async () => {
    const [created] = await queryAs<{ id: string }>(
      db,
      acme.users.member,
      `insert into public.tasks (project_id, title) values ($1, 'Scratch') returning id`,
      [acme.projectId],
    );
    const updated = await queryAs(
      db,
      acme.users.member,
      `update public.tasks set title = 'Renamed' where id = $1 returning id`,
      [created?.id],
    );
    expect(updated).toHaveLength(1);
    // The delete moves the row to the trash rather than removing it, so it returns no row.
    const deleted = await queryAs(
      db,
      acme.users.member,
      'delete from public.tasks where id = $1 returning id',
      [created?.id],
    );
    expect(deleted).toHaveLength(0);
    const { rows } = await db.query('select deleted_by from public.tasks where id = $1', [created?.id]);
    expect(rows).toEqual([{ deleted_by: acme.users.member.id }]);
  });

  it('a member creates labels', async () => {
    const rows = await queryAs(
      db,
      acme.users.member,
      `insert into public.labels (workspace_id, name) values ($1, 'perf') returning id`,
      [acme.workspaceId],
    );
    expect(rows).toHaveLength(1);
  });

  it("a member cannot edit or delete someone else's comment", async () => {
    const [theirs] = await queryAs<{ id: string }>(
      db,
      acme.users.admin,
      `insert into public.comments (task_id, body) values ($1, 'admin says hi') returning id`,
      [acme.taskId],
    );
    const edited = await queryAs(
      db,
      acme.users.member,
      `update public.comments set body = 'x' where id = $1 returning id`,
      [theirs?.id],
    );
    expect(edited).toHaveLength(0);
    const deleted = await queryAs(
      db,
      acme.users.member,
      'delete from public.comments where id = $1 returning id',
      [theirs?.id],
    );
    expect(deleted).toHaveLength(0);
  });

  it('a member edits their own comment and edited_at is set', async () => {
    const [row] = await queryAs<{ edited_at: Date | null }>(
      db,
      acme.users.member,
      `update public.comments set body = 'Looks great' where id = $1 returning edited_at`,
      [acme.commentId],
    );
    expect(row?.edited_at).toBeInstanceOf(Date);
  });

  it("a comment cannot be written in someone else's name", async () => {
    const error = await errorAs(
      db,
      acme.users.member,
      `insert into public.comments (task_id, body, author_id) values ($1, 'spoof', $2)`,
      [acme.taskId, acme.users.owner.id],
    );
    expect(error?.code).toBe('42501');
  });

  it("an admin deletes anyone's comment (into the trash)", async () => {
    const [mine] = await queryAs<{ id: string }>(
      db,
      acme.users.member,
      `insert into public.comments (task_id, body) values ($1, 'delete me') returning id`,
      [acme.taskId],
    );
    const deleted = await queryAs(
      db,
      acme.users.admin,
      'delete from public.comments where id = $1 returning id',
      [mine?.id],
    );
    expect(deleted).toHaveLength(0);
    const { rows } = await db.query('select deleted_by from public.comments where id = $1', [mine?.id]);
    expect(rows).toEqual([{ deleted_by: acme.users.admin.id }]);
  });

  it('members cannot manage projects, invitations or roles', async () => {
    const project = await errorAs(
      db,
      acme.users.member,
      `insert into public.projects (workspace_id, name, key) values ($1, 'X', 'XX')`,
      [acme.workspaceId],
    );
    expect(project?.code).toBe('42501');
    const roles = await queryAs(
      db,
      acme.users.member,
      `update public.workspace_members set role = 'admin' where user_id = $1 returning 1`,
      [acme.users.member.id],
    );
    expect(roles).toHaveLength(0);
  });
});

describe('admins manage projects and members but not owners', () => {
  it('an admin changes a member to viewer and back', async () => {
    const down = await queryAs(
      db,
      acme.users.admin,
      `update public.workspace_members set role = 'viewer' where workspace_id = $1 and user_id = $2 returning 1`,
      [acme.workspaceId, acme.users.member.id],
    );
    expect(down).toHaveLength(1);
    await queryAs(
      db,
      acme.users.admin,
      `update public.workspace_members set role = 'member' where workspace_id = $1 and user_id = $2`,
      [acme.workspaceId, acme.users.member.id],
    );
  });

  it('an admin cannot demote or remove an owner', async () => {
    const demoted = await queryAs(
      db,
      acme.users.admin,
      `update public.workspace_members set role = 'admin' where workspace_id = $1 and user_id = $2 returning 1`,
      [acme.workspaceId, acme.users.owner.id],
    );
    expect(demoted).toHaveLength(0);
    const removed = await queryAs(
      db,
      acme.users.admin,
      'delete from public.workspace_members where workspace_id = $1 and user_id = $2 returning 1',
      [acme.workspaceId, acme.users.owner.id],
    );
    expect(removed).toHaveLength(0);
  });

  it('an admin cannot make anyone an owner', async () => {
    const error = await errorAs(
      db,
      acme.users.admin,
      `update public.workspace_members set role = 'owner' where workspace_id = $1 and user_id = $2`,
      [acme.workspaceId, acme.users.member.id],
    );
    expect(error?.code).toBe('42501');
  });

  it('an admin cannot change the plan or delete the workspace', async () => {
    const plan = await errorAs(
      db,
      acme.users.admin,
      `update public.workspaces set plan = 'pro' where id = $1`,
      [acme.workspaceId],
    );
    expect(plan?.code).toBe('42501');
    const deleted = await queryAs(
      db,
      acme.users.admin,
      'delete from public.workspaces where id = $1 returning 1',
      [acme.workspaceId],
    );
    expect(deleted).toHaveLength(0);
  });

  it('an owner deletes their workspace and everything in it goes', async () => {
    const doomed = await createTenant(db);
    const deleted = await queryAs(
      db,
      doomed.users.owner,
      'delete from public.workspaces where id = $1 returning 1',
      [doomed.workspaceId],
    );
    expect(deleted).toHaveLength(1);
    const { rows } = await db.query(
      `select (select count(*)::int from public.tasks where workspace_id = $1)
            + (select count(*)::int from public.activity where workspace_id = $1)
            + (select count(*)::int from public.workspace_members where workspace_id = $1) as left_over`,
      [doomed.workspaceId],
    );
    expect(rows[0].left_over).toBe(0);
  });
});

describe('no cross-tenant references through any column', () => {
  it('a task cannot be created in a project of another workspace', async () => {
    // carol-like user: member of both workspaces, so RLS alone would let her write to each.
    const both = await createUser(db);
    for (const t of [acme, globex]) {
      await db.query(
        `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'member')`,
        [t.workspaceId, both.id],
      );
    }
    // Claiming acme's workspace while pointing at globex's project.
    const error = await errorAs(
      db,
      both,
      `insert into public.tasks (workspace_id, project_id, title) values ($1, $2, 't')`,
      [acme.workspaceId, globex.projectId],
    );
    expect(error?.message).toBe('project_not_found');
  });

  it("the composite keys hold even for the service role: a comment's workspace must be its task's", async () => {
    const error = await errorAs(
      db,
      serviceRole,
      `insert into public.comments (workspace_id, task_id, body) values ($1, $2, 'x')`,
      [globex.workspaceId, acme.taskId],
    );
    expect(error?.code).toBe('23503');
  });

  it('an outsider cannot create a task in a foreign project: to them it does not exist', async () => {
    const error = await errorAs(
      db,
      acme.users.outsider,
      `insert into public.tasks (project_id, title) values ($1, 't')`,
      [acme.projectId],
    );
    expect({ code: error?.code, message: error?.message }).toEqual({
      code: 'PT404',
      message: 'project_not_found',
    });
  });

  it('a task cannot be assigned to a non-member', async () => {
    const error = await errorAs(
      db,
      acme.users.member,
      'update public.tasks set assignee_id = $2 where id = $1',
      [acme.taskId, globex.users.member.id],
    );
    expect(error?.code).toBe('23503');
  });

  it('even the service role cannot assign across workspaces', async () => {
    const error = await errorAs(db, serviceRole, 'update public.tasks set assignee_id = $2 where id = $1', [
      acme.taskId,
      globex.users.owner.id,
    ]);
    expect(error?.code).toBe('23503');
  });

  it('a label of another workspace cannot be put on a task', async () => {
    const error = await errorAs(
      db,
      serviceRole,
      'insert into public.task_labels (task_id, label_id) values ($1, $2)',
      [acme.taskId, globex.labelId],
    );
    expect(error?.code).toBe('23503');
  });

  it("a comment's workspace follows its task, which a member of another workspace cannot see", async () => {
    const error = await errorAs(
      db,
      globex.users.member,
      `insert into public.comments (task_id, body) values ($1, 'x')`,
      [acme.taskId],
    );
    expect({ code: error?.code, message: error?.message }).toEqual({
      code: 'PT404',
      message: 'task_not_found',
    });
  });

  it('a task cannot be moved to another project or workspace by update', async () => {
    const error = await errorAs(
      db,
      acme.users.member,
      'update public.tasks set project_id = $2 where id = $1',
      [acme.taskId, globex.projectId],
    );
    expect(error?.code).toBe('42501');
  });

  it('a member who leaves is unassigned from their tasks', async () => {
    const t = await createTenant(db);
    await queryAs(db, t.users.member, 'select leave_workspace($1)', [t.workspaceId]);
    const { rows } = await db.query('select assignee_id from public.tasks where id = $1', [t.taskId]);
    expect(rows[0].assignee_id).toBeNull();
  });
});

describe('activity is append-only', () => {
  it('a member cannot write to the activity log', async () => {
    const error = await errorAs(
      db,
      acme.users.owner,
      `insert into public.activity (workspace_id, entity_type, entity_id, action) values ($1, 'task', $1, 'forged')`,
      [acme.workspaceId],
    );
    expect(error?.code).toBe('42501');
  });

  it('not even the service role can change or delete activity', async () => {
    expect((await errorAs(db, serviceRole, `update public.activity set action = 'x'`))?.code).toBe('42501');
    expect((await errorAs(db, serviceRole, 'delete from public.activity'))?.code).toBe('42501');
  });

  it('triggers record who did what', async () => {
    await queryAs(db, acme.users.member, `update public.tasks set status = 'in_progress' where id = $1`, [
      acme.taskId,
    ]);
    const rows = await queryAs<{ actor_id: string; payload: { from: string; to: string } }>(
      db,
      acme.users.viewer,
      `select actor_id, payload from public.activity where entity_id = $1 and action = 'status_changed' order by id desc limit 1`,
      [acme.taskId],
    );
    expect(rows[0]).toEqual({ actor_id: acme.users.member.id, payload: { from: 'todo', to: 'in_progress' } });
  });
});
