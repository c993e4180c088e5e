import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { SupabaseClient } from '@supabase/supabase-js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createTenant,
  createUser,
  invite,
  newInvitationToken,
  type Tenant,
  uniqueSuffix,
} from './support/fixtures.ts';
import { serviceRoleClient, userClient } from './support/rest-personas.ts';
import { connect } from './support/sql-identity.ts';

// A non-member learns nothing about a workspace, not even that it exists. Every probe below is
// asked about a real workspace (a free one at its seat and project limits, with an archived
// project, an open invitation and a stored file) and about ids that exist nowhere; a non-member
// must get the same answer to both, up to the ids themselves. Then each oracle found before
// the permission-first triggers has a test of its own.

const stack = inject('stack');
let db: pg.Client;
let target: Tenant;
let neighbour: Tenant;
let real: Targets;

/** What a probe may name. Each value is replaced by its key before two answers are compared. */
interface Targets {
  workspaceId: string;
  projectId: string;
  archivedProjectId: string;
  taskId: string;
  labelId: string;
  labelName: string;
  commentId: string;
  invitationId: string;
  inviteLinkId: string;
  roleId: string;
  memberId: string;
  memberEmail: string;
  pendingEmail: string;
  objectPath: string;
}

function randomTargets(): Targets {
  const workspaceId = randomUUID();
  const taskId = randomUUID();
  return {
    workspaceId,
    projectId: randomUUID(),
    archivedProjectId: randomUUID(),
    taskId,
    labelId: randomUUID(),
    labelName: `label-${uniqueSuffix()}`,
    commentId: randomUUID(),
    invitationId: randomUUID(),
    inviteLinkId: randomUUID(),
    roleId: randomUUID(),
    memberId: randomUUID(),
    memberEmail: `nobody-${uniqueSuffix()}@example.test`,
    pendingEmail: `nobody-${uniqueSuffix()}@example.test`,
    objectPath: `${workspaceId}/${taskId}/${uniqueSuffix()}.txt`,
  };
}

interface Answer {
  status: number;
  body: unknown;
}

interface Response {
  status: number;
  data?: unknown;
  error?: unknown;
}

const answer = ({ status, data, error }: Response): Answer => ({ status, body: { data, error } });

/** The answer with every target value replaced by its name, and fresh names (emails, keys) by a mark. */
function normalised(value: Answer, targets: Targets): string {
  let text = JSON.stringify(value);
  for (const [key, id] of Object.entries(targets).sort((a, b) => b[1].length - a[1].length)) {
    text = text.split(id).join(`<${key}>`);
  }
  return text;
}

type Probe = [name: string, run: (client: SupabaseClient, t: Targets) => Promise<Answer>];

const selectProbes: Probe[] = (
  [
    ['workspaces', 'id', 'workspaceId'],
    ['workspace_members', 'workspace_id', 'workspaceId'],
    ['roles', 'workspace_id', 'workspaceId'],
    ['invitations', 'workspace_id', 'workspaceId'],
    ['invite_links', 'workspace_id', 'workspaceId'],
    ['workspace_domains', 'workspace_id', 'workspaceId'],
    ['projects', 'id', 'projectId'],
    ['tasks', 'id', 'taskId'],
    ['labels', 'id', 'labelId'],
    ['task_labels', 'task_id', 'taskId'],
    ['comments', 'id', 'commentId'],
    ['activity', 'workspace_id', 'workspaceId'],
    ['attachments', 'workspace_id', 'workspaceId'],
    ['notifications', 'workspace_id', 'workspaceId'],
    ['audit_log', 'workspace_id', 'workspaceId'],
  ] as const
).map(
  ([table, column, key]): Probe => [
    `select ${table}`,
    async (client, t) => answer(await client.from(table).select('*').eq(column, t[key])),
  ],
);

