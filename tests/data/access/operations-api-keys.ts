import { randomBytes } from 'node:crypto';
import { needs, needsToGive, notForServiceRole, type Operation, one, only, succeeded } from './matrix.ts';

/** A key of the workspace made directly in the database (as its owner would through create_api_key). */
async function seedKey(db: Parameters<Operation['run']>[0]['db'], workspaceId: string): Promise<string> {
  const prefix = `gw_${randomBytes(6).toString('hex')}`;
  const row = await one<{ id: string }>(
    db,
    `insert into private.api_keys (workspace_id, name, prefix, secret_hash, permissions)
     values ($1, 'Matrix key', $2, sha256(convert_to($3, 'UTF8')), '{tasks.read}') returning id`,
    [workspaceId, prefix, `${prefix}_${randomBytes(32).toString('base64url')}`],
  );
  return row.id;
}

// Keys are managed by people holding api_keys.manage (the service role manages them in SQL).
export const apiKeyOperations: Operation[] = [
  {
    subject: 'rpc',
    op: 'create_api_key (holding tasks.read)',
    rule: notForServiceRole(needsToGive(['api_keys.manage'], ['tasks.read'])),
    run: async ({ client, tenant }) =>
      succeeded(
        await client.rpc('create_api_key', {
          workspace_id: tenant.workspaceId,
          name: 'CI',
          permissions: ['tasks.read'],
        }),
      ),
  },
  {
    subject: 'rpc',
    op: 'list_api_keys',
    rule: notForServiceRole(needs('api_keys.manage')),
    run: async ({ client, tenant }) =>
      succeeded(await client.rpc('list_api_keys', { workspace_id: tenant.workspaceId })),
  },
  {
    subject: 'rpc',
    op: 'revoke_api_key',
    rule: notForServiceRole(needs('api_keys.manage')),
    run: async ({ client, tenant, db }) => {
      const keyId = await seedKey(db, tenant.workspaceId);
      const res = await client.rpc('revoke_api_key', { key_id: keyId });
      const revoked = await one<{ revoked: boolean }>(
        db,
        'select revoked_at is not null as revoked from private.api_keys where id = $1',
        [keyId],
      );
      return { allowed: !res.error && revoked.revoked, status: res.status };
    },
  },
  {
    // Answers only a request made with an API key (tests/data/api-keys.test.ts).
    subject: 'rpc',
    op: 'current_api_key',
    rule: only([]),
    run: async ({ client }) => succeeded(await client.rpc('current_api_key')),
  },
];
