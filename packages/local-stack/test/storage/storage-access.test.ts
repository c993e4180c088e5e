import { request } from 'node:http';
import type { SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, type Persona, type Tenant } from '../../../../tests/data/support/fixtures.ts';
import { stackClients, uniqueName, userToken } from './storage-client.ts';

/**
 * Who may do what in the two Groundwork buckets, through the real storage-js client. The
 * rules live in supabase/migrations/*_storage_attachments.sql as RLS on storage.objects.
 */
type Actor = 'anon' | Persona | 'service';
type Action = 'read' | 'upload' | 'overwrite' | 'delete' | 'list' | 'sign';
const actors: Actor[] = ['anon', 'outsider', 'viewer', 'member', 'admin', 'owner', 'service'];
const actions: Action[] = ['read', 'upload', 'overwrite', 'delete', 'list', 'sign'];

const { service, anon, asUser, stack } = stackClients();
let db: pg.Client;
let tenant: Tenant;
const clients = {} as Record<Actor, SupabaseClient>;

beforeAll(async () => {
  db = new pg.Client({ connectionString: stack.dbUrl });
  await db.connect();
  tenant = await createTenant(db);
  clients.anon = anon;
  clients.service = service;
  for (const persona of ['outsider', 'viewer', 'member', 'admin', 'owner'] as const) {
    clients[persona] = asUser(await userToken(stack.jwtSecret, tenant.users[persona].id));
  }
});

afterAll(async () => {
  await db.end();
});

/** Runs one action on `path` (an existing object uploaded by `member`) and says whether it worked. */
async function attempt(
  client: SupabaseClient,
  bucket: string,
  path: string,
  action: Action,
): Promise<boolean> {
  const files = client.storage.from(bucket);
  const folder = path.slice(0, path.lastIndexOf('/'));
  switch (action) {
    case 'read': {
      const { data, error } = await files.download(path);
      return !error && (await data.text()) === 'original';
    }
    case 'upload':
      return !(await files.upload(`${folder}/${uniqueName('new')}.png`, 'new', { contentType: 'image/png' }))
        .error;
    case 'overwrite': {
      const { error } = await files.upload(path, 'replaced', { upsert: true, contentType: 'image/png' });
      return !error;
    }
    case 'delete': {
      const { data, error } = await files.remove([path]);
      return !error && data.length === 1;
    }
    case 'list': {
      const { data, error } = await files.list(folder);
      return !error && data.some((file) => path.endsWith(`/${file.name}`));
    }
    case 'sign':
      return !(await files.createSignedUrl(path, 60)).error;
  }
}

/** The object each case works on, uploaded by the member through the API. */
async function memberObject(bucket: string, folder: string): Promise<string> {
  const path = `${folder}/${uniqueName('file')}.png`;
  const { error } = await clients.member.storage
    .from(bucket)
    .upload(path, 'original', { contentType: 'image/png' });
  expect(error).toBeNull();
  return path;
}

const attachmentsAllowed: Record<Action, Actor[]> = {
  read: ['viewer', 'member', 'admin', 'owner', 'service'],
  upload: ['member', 'admin', 'owner', 'service'],
  // The file is the member's: they, admins and owners may replace or delete it.
  overwrite: ['member', 'admin', 'owner', 'service'],
  delete: ['member', 'admin', 'owner', 'service'],
  list: ['viewer', 'member', 'admin', 'owner', 'service'],
  sign: ['viewer', 'member', 'admin', 'owner', 'service'],
};

// The avatar folder is the member's own: everyone reads, only the member (and the service) writes.
const avatarsAllowed: Record<Action, Actor[]> = {
  read: actors,
  upload: ['member', 'service'],
  overwrite: ['member', 'service'],
  delete: ['member', 'service'],
  list: actors,
  sign: actors,
};

const cases = (allowed: Record<Action, Actor[]>) =>
  actions.flatMap((action) =>
    actors.map((actor) => ({ actor, action, allowed: allowed[action].includes(actor) }) as const),
  );