const updateProbes: Probe[] = (
  [
    ['workspaces', { name: 'Taken over' }, 'id', 'workspaceId'],
    ['workspaces', { require_mfa: true }, 'id', 'workspaceId'],
    ['workspace_members', { role: 'viewer' }, 'user_id', 'memberId'],
    ['roles', { description: 'mine' }, 'id', 'roleId'],
    ['invitations', { revoked_at: '2030-01-01T00:00:00Z' }, 'id', 'invitationId'],
    ['invitations', { role: 'admin' }, 'id', 'invitationId'],
    ['invite_links', { revoked_at: '2030-01-01T00:00:00Z' }, 'id', 'inviteLinkId'],
    ['projects', { description: 'mine' }, 'id', 'projectId'],
    ['projects', { archived: false }, 'id', 'archivedProjectId'],
    ['tasks', { priority: 'urgent' }, 'id', 'taskId'],
    ['labels', { color: '#000000' }, 'id', 'labelId'],
    ['comments', { body: 'mine' }, 'id', 'commentId'],
  ] as const
).map(
  ([table, values, column, key]): Probe => [
    `update ${table} ${Object.keys(values).join(',')}`,
    async (client, t) => answer(await client.from(table).update(values).eq(column, t[key]).select()),
  ],
);

const deleteProbes: Probe[] = (
  [
    ['workspaces', 'id', 'workspaceId'],
    ['workspace_members', 'user_id', 'memberId'],
    ['roles', 'id', 'roleId'],
    ['invitations', 'id', 'invitationId'],
    ['projects', 'id', 'projectId'],
    ['tasks', 'id', 'taskId'],
    ['labels', 'id', 'labelId'],
    ['task_labels', 'task_id', 'taskId'],
    ['comments', 'id', 'commentId'],
  ] as const
).map(
  ([table, column, key]): Probe => [
    `delete ${table}`,
    async (client, t) => answer(await client.from(table).delete().eq(column, t[key]).select()),
  ],
);

const insert =
  (table: string, row: (t: Targets) => Record<string, unknown>) =>
  async (client: SupabaseClient, t: Targets) =>
    answer(await client.from(table).insert(row(t)).select());

const insertProbes: Probe[] = [
  [
    'insert projects (plan at its project limit)',
    insert('projects', (t) => ({ workspace_id: t.workspaceId, name: 'P', key: 'LEAK' })),
  ],
  ['insert tasks into a project', insert('tasks', (t) => ({ project_id: t.projectId, title: 'x' }))],
  [
    'insert tasks into an archived project',
    insert('tasks', (t) => ({ project_id: t.archivedProjectId, title: 'x' })),
  ],
  [
    'insert tasks with the workspace given',
    insert('tasks', (t) => ({ workspace_id: t.workspaceId, project_id: t.projectId, title: 'x' })),
  ],
  [
    'insert labels with a name in use',
    insert('labels', (t) => ({ workspace_id: t.workspaceId, name: t.labelName })),
  ],
  ['insert task_labels', insert('task_labels', (t) => ({ task_id: t.taskId, label_id: t.labelId }))],
  ['insert comments', insert('comments', (t) => ({ task_id: t.taskId, body: 'x' }))],
  [
    'insert comments with the workspace given',
    insert('comments', (t) => ({ task_id: t.taskId, workspace_id: t.workspaceId, body: 'x' })),
  ],
  ['insert roles', insert('roles', (t) => ({ workspace_id: t.workspaceId, name: 'Mine' }))],
  [
    'insert invitations for a member',
    insert('invitations', (t) => ({
      workspace_id: t.workspaceId,
      email: t.memberEmail,
      token_hash: newInvitationToken().tokenHash,
    })),
  ],
  [
    'insert invitations for an invited address',
    insert('invitations', (t) => ({
      workspace_id: t.workspaceId,
      email: t.pendingEmail,
      token_hash: newInvitationToken().tokenHash,
    })),
  ],
  [
    'insert invitations (plan at its seat limit)',
    insert('invitations', (t) => ({
      workspace_id: t.workspaceId,
      email: `new-${t.workspaceId}@example.test`,
      token_hash: newInvitationToken().tokenHash,
    })),
  ],
];

const rpc =
  (name: string, args: (t: Targets) => Record<string, unknown>) =>
  async (client: SupabaseClient, t: Targets) =>
    answer(await client.rpc(name, args(t)));

