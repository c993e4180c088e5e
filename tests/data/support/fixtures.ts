import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { type Identity, queryAs } from './sql-identity.ts';

export type Persona = 'owner' | 'admin' | 'member' | 'viewer' | 'outsider';
export const personas: Persona[] = ['owner', 'admin', 'member', 'viewer', 'outsider'];

export interface TestUser {
  kind: 'user';
  id: string;
  email: string;
}

/** A unique, short suffix so every test builds its own tenants in the shared database. */
export function uniqueSuffix(): string {
  return randomBytes(5).toString('hex');
}

/** Inserts a confirmed auth user directly (the profile comes from the auth.users trigger). */
export async function createUser(
  admin: pg.ClientBase,
  options: { email?: string; metadata?: Record<string, unknown>; confirmed?: boolean } = {},
): Promise<TestUser> {
  const id = randomUUID();
  const email = options.email ?? `user-${uniqueSuffix()}@example.test`;
  await admin.query(
    `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
       raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
     values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2,
       extensions.crypt('password123', extensions.gen_salt('bf', 4)), $3,
       '{"provider":"email","providers":["email"]}', $4, now(), now())`,
    [id, email, options.confirmed === false ? null : new Date(), JSON.stringify(options.metadata ?? {})],
  );
  return { kind: 'user', id, email };
}

export interface Tenant {
  workspaceId: string;
  slug: string;
  users: Record<Persona, TestUser>;
  projectId: string;
  taskId: string;
  labelId: string;
  /** A comment written by `member`. */
  commentId: string;
}

/**
 * A workspace with one user per role plus an outsider, a project, a task (assigned to
 * the member), a label on it and a comment — all created through the real API paths
 * (create_workspace, RLS-checked inserts) except memberships, which the service role adds.
 */
export async function createTenant(
  admin: pg.ClientBase,
  plan: 'free' | 'pro' = 'pro',
  /** Reuse these people (e.g. to sign each in once); by default five new users. */
  existingUsers?: Record<Persona, TestUser>,
): Promise<Tenant> {
  const suffix = uniqueSuffix();
  const users = existingUsers ? { ...existingUsers } : ({} as Record<Persona, TestUser>);
  if (!existingUsers) {
    for (const persona of personas) {
      users[persona] = await createUser(admin, { email: `${persona}-${suffix}@example.test` });
    }
  }
  const slug = `ws-${suffix}`;
  const [workspace] = await queryAs<{ id: string }>(
    admin,
    users.owner,
    'select id from create_workspace($1, $2)',
    [`Workspace ${suffix}`, slug],
  );
  const workspaceId = (workspace as { id: string }).id;
  await admin.query('update public.workspaces set plan = $2 where id = $1', [workspaceId, plan]);
  for (const role of ['admin', 'member', 'viewer'] as const) {
    await admin.query(
      'insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, $3)',
      [workspaceId, users[role].id, role],
    );
  }
  const [project] = await queryAs<{ id: string }>(
    admin,
    users.admin,
    `insert into public.projects (workspace_id, name, key) values ($1, 'Engineering', 'ENG') returning id`,
    [workspaceId],
  );
  const projectId = (project as { id: string }).id;
  const [task] = await queryAs<{ id: string }>(
    admin,
    users.member,
    `insert into public.tasks (project_id, title, assignee_id) values ($1, 'First task', $2) returning id`,
    [projectId, users.member.id],
  );
  const taskId = (task as { id: string }).id;
  const [label] = await queryAs<{ id: string }>(
    admin,
    users.member,
    `insert into public.labels (workspace_id, name) values ($1, 'bug') returning id`,
    [workspaceId],
  );
  const labelId = (label as { id: string }).id;
  await queryAs(admin, users.member, 'insert into public.task_labels (task_id, label_id) values ($1, $2)', [
    taskId,
    labelId,
  ]);
  const [comment] = await queryAs<{ id: string }>(
    admin,
    users.member,
    `insert into public.comments (task_id, body) values ($1, 'Looks good') returning id`,
    [taskId],
  );
  return { workspaceId, slug, users, projectId, taskId, labelId, commentId: (comment as { id: string }).id };
}

/** A fresh invitation token and the hash the database stores for it. */
export function newInvitationToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: createHash('sha256').update(token).digest('hex') };
}

export async function invite(
  admin: pg.ClientBase,
  as: Identity,
  workspaceId: string,
  email: string,
  role: 'admin' | 'member' | 'viewer' = 'member',
): Promise<{ token: string; id: string }> {
  const { token, tokenHash } = newInvitationToken();
  const [row] = await queryAs<{ id: string }>(
    admin,
    as,
    'insert into public.invitations (workspace_id, email, role, token_hash) values ($1, $2, $3, $4) returning id',
    [workspaceId, email, role, tokenHash],
  );
  return { token, id: (row as { id: string }).id };
}
