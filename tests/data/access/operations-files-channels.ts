import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { uniqueSuffix } from '../support/fixtures.ts';
import { builtinActors, type Cell, needs, needsAnyOf, type Operation, type Outcome, only } from './matrix.ts';

/** A file in the tenant's task folder, put there by the service role and owned by `ownerId`. */
async function attachment(cell: Cell, ownerId: string): Promise<string> {
  const path = `${cell.tenant.workspaceId}/${cell.tenant.taskId}/${uniqueSuffix()}.txt`;
  const { error } = await cell.service.storage
    .from('attachments')
    .upload(path, 'original', { contentType: 'text/plain' });
  if (error) throw error;
  await cell.db.query(
    `update storage.objects set owner_id = $1::text, owner = $1::text::uuid where bucket_id = 'attachments' and name = $2`,
    [ownerId, path],
  );
  return path;
}

const own = (cell: Cell) => (cell.self ?? cell.tenant.users.member).id;
const someoneElse = ({ tenant, self }: Cell) =>
  (self?.id === tenant.users.member.id ? tenant.users.viewer : tenant.users.member).id;
const folderOf = (path: string) => path.slice(0, path.lastIndexOf('/'));
const nameOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);

async function replace(client: SupabaseClient, path: string): Promise<Outcome> {
  const { error } = await client.storage
    .from('attachments')
    .upload(path, 'replaced', { upsert: true, contentType: 'text/plain' });
  return { allowed: !error, status: statusOf(error) };
}

async function remove(client: SupabaseClient, path: string): Promise<Outcome> {
  const { data, error } = await client.storage.from('attachments').remove([path]);
  return { allowed: !error && data.length === 1, status: statusOf(error) };
}

/** storage-js errors carry the HTTP status as a string; 200 when there was none. */
function statusOf(error: unknown): number {
  const status = (error as { statusCode?: string; status?: number } | null)?.statusCode;
  return status ? Number(status) : 200;
}

/** Subscribes and says whether Realtime let the caller in. */
function join(client: SupabaseClient, topic: string): Promise<{ channel: RealtimeChannel; joined: boolean }> {
  const channel = client.channel(topic, { config: { private: true, broadcast: { ack: true } } });
  return new Promise((resolve) => {
    channel.subscribe((status) => {
      if (status === 'SUBSCRIBED') resolve({ channel, joined: true });
      else resolve({ channel, joined: false });
    });
  });
}

async function joinOutcome(client: SupabaseClient, topic: string, send: boolean): Promise<Outcome> {
  const { channel, joined } = await join(client, topic);
  try {
    if (!joined) return { allowed: false, status: 403 };
    if (!send) return { allowed: true, status: 200 };
    const answer = await channel.send({ type: 'broadcast', event: 'ping', payload: { at: Date.now() } });
    return { allowed: answer === 'ok', status: answer === 'ok' ? 200 : 403 };
  } finally {
    await client.removeChannel(channel);
  }
}