const rpcProbes: Probe[] = [
  ['rpc workspace_usage', rpc('workspace_usage', (t) => ({ workspace_id: t.workspaceId }))],
  ['rpc workspace_storage_usage', rpc('workspace_storage_usage', (t) => ({ workspace_id: t.workspaceId }))],
  ['rpc my_permissions', rpc('my_permissions', (t) => ({ workspace_id: t.workspaceId }))],
  [
    'rpc has_permission',
    rpc('has_permission', (t) => ({ workspace_id: t.workspaceId, permission: 'tasks.read' })),
  ],
  [
    'rpc transfer_ownership',
    rpc('transfer_ownership', (t) => ({ workspace_id: t.workspaceId, new_owner_id: t.memberId })),
  ],
  ['rpc leave_workspace', rpc('leave_workspace', (t) => ({ workspace_id: t.workspaceId }))],
  ['rpc move_task', rpc('move_task', (t) => ({ task_id: t.taskId, status: 'done' }))],
  [
    'rpc resend_invitation',
    rpc('resend_invitation', (t) => ({
      invitation_id: t.invitationId,
      token_hash: newInvitationToken().tokenHash,
    })),
  ],
  ['rpc search_tasks', rpc('search_tasks', (t) => ({ workspace_id: t.workspaceId, query: 'first' }))],
  ...(['move_to_trash', 'restore_from_trash', 'delete_permanently'] as const).flatMap((name): Probe[] => [
    [`rpc ${name} project`, rpc(name, (t) => ({ kind: 'project', id: t.projectId }))],
    [`rpc ${name} task`, rpc(name, (t) => ({ kind: 'task', id: t.taskId }))],
    [`rpc ${name} comment`, rpc(name, (t) => ({ kind: 'comment', id: t.commentId }))],
  ]),
  ['rpc list_trash', rpc('list_trash', (t) => ({ workspace_id: t.workspaceId }))],
  ['rpc empty_trash', rpc('empty_trash', (t) => ({ workspace_id: t.workspaceId }))],
  [
    'function invite-member',
    (client, t) =>
      invokeFunction(client, 'invite-member', { workspaceId: t.workspaceId, email: t.memberEmail }),
  ],
  [
    'rpc create_invite_link',
    rpc('create_invite_link', (t) => ({ workspace_id: t.workspaceId, role_id: t.roleId })),
  ],
  [
    'rpc verify_workspace_domain',
    rpc('verify_workspace_domain', (t) => ({ workspace_id: t.workspaceId, domain: 'example.test' })),
  ],
  ['rpc join_workspace_by_domain', rpc('join_workspace_by_domain', (t) => ({ workspace_id: t.workspaceId }))],
  ['rpc workspace_mfa_status', rpc('workspace_mfa_status', (t) => ({ workspace_id: t.workspaceId }))],
  [
    'rpc set_workspace_require_mfa on',
    rpc('set_workspace_require_mfa', (t) => ({ workspace_id: t.workspaceId, require_mfa: true })),
  ],
  [
    'rpc set_workspace_require_mfa off',
    rpc('set_workspace_require_mfa', (t) => ({ workspace_id: t.workspaceId, require_mfa: false })),
  ],
  [
    'function resend-invitation',
    (client, t) => invokeFunction(client, 'resend-invitation', { invitationId: t.invitationId }),
  ],
  [
    'function audit-export',
    (client, t) => invokeFunction(client, 'audit-export', { workspaceId: t.workspaceId }),
  ],
];

async function invokeFunction(
  client: SupabaseClient,
  name: string,
  body: Record<string, unknown>,
): Promise<Answer> {
  const { data, error } = await client.functions.invoke(name, { body });
  const response = (error as { context?: globalThis.Response } | null)?.context;
  return { status: response?.status ?? 200, body: response ? await response.json() : data };
}

/** storage-js errors as plain data: the status and the server's body. */
const storageAnswer = (error: unknown, data: unknown): Answer => ({
  status: Number((error as { statusCode?: string } | null)?.statusCode ?? 200),
  body: { data, message: (error as { message?: string } | null)?.message },
});

