import type { Tenant } from '../support/fixtures.ts';
import {
  type Cell,
  needs,
  notForServiceRole,
  type Operation,
  one,
  only,
  succeeded,
  touchedRows,
} from './matrix.ts';

// Nothing listens here: a delivery the dispatcher claims fails at once (connection refused).
const NOWHERE = 'http://127.0.0.1:9/matrix';

/**
 * An endpoint of the workspace with its signing secret, stored as create_webhook_endpoint stores
 * it (as the database owner: the workspace may require MFA of its people), and switched off
 * unless asked: the shared workspace's changes must not queue deliveries for it.
 */
async function seedEndpoint(db: Cell['db'], tenant: Tenant, enabled = false): Promise<string> {
  const endpoint = await one<{ id: string }>(
    db,
    `insert into public.webhook_endpoints (workspace_id, url, description, event_types, enabled)
     values ($1, $2, 'Matrix', '{webhook.test}', $3) returning id`,
    [tenant.workspaceId, NOWHERE, enabled],
  );
  await db.query(
    `insert into private.webhook_endpoint_secrets (endpoint_id, secret_id)
     values ($1, vault.create_secret(private.new_webhook_secret(), null, 'webhook signing secret'))`,
    [endpoint.id],
  );
  return endpoint.id;
}

/** A failed delivery of an event to an endpoint, with one attempt, written as the dispatcher would leave it. */
async function seedFailedDelivery(db: Cell['db'], tenant: Tenant, endpointId: string): Promise<string> {
  const event = await one<{ id: string }>(
    db,
    `insert into public.webhook_events (workspace_id, type, payload)
     values ($1, 'webhook.test', '{"type":"webhook.test","data":{}}') returning id`,
    [tenant.workspaceId],
  );
  const delivery = await one<{ id: string }>(
    db,
    `insert into public.webhook_deliveries
       (event_id, endpoint_id, workspace_id, event_type, status, attempts, last_status_code)
     values ($1, $2, $3, 'webhook.test', 'failed', 8, 500) returning id`,
    [event.id, endpointId, tenant.workspaceId],
  );
  await db.query(
    `insert into public.webhook_delivery_attempts (delivery_id, endpoint_id, workspace_id, status_code, latency_ms)
     values ($1, $2, $3, 500, 12)`,
    [delivery.id, endpointId, tenant.workspaceId],
  );
  return delivery.id;
}

/** The shared workspace's one disabled endpoint with a failed delivery, made on first use. */
const seeded = new Map<string, Promise<{ endpointId: string; deliveryId: string }>>();
function seededEndpoint(db: Cell['db'], tenant: Tenant) {
  let entry = seeded.get(tenant.workspaceId);
  if (!entry) {
    entry = seedEndpoint(db, tenant).then(async (endpointId) => ({
      endpointId,
      deliveryId: await seedFailedDelivery(db, tenant, endpointId),
    }));
    seeded.set(tenant.workspaceId, entry);
    // A failed seed is not kept: the next case tries again and reports its own error.
    entry.catch(() => seeded.delete(tenant.workspaceId));
  }
  return entry;
}

/** Reads of one table of the workspace's webhook records. */
function readOf(subject: string): Operation {
  return {
    subject,
    op: 'select',
    rule: needs('webhooks.manage'),
    run: async ({ client, tenant, db }) => {
      await seededEndpoint(db, tenant);
      return touchedRows(
        await client.from(subject).select('workspace_id').eq('workspace_id', tenant.workspaceId),
      );
    },
  };
}

// Endpoints, their events, deliveries and attempts exist only for holders of webhooks.manage
// (docs/webhooks.md); the RPCs need a signed-in user, so the service role is refused them.
export const webhookOperations: Operation[] = [
  readOf('webhook_endpoints'),
  readOf('webhook_events'),
  readOf('webhook_deliveries'),
  readOf('webhook_delivery_attempts'),
  {
    subject: 'webhook_endpoints',
    op: 'update',
    rule: notForServiceRole(needs('webhooks.manage')),
    run: async ({ client, tenant, db }) => {
      const { endpointId } = await seededEndpoint(db, tenant);
      return touchedRows(
        await client
          .from('webhook_endpoints')
          .update({ description: 'Renamed by the matrix' })
          .eq('id', endpointId)
          .select('id'),
      );
    },
  },
  {
    subject: 'webhook_endpoints',
    op: 'delete',
    rule: notForServiceRole(needs('webhooks.manage')),
    run: async ({ client, tenant, db }) => {
      const endpointId = await seedEndpoint(db, tenant);
      return touchedRows(await client.from('webhook_endpoints').delete().eq('id', endpointId).select('id'));
    },
  },
  {
    // Endpoints come with a secret, so only through the RPC: no API role inserts rows.
    subject: 'webhook_endpoints',
    op: 'insert',
    rule: only([]),
    run: async ({ client, tenant }) => {
      const res = await client
        .from('webhook_endpoints')
        .insert({ workspace_id: tenant.workspaceId, url: NOWHERE, enabled: false });
      return { allowed: !res.error, status: res.status };
    },
  },
  {
    subject: 'rpc',
    op: 'create_webhook_endpoint',
    rule: notForServiceRole(needs('webhooks.manage')),
    run: async ({ client, tenant, db }) => {
      const res = await client.rpc('create_webhook_endpoint', {
        workspace_id: tenant.workspaceId,
        url: NOWHERE,
        event_types: ['webhook.test'],
      });
      const id = (res.data as { id?: string } | null)?.id;
      if (id) await db.query('update public.webhook_endpoints set enabled = false where id = $1', [id]);
      return succeeded(res);
    },
  },
  {
    subject: 'rpc',
    op: 'rotate_webhook_secret',
    rule: notForServiceRole(needs('webhooks.manage')),
    run: async ({ client, tenant, db }) => {
      const { endpointId } = await seededEndpoint(db, tenant);
      return succeeded(await client.rpc('rotate_webhook_secret', { endpoint_id: endpointId }));
    },
  },
  {
    subject: 'rpc',
    op: 'send_test_webhook',
    rule: notForServiceRole(needs('webhooks.manage')),
    run: async ({ client, tenant, db }) => {
      const endpointId = await seedEndpoint(db, tenant, true);
      const res = await client.rpc('send_test_webhook', { endpoint_id: endpointId });
      await db.query('update public.webhook_endpoints set enabled = false where id = $1', [endpointId]);
      return succeeded(res);
    },
  },
  {
    subject: 'rpc',
    op: 'replay_webhook_delivery',
    rule: notForServiceRole(needs('webhooks.manage')),
    run: async ({ client, tenant, db }) => {
      const { deliveryId } = await seededEndpoint(db, tenant);
      return succeeded(await client.rpc('replay_webhook_delivery', { delivery_id: deliveryId }));
    },
  },
  {
    subject: 'rpc',
    op: 'replay_failed_webhook_deliveries',
    rule: notForServiceRole(needs('webhooks.manage')),
    run: async ({ client, tenant, db }) => {
      const endpointId = await seedEndpoint(db, tenant);
      await seedFailedDelivery(db, tenant, endpointId);
      const res = await client.rpc('replay_failed_webhook_deliveries', {
        endpoint_id: endpointId,
        since: '2000-01-01T00:00:00Z',
      });
      return { allowed: !res.error && res.data === 1, status: res.status };
    },
  },
];