describe('attachments bucket: <workspace>/<task>/<file>', () => {
  it.each(cases(attachmentsAllowed))(
    '$actor → $action: allowed=$allowed',
    async ({ actor, action, allowed }) => {
      const path = await memberObject('attachments', `${tenant.workspaceId}/${tenant.taskId}`);
      expect(await attempt(clients[actor], 'attachments', path, action)).toBe(allowed);
    },
  );

  it("does not let a member replace or delete another member's file", async () => {
    const path = `${tenant.workspaceId}/${tenant.taskId}/${uniqueName('admins')}.txt`;
    expect((await clients.admin.storage.from('attachments').upload(path, 'admin file')).error).toBeNull();
    const replaced = await clients.member.storage.from('attachments').upload(path, 'x', { upsert: true });
    expect(replaced.error).toMatchObject({ status: 400, statusCode: '403' });
    const removed = await clients.member.storage.from('attachments').remove([path]);
    expect(removed.data).toEqual([]);
    expect(await (await clients.viewer.storage.from('attachments').download(path)).data?.text()).toBe(
      'admin file',
    );
  });

  it('refuses uploads outside a task folder of the workspace', async () => {
    const files = clients.member.storage.from('attachments');
    const otherTenant = await createTenant(db);
    for (const path of [
      `${tenant.workspaceId}/loose.txt`,
      `${tenant.workspaceId}/${crypto.randomUUID()}/no-such-task.txt`,
      `${tenant.workspaceId}/${otherTenant.taskId}/task-of-another-workspace.txt`,
      `${otherTenant.workspaceId}/${otherTenant.taskId}/not-my-workspace.txt`,
      `not-a-uuid/${tenant.taskId}/x.txt`,
    ]) {
      const { error } = await files.upload(path, 'x');
      expect(error, path).toMatchObject({
        status: 400,
        statusCode: '403',
        message: 'new row violates row-level security policy',
      });
    }
  });
});

describe('avatars bucket: <user>/<file>', () => {
  it.each(cases(avatarsAllowed))('$actor → $action: allowed=$allowed', async ({ actor, action, allowed }) => {
    const path = await memberObject('avatars', tenant.users.member.id);
    expect(await attempt(clients[actor], 'avatars', path, action)).toBe(allowed);
  });

  it('lets every signed-in user write their own folder', async () => {
    for (const persona of ['outsider', 'viewer', 'admin', 'owner'] as const) {
      const { error } = await clients[persona].storage
        .from('avatars')
        .upload(`${tenant.users[persona].id}/me.png`, 'me', { contentType: 'image/png', upsert: true });
      expect(error, persona).toBeNull();
    }
  });

  it('serves avatars at their public URL without a token', async () => {
    const path = await memberObject('avatars', tenant.users.member.id);
    const response = await fetch(anon.storage.from('avatars').getPublicUrl(path).data.publicUrl);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('original');
  });

  it('takes images only, up to 5 MiB', async () => {
    const files = clients.member.storage.from('avatars');
    const wrongType = await files.upload(`${tenant.users.member.id}/a.txt`, 'text', {
      contentType: 'text/plain',
    });
    expect(wrongType.error).toMatchObject({ statusCode: '415' });
    const tooBig = await files.upload(
      `${tenant.users.member.id}/big.png`,
      Buffer.alloc(5 * 1024 * 1024 + 1),
      {
        contentType: 'image/png',
      },
    );
    expect(tooBig.error).toMatchObject({ statusCode: '413' });
  });
});

describe('attachment records', () => {
  const taskWithAttachments = async (client: SupabaseClient) => {
    const { data, error } = await client
      .from('tasks')
      .select('id, attachments(file_name, object_path, size_bytes, mime_type, uploaded_by)')
      .eq('id', tenant.taskId)
      .maybeSingle();
    expect(error).toBeNull();
    return data as { attachments: Record<string, unknown>[] } | null;
  };

  it('shows an uploaded file on its task, with size, type and uploader', async () => {
    const name = `${uniqueName('spec')}.pdf`;
    const path = `${tenant.workspaceId}/${tenant.taskId}/${name}`;
    await clients.member.storage
      .from('attachments')
      .upload(path, 'PDF-1.7', { contentType: 'application/pdf' });
    const task = await taskWithAttachments(clients.viewer);
    expect(task?.attachments).toContainEqual({
      file_name: name,
      object_path: path,
      size_bytes: 7,
      mime_type: 'application/pdf',
      uploaded_by: tenant.users.member.id,
    });
    expect(await taskWithAttachments(clients.outsider)).toBeNull();
  });

  it('follows moves and deletions of the file', async () => {
    const files = clients.member.storage.from('attachments');
    const from = `${tenant.workspaceId}/${tenant.taskId}/${uniqueName('draft')}.txt`;
    const to = `${tenant.workspaceId}/${tenant.taskId}/${uniqueName('final')}.txt`;
    await files.upload(from, 'v1');
    expect((await files.move(from, to)).error).toBeNull();
    let paths = (await taskWithAttachments(clients.member))?.attachments.map((a) => a.object_path);
    expect(paths).toContain(to);
    expect(paths).not.toContain(from);
    await files.remove([to]);
    paths = (await taskWithAttachments(clients.member))?.attachments.map((a) => a.object_path);
    expect(paths).not.toContain(to);
  });

  it('cannot be written by clients directly', async () => {
    const { error } = await clients.owner.from('attachments').insert({
      workspace_id: tenant.workspaceId,
      task_id: tenant.taskId,
      object_id: crypto.randomUUID(),
      object_path: `${tenant.workspaceId}/${tenant.taskId}/fake.txt`,
      file_name: 'fake.txt',
    });
    expect(error?.code).toBe('42501');
  });
});