const storageProbes: Probe[] = [
  [
    'storage download',
    async (client, t) => {
      const { data, error } = await client.storage.from('attachments').download(t.objectPath);
      return storageAnswer(error, data ? await data.text() : null);
    },
  ],
  [
    'storage list',
    async (client, t) => {
      const { data, error } = await client.storage.from('attachments').list(`${t.workspaceId}/${t.taskId}`);
      return storageAnswer(error, data);
    },
  ],
  [
    'storage signed URL',
    async (client, t) => {
      const { data, error } = await client.storage.from('attachments').createSignedUrl(t.objectPath, 60);
      return storageAnswer(error, data);
    },
  ],
  [
    'storage upload',
    async (client, t) => {
      const { data, error } = await client.storage
        .from('attachments')
        .upload(`${t.workspaceId}/${t.taskId}/mine.txt`, 'x', { contentType: 'text/plain' });
      return storageAnswer(error, data);
    },
  ],
  [
    'storage replace',
    async (client, t) => {
      const { data, error } = await client.storage
        .from('attachments')
        .upload(t.objectPath, 'x', { upsert: true, contentType: 'text/plain' });
      return storageAnswer(error, data);
    },
  ],
  [
    'storage remove',
    async (client, t) => {
      const { data, error } = await client.storage.from('attachments').remove([t.objectPath]);
      return storageAnswer(error, data);
    },
  ],
  ['storage upload announcing 1 KiB', async (client, t) => declaredUpload(client, t, 1024)],
  ['storage upload announcing 5 GiB', async (client, t) => declaredUpload(client, t, 5 * 1024 ** 3)],
  [
    'realtime join project:<id>',
    async (client, t) => {
      const channel = client.channel(`project:${t.projectId}`, { config: { private: true } });
      const status = await new Promise<string>((resolve) => channel.subscribe((s) => resolve(s)));
      await client.removeChannel(channel);
      return { status: 0, body: status };
    },
  ],
];

/**
 * An upload that announces its size (Content-Length of a raw body) and sends almost nothing:
 * the server decides from the announcement before reading the bytes.
 */
async function declaredUpload(client: SupabaseClient, t: Targets, size: number): Promise<Answer> {
  const token = (await client.auth.getSession()).data.session?.access_token;
  const url = new URL(`${stack.apiUrl}/storage/v1/object/attachments/${t.workspaceId}/${t.taskId}/big.bin`);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          apikey: stack.anonKey,
          authorization: `Bearer ${token}`,
          'content-type': 'application/octet-stream',
          'content-length': String(size),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString('utf8');
        });
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(body || 'null') });
          req.destroy();
        });
      },
    );
    req.on('error', reject);
    req.write(Buffer.alloc(16));
  });
}

const probes: Probe[] = [
  ...selectProbes,
  ...updateProbes,
  ...deleteProbes,
  ...insertProbes,
  ...rpcProbes,
  ...storageProbes,
];

const clients = new Map<string, SupabaseClient>();
async function clientOf(who: 'outsider' | 'neighbour'): Promise<SupabaseClient> {
  let client = clients.get(who);
  if (!client) {
    client = await userClient(stack, who === 'outsider' ? target.users.outsider : neighbour.users.owner);
    clients.set(who, client);
  }
  return client;
}

beforeAll(async () => {
  db = connect(stack.dbUrl);
  await db.connect();
  target = await createTenant(db, 'free');
  neighbour = await createTenant(db, 'pro');
  const pendingEmail = `pending-${uniqueSuffix()}@example.test`;
  const invitation = await invite(db, target.users.admin, target.workspaceId, pendingEmail);
  // At the free plan's limits: 4 members + 1 open invitation = 5 seats; 3 active projects.
  for (const key of ['TWO', 'THREE']) {
    await db.query(`insert into public.projects (workspace_id, name, key) values ($1, $2, $2)`, [
      target.workspaceId,
      key,
    ]);
  }
  const { rows } = await db.query(
    `insert into public.projects (workspace_id, name, key, archived) values ($1, 'Old', 'OLD', true) returning id`,
    [target.workspaceId],
  );
  const { rows: roles } = await db.query(
    `insert into public.roles (workspace_id, name) values ($1, 'Guests') returning id`,
    [target.workspaceId],
  );
  const { rows: links } = await db.query(
    `insert into public.invite_links (workspace_id, role_id, token_hash, created_by, max_uses, expires_at)
     values ($1, $2, $3, $4, 5, now() + interval '1 day') returning id`,
    [target.workspaceId, roles[0].id, newInvitationToken().tokenHash, target.users.owner.id],
  );
  // A verified, suggest-only domain: no way in without a join role.
  await db.query(
    `insert into public.workspace_domains (workspace_id, domain, verified_by) values ($1, $2, $3)`,
    [target.workspaceId, `leaks-${uniqueSuffix()}.test`, target.users.owner.id],
  );
  const objectPath = `${target.workspaceId}/${target.taskId}/${uniqueSuffix()}.txt`;
  const stored = await serviceRoleClient(stack).storage.from('attachments').upload(objectPath, 'secret');
  expect(stored.error).toBeNull();
  real = {
    workspaceId: target.workspaceId,
    projectId: target.projectId,
    archivedProjectId: rows[0].id,
    taskId: target.taskId,
    labelId: target.labelId,
    labelName: 'bug',
    commentId: target.commentId,
    invitationId: invitation.id,
    inviteLinkId: links[0].id,
    roleId: roles[0].id,
    memberId: target.users.member.id,
    memberEmail: target.users.member.email,
    pendingEmail,
    objectPath,
  };
});

