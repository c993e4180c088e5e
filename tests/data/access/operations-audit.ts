import { uniqueSuffix } from '../support/fixtures.ts';
import { needs, type Operation, only, touchedRows } from './matrix.ts';

/** storage-js errors carry the HTTP status as a string; 200 when there was none. */
const statusOf = (error: unknown) => Number((error as { statusCode?: string } | null)?.statusCode ?? 200);

export const auditOperations: Operation[] = [
  {
    subject: 'audit_log',
    op: 'select',
    rule: needs('audit.read'),
    run: async ({ client, tenant }) =>
      touchedRows(
        await client.from('audit_log').select('id').eq('workspace_id', tenant.workspaceId).limit(1),
      ),
  },
  {
    subject: 'audit_log',
    op: 'insert',
    rule: only([]),
    run: async ({ client, tenant }) => {
      const res = await client.from('audit_log').insert({
        workspace_id: tenant.workspaceId,
        actor_type: 'user',
        action: 'forged',
        target_table: 'tasks',
        target_id: tenant.taskId,
      });
      return { allowed: !res.error, status: res.status };
    },
  },
  {
    subject: 'audit_log',
    op: 'update',
    rule: only([]),
    run: async ({ client, tenant }) =>
      touchedRows(
        await client
          .from('audit_log')
          .update({ action: 'forged' })
          .eq('workspace_id', tenant.workspaceId)
          .select('id'),
      ),
  },
  {
    subject: 'audit_log',
    op: 'delete',
    rule: only([]),
    run: async ({ client, tenant }) =>
      touchedRows(
        await client.from('audit_log').delete().eq('workspace_id', tenant.workspaceId).select('id'),
      ),
  },
  {
    subject: 'bucket audit-exports',
    op: "upload into the workspace's folder",
    rule: needs('audit.read'),
    run: async ({ client, tenant }) => {
      const { error } = await client.storage
        .from('audit-exports')
        .upload(`${tenant.workspaceId}/${uniqueSuffix()}.csv`, 'id\r\n', { contentType: 'text/csv' });
      return { allowed: !error, status: statusOf(error) };
    },
  },
  {
    subject: 'bucket audit-exports',
    op: 'download',
    rule: needs('audit.read'),
    run: async ({ client, tenant, service }) => {
      const path = `${tenant.workspaceId}/${uniqueSuffix()}.csv`;
      await service.storage.from('audit-exports').upload(path, 'id\r\n', { contentType: 'text/csv' });
      const { data, error } = await client.storage.from('audit-exports').download(path);
      return { allowed: !error && (await data.text()) === 'id\r\n', status: statusOf(error) };
    },
  },
  {
    subject: 'bucket audit-exports',
    op: 'replace or delete an export',
    rule: only(['service_role']),
    run: async ({ client, tenant, service }) => {
      const path = `${tenant.workspaceId}/${uniqueSuffix()}.csv`;
      await service.storage.from('audit-exports').upload(path, 'id\r\n', { contentType: 'text/csv' });
      const replaced = await client.storage
        .from('audit-exports')
        .upload(path, 'forged', { upsert: true, contentType: 'text/csv' });
      const removed = await client.storage.from('audit-exports').remove([path]);
      const allowed = !replaced.error || (!removed.error && removed.data.length === 1);
      return { allowed, status: Math.max(statusOf(replaced.error), statusOf(removed.error)) };
    },
  },
];