describe('plan storage quota', () => {
  const GiB = 1024 ** 3;

  /** Pretends the workspace already stores `bytes`, without writing them to disk. */
  async function preloadUsage(t: Tenant, bytes: number) {
    await db.query(
      `insert into public.attachments (workspace_id, task_id, object_id, object_path, file_name, size_bytes)
       values ($1::uuid, $2::uuid, gen_random_uuid(), $1::text || '/' || $2::text || '/preloaded-' || gen_random_uuid(),
         'preloaded', $3)`,
      [t.workspaceId, t.taskId, bytes],
    );
  }

  it('refuses an upload that would take a free workspace past 1 GiB, and accepts one that fits', async () => {
    const t = await createTenant(db, 'free');
    await preloadUsage(t, GiB - 10);
    const member = asUser(await userToken(stack.jwtSecret, t.users.member.id));
    const files = member.storage.from('attachments');
    const over = await files.upload(`${t.workspaceId}/${t.taskId}/over.bin`, Buffer.alloc(11));
    expect(over.error).toMatchObject({ status: 400, statusCode: '403', message: 'plan_limit_reached' });
    const fits = await files.upload(`${t.workspaceId}/${t.taskId}/fits.bin`, Buffer.alloc(10));
    expect(fits.error).toBeNull();
    const { data } = await member.rpc('workspace_storage_usage', { workspace_id: t.workspaceId });
    expect(data).toEqual([{ used_bytes: GiB, limit_bytes: GiB }]);
  });

  it('counts a replaced file once, so overwriting at the limit works', async () => {
    const t = await createTenant(db, 'free');
    const member = asUser(await userToken(stack.jwtSecret, t.users.member.id));
    const files = member.storage.from('attachments');
    const path = `${t.workspaceId}/${t.taskId}/same.bin`;
    await files.upload(path, Buffer.alloc(10));
    await preloadUsage(t, GiB - 20);
    expect((await files.upload(path, Buffer.alloc(20), { upsert: true })).error).toBeNull();
    expect((await files.upload(path, Buffer.alloc(21), { upsert: true })).error).toMatchObject({
      message: 'plan_limit_reached',
    });
  });

  it('refuses an over-quota raw upload from its Content-Length, before reading the body', async () => {
    const t = await createTenant(db, 'free');
    await preloadUsage(t, GiB - 10);
    const token = await userToken(stack.jwtSecret, t.users.member.id);
    const url = new URL(
      `${stack.apiUrl}/storage/v1/object/attachments/${t.workspaceId}/${t.taskId}/early.bin`,
    );
    // Announces 1000 bytes but sends only 10: an answer can only come from the announced size.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            Authorization: `Bearer ${token}`,
            'content-type': 'application/octet-stream',
            'content-length': '1000',
          },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => {
            body += chunk.toString('utf8');
          });
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body });
            req.destroy();
          });
        },
      );
      req.on('error', reject);
      req.write(Buffer.alloc(10));
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ statusCode: '403', message: 'plan_limit_reached' });
  });

  it('gives a pro workspace 100 GiB', async () => {
    const t = await createTenant(db, 'pro');
    await preloadUsage(t, 50 * GiB);
    const member = asUser(await userToken(stack.jwtSecret, t.users.member.id));
    const { error } = await member.storage
      .from('attachments')
      .upload(`${t.workspaceId}/${t.taskId}/pro.bin`, Buffer.alloc(100));
    expect(error).toBeNull();
  });
});