afterAll(async () => {
  for (const client of clients.values()) await client.removeAllChannels();
  await db.end();
});

describe.each(['outsider', 'neighbour'] as const)(
  'a non-member (%s) gets the same answer for a real workspace as for nothing',
  (who) => {
    it.each(probes)('%s', async (_name, run) => {
      const client = await clientOf(who);
      const fake = randomTargets();
      const [forReal, forNothing] = [await run(client, real), await run(client, fake)];
      expect(forReal.status, 'never a server error').toBeLessThan(500);
      expect(normalised(forReal, real)).toBe(normalised(forNothing, fake));
    });
  },
);

// The same, once the real workspace requires MFA (workspaces.require_mfa): what it asks of its
// own members below aal2 must not show through to anyone else.
describe('while the real workspace requires MFA', () => {
  beforeAll(async () => {
    await db.query('update public.workspaces set require_mfa = true where id = $1', [real.workspaceId]);
  });
  afterAll(async () => {
    await db.query('update public.workspaces set require_mfa = false where id = $1', [real.workspaceId]);
  });

  it.each(probes)('a non-member gets the same answer for it as for nothing: %s', async (_name, run) => {
    const client = await clientOf('outsider');
    const fake = randomTargets();
    const [forReal, forNothing] = [await run(client, real), await run(client, fake)];
    expect(forReal.status, 'never a server error').toBeLessThan(500);
    expect(normalised(forReal, real)).toBe(normalised(forNothing, fake));
  });
});