export const fileOperations: Operation[] = [
  // attachment records: kept by the storage triggers, read with attachments.read
  {
    subject: 'attachments',
    op: 'select',
    rule: needs('attachments.read'),
    run: async (cell) => {
      const path = await attachment(cell, someoneElse(cell));
      const res = await cell.client.from('attachments').select('id').eq('object_path', path);
      return { allowed: !res.error && (res.data?.length ?? 0) > 0, status: res.status };
    },
  },
  {
    subject: 'attachments',
    op: 'insert, update or delete a record directly',
    rule: only([]),
    run: async (cell) => {
      const path = await attachment(cell, someoneElse(cell));
      const insert = await cell.client.from('attachments').insert({
        workspace_id: cell.tenant.workspaceId,
        task_id: cell.tenant.taskId,
        object_id: crypto.randomUUID(),
        object_path: `${cell.tenant.workspaceId}/${cell.tenant.taskId}/forged.txt`,
        file_name: 'forged.txt',
      });
      const update = await cell.client
        .from('attachments')
        .update({ file_name: 'x' })
        .eq('object_path', path)
        .select('id');
      const del = await cell.client.from('attachments').delete().eq('object_path', path).select('id');
      const allowed =
        !insert.error || (!update.error && update.data.length > 0) || (!del.error && del.data.length > 0);
      return { allowed, status: Math.max(insert.status, update.status, del.status) };
    },
  },
  // the attachments bucket
  {
    subject: 'bucket attachments',
    op: 'download',
    rule: needs('attachments.read'),
    run: async (cell) => {
      const { data, error } = await cell.client.storage
        .from('attachments')
        .download(await attachment(cell, someoneElse(cell)));
      return { allowed: !error && (await data.text()) === 'original', status: statusOf(error) };
    },
  },
  {
    subject: 'bucket attachments',
    op: 'list',
    rule: needs('attachments.read'),
    run: async (cell) => {
      const path = await attachment(cell, someoneElse(cell));
      const { data, error } = await cell.client.storage
        .from('attachments')
        .list(folderOf(path), { search: nameOf(path) });
      return { allowed: !error && data.some((file) => file.name === nameOf(path)), status: statusOf(error) };
    },
  },
  {
    subject: 'bucket attachments',
    op: 'create a signed URL',
    rule: needs('attachments.read'),
    run: async (cell) => {
      const { error } = await cell.client.storage
        .from('attachments')
        .createSignedUrl(await attachment(cell, someoneElse(cell)), 60);
      return { allowed: !error, status: statusOf(error) };
    },
  },
  {
    subject: 'bucket attachments',
    op: 'upload',
    rule: needs('attachments.create'),
    run: async ({ client, tenant }) => {
      const { error } = await client.storage
        .from('attachments')
        .upload(`${tenant.workspaceId}/${tenant.taskId}/${uniqueSuffix()}.txt`, 'new', {
          contentType: 'text/plain',
        });
      return { allowed: !error, status: statusOf(error) };
    },
  },
  {
    subject: 'bucket attachments',
    op: 'replace own',
    rule: needs('attachments.create'),
    run: async (cell) => replace(cell.client, await attachment(cell, own(cell))),
  },
  {
    subject: 'bucket attachments',
    op: "replace another's",
    rule: needs('attachments.create', 'attachments.delete'),
    run: async (cell) => replace(cell.client, await attachment(cell, someoneElse(cell))),
  },
  {
    subject: 'bucket attachments',
    op: 'delete own',
    rule: needsAnyOf(['attachments.create'], ['attachments.delete']),
    run: async (cell) => remove(cell.client, await attachment(cell, own(cell))),
  },
  {
    subject: 'bucket attachments',
    op: "delete another's",
    rule: needs('attachments.delete'),
    run: async (cell) => remove(cell.client, await attachment(cell, someoneElse(cell))),
  },
  // the avatars bucket: not a workspace matter
  {
    subject: 'bucket avatars',
    op: 'download',
    rule: only(builtinActors, true),
    run: async (cell) => {
      const path = `${cell.tenant.users.member.id}/${uniqueSuffix()}.png`;
      await cell.service.storage.from('avatars').upload(path, 'face', { contentType: 'image/png' });
      const { data, error } = await cell.client.storage.from('avatars').download(path);
      return { allowed: !error && (await data.text()) === 'face', status: statusOf(error) };
    },
  },
  {
    subject: 'bucket avatars',
    op: 'upload into own folder',
    rule: only(['outsider', 'viewer', 'member', 'admin', 'owner', 'service_role'], true),
    run: async (cell) => {
      const { error } = await cell.client.storage
        .from('avatars')
        .upload(`${own(cell)}/${uniqueSuffix()}.png`, 'me', { contentType: 'image/png' });
      return { allowed: !error, status: statusOf(error) };
    },
  },
  {
    subject: 'bucket avatars',
    op: "upload into a co-member's folder",
    rule: only(['service_role']),
    run: async (cell) => {
      const { error } = await cell.client.storage
        .from('avatars')
        .upload(`${someoneElse(cell)}/${uniqueSuffix()}.png`, 'not me', { contentType: 'image/png' });
      return { allowed: !error, status: statusOf(error) };
    },
  },
];

export const channelOperations: Operation[] = [
  {
    subject: 'channel project:<id>',
    op: 'join (presence and broadcasts)',
    rule: needs('projects.read'),
    run: async ({ client, tenant }) => joinOutcome(client, `project:${tenant.projectId}`, false),
  },
  {
    subject: 'channel project:<id>',
    op: 'send a broadcast',
    rule: needs('projects.read'),
    run: async ({ client, tenant }) => joinOutcome(client, `project:${tenant.projectId}`, true),
  },
  {
    subject: 'channel (any other private topic)',
    op: 'join',
    rule: only(['service_role']),
    run: async ({ client, tenant }) => joinOutcome(client, `workspace:${tenant.workspaceId}`, false),
  },
];
