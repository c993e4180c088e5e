import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant, invite, newInvitationToken, uniqueSuffix } from './support/fixtures.ts';
import { anonClient, userClient } from './support/rest-personas.ts';
import { connect } from './support/sql-identity.ts';

// The error contract of docs/data-model.md as clients see it: HTTP status, PostgREST
// `code` and the stable `message` the SDK maps.

const stack = inject('stack');
let db: pg.Client;

beforeAll(async () => {
  db = connect(stack.dbUrl);
  await db.connect();
});

afterAll(async () => {
  await db.end();
});

describe('errors through the REST API', () => {
  it('last_owner answers 409 PT409', async () => {
    const t = await createTenant(db);
    const client = await userClient(stack, t.users.owner);
    const { error, status } = await client.rpc('leave_workspace', { workspace_id: t.workspaceId });
    expect({ status, code: error?.code, message: error?.message }).toEqual({
      status: 409,
      code: 'PT409',
      message: 'last_owner',
    });
  });

  it('plan_limit_reached answers 402 with the limit in details', async () => {
    const t = await createTenant(db, 'free');
    await invite(db, t.users.admin, t.workspaceId, `fifth-${uniqueSuffix()}@example.test`);
    const client = await userClient(stack, t.users.admin);
    const { error, status } = await client.from('invitations').insert({
      workspace_id: t.workspaceId,
      email: `sixth-${uniqueSuffix()}@example.test`,
      role: 'member',
      token_hash: newInvitationToken().tokenHash,
    });
    expect({ status, code: error?.code, message: error?.message }).toEqual({
      status: 402,
      code: 'PT402',
      message: 'plan_limit_reached',
    });
    expect(JSON.parse(error?.details ?? '{}')).toEqual({ limit: 'members', max: 5, current: 5 });
  });

  it('workspace_not_found answers 404 for a workspace the caller cannot see', async () => {
    const t = await createTenant(db);
    const client = await userClient(stack, t.users.outsider);
    const { error, status } = await client.rpc('workspace_usage', { workspace_id: t.workspaceId });
    expect({ status, message: error?.message }).toEqual({ status: 404, message: 'workspace_not_found' });
  });

  it('invitation_expired answers 410', async () => {
    const t = await createTenant(db);
    const { token, id } = await invite(db, t.users.admin, t.workspaceId, t.users.outsider.email);
    await db.query(
      `update public.invitations set created_at = now() - interval '8 days', expires_at = now() - interval '1 day' where id = $1`,
      [id],
    );
    const client = await userClient(stack, t.users.outsider);
    const { error, status } = await client.rpc('accept_invitation', { token });
    expect({ status, message: error?.message }).toEqual({ status: 410, message: 'invitation_expired' });
  });

  it('forbidden answers 403', async () => {
    const t = await createTenant(db);
    const client = await userClient(stack, t.users.viewer);
    const { error, status } = await client.rpc('move_task', { task_id: t.taskId, status: 'done' });
    expect({ status, code: error?.code, message: error?.message }).toEqual({
      status: 403,
      code: '42501',
      message: 'forbidden',
    });
  });

  it('invalid_move answers 400', async () => {
    const t = await createTenant(db);
    const client = await userClient(stack, t.users.member);
    const { error, status } = await client.rpc('move_task', { task_id: t.taskId, after_task_id: t.taskId });
    expect({ status, message: error?.message }).toEqual({ status: 400, message: 'invalid_move' });
  });

  it('slug_taken answers 409', async () => {
    const t = await createTenant(db);
    const client = await userClient(stack, t.users.outsider);
    const { error, status } = await client.rpc('create_workspace', { name: 'Copy', slug: t.slug });
    expect({ status, message: error?.message }).toEqual({ status: 409, message: 'slug_taken' });
  });

  it('a malformed uuid argument is a 400, not a 500', async () => {
    const t = await createTenant(db);
    const client = await userClient(stack, t.users.member);
    const { status } = await client.rpc('move_task', { task_id: 'not-a-uuid' });
    expect(status).toBe(400);
  });

  it('an invalid slug is a 400 check violation', async () => {
    const t = await createTenant(db);
    const client = await userClient(stack, t.users.outsider);
    const { error, status } = await client.rpc('create_workspace', { name: 'X', slug: '--' });
    expect({ status, code: error?.code }).toEqual({ status: 400, code: '23514' });
  });

  it('anon calling an RPC gets 401', async () => {
    const { status, error } = await anonClient(stack).rpc('create_workspace', { name: 'X', slug: 'anon-ws' });
    expect({ status, code: error?.code }).toEqual({ status: 401, code: '42501' });
  });

  it('assigning a non-member is a 409 foreign key violation', async () => {
    const t = await createTenant(db);
    const client = await userClient(stack, t.users.member);
    const { error, status } = await client
      .from('tasks')
      .update({ assignee_id: t.users.outsider.id })
      .eq('id', t.taskId);
    expect({ status, code: error?.code }).toEqual({ status: 409, code: '23503' });
  });
});

describe('embedding related rows', () => {
  it('tasks embed their assignee profile and labels; members embed profiles; comments their author', async () => {
    const t = await createTenant(db);
    const client = await userClient(stack, t.users.viewer);
    const { data: tasks, error } = await client
      .from('tasks')
      .select('number, key, assignee:profiles(id), labels(name)')
      .eq('id', t.taskId)
      .single();
    expect(error).toBeNull();
    expect(tasks).toEqual({
      number: 1,
      key: 'ENG-1',
      assignee: { id: t.users.member.id },
      labels: [{ name: 'bug' }],
    });
    const { data: members } = await client
      .from('workspace_members')
      .select('role, profiles(id)')
      .eq('role', 'owner');
    expect(members).toEqual([{ role: 'owner', profiles: { id: t.users.owner.id } }]);
    const { data: comment } = await client
      .from('comments')
      .select('author:profiles(id)')
      .eq('id', t.commentId)
      .single();
    expect(comment).toEqual({ author: { id: t.users.member.id } });
  });
});