describe('the oracles found before permission-first triggers', () => {
  const errorOf = async (res: Response) => ({
    status: res.status,
    code: (res.error as { code?: string } | null)?.code,
    message: (res.error as { message?: string } | null)?.message,
  });
  const rlsDenied = {
    status: 403,
    code: '42501',
    message: 'new row violates row-level security policy for table "invitations"',
  };

  it('inviting a member or an invited address into a foreign workspace is refused like any foreign insert, not 409', async () => {
    const client = await clientOf('outsider');
    for (const email of [real.memberEmail, real.pendingEmail]) {
      const res = await client
        .from('invitations')
        .insert({ workspace_id: real.workspaceId, email, token_hash: newInvitationToken().tokenHash });
      expect(await errorOf(res), email).toEqual(rlsDenied);
    }
  });

  it("a full workspace's seat and project counts never reach a non-member", async () => {
    const client = await clientOf('outsider');
    const invited = await client.from('invitations').insert({
      workspace_id: real.workspaceId,
      email: `new-${uniqueSuffix()}@example.test`,
      token_hash: newInvitationToken().tokenHash,
    });
    expect(await errorOf(invited)).toEqual(rlsDenied);
    const project = await client
      .from('projects')
      .insert({ workspace_id: real.workspaceId, name: 'P', key: 'LEAK' });
    expect(await errorOf(project)).toMatchObject({ status: 403, code: '42501' });
    // Members still see the counts.
    const admin = await userClient(stack, target.users.admin);
    const own = await admin
      .from('projects')
      .insert({ workspace_id: real.workspaceId, name: 'P', key: 'FOUR' });
    expect(own.status).toBe(402);
    expect(JSON.parse(own.error?.details ?? '{}')).toEqual({ limit: 'projects', max: 3, current: 3 });
  });

  it('an invitee who hits the seat limit learns which limit, not the counts', async () => {
    const full = await createTenant(db, 'pro');
    const { token } = await invite(db, full.users.admin, full.workspaceId, full.users.outsider.email);
    // A fifth member joins, then the workspace moves to the free plan (5 seats) with 6 in use: the
    // invitation's seat no longer fits (an open invitation holds its seat, so on a full free plan
    // nobody else could have taken it).
    const late = await createUser(db);
    await db.query(`insert into public.workspace_members (workspace_id, user_id) values ($1, $2)`, [
      full.workspaceId,
      late.id,
    ]);
    await db.query(`update public.workspaces set plan = 'free' where id = $1`, [full.workspaceId]);
    const invitee = await userClient(stack, full.users.outsider);
    const res = await invitee.rpc('accept_invitation', { token });
    expect(await errorOf(res)).toEqual({ status: 402, code: 'PT402', message: 'plan_limit_reached' });
    expect(JSON.parse(res.error?.details ?? '{}')).toEqual({ limit: 'members', max: null, current: null });
  });

  it("announced upload sizes tell a non-member nothing about a workspace's storage; a member hears the quota", async () => {
    const client = await clientOf('outsider');
    const small = await declaredUpload(client, real, 1024);
    const huge = await declaredUpload(client, real, 5 * 1024 ** 3);
    expect(small).toEqual(huge);
    expect(small.body).toMatchObject({
      statusCode: '403',
      message: 'new row violates row-level security policy',
    });
    const member = await userClient(stack, target.users.member);
    const own = await declaredUpload(member, real, 5 * 1024 ** 3);
    expect(own.body).toMatchObject({ statusCode: '403', message: 'plan_limit_reached' });
  });

  it('task inserts answer project_not_found to anyone who cannot read the project, archived or not', async () => {
    const outsider = await clientOf('outsider');
    for (const projectId of [real.projectId, real.archivedProjectId, randomUUID()]) {
      const res = await outsider.from('tasks').insert({ project_id: projectId, title: 'x' });
      expect(await errorOf(res), projectId).toMatchObject({ status: 404, message: 'project_not_found' });
    }
    // A viewer can read the project: RLS says forbidden. Only those who may add tasks hear it is archived.
    const viewer = await userClient(stack, target.users.viewer);
    const refused = await viewer.from('tasks').insert({ project_id: real.archivedProjectId, title: 'x' });
    expect(await errorOf(refused)).toMatchObject({ status: 403, code: '42501' });
    const member = await userClient(stack, target.users.member);
    const archived = await member.from('tasks').insert({ project_id: real.archivedProjectId, title: 'x' });
    expect(await errorOf(archived)).toMatchObject({ status: 409, message: 'project_archived' });
  });

  it('the edge functions answer workspace_not_found, as for a workspace that does not exist', async () => {
    const outsider = await clientOf('outsider');
    for (const [name, body] of [
      ['invite-member', { workspaceId: real.workspaceId, email: real.memberEmail }],
      ['audit-export', { workspaceId: real.workspaceId }],
    ] as const) {
      const answer = await invokeFunction(outsider, name, body);
      expect({ name, status: answer.status, code: (answer.body as { code: string }).code }).toEqual({
        name,
        status: 404,
        code: 'workspace_not_found',
      });
    }
  });

  it('comment and task-label inserts answer task_not_found to anyone who cannot read the task', async () => {
    const outsider = await clientOf('outsider');
    for (const taskId of [real.taskId, randomUUID()]) {
      const comment = await outsider.from('comments').insert({ task_id: taskId, body: 'x' });
      expect(await errorOf(comment), taskId).toMatchObject({ status: 404, message: 'task_not_found' });
      const label = await outsider.from('task_labels').insert({ task_id: taskId, label_id: real.labelId });
      expect(await errorOf(label), taskId).toMatchObject({ status: 404, message: 'task_not_found' });
    }
  });
});
