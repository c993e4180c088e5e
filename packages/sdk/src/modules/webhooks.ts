import type { SdkContext } from '../context.ts';
import { oneRow, parseInput, rows } from '../query-result.ts';
import { requireRow } from '../row-access.ts';
import { id as idSchema } from '../schemas/fields.ts';
import type {
  WebhookDelivery,
  WebhookDeliveryAttempt,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookEventType,
} from '../types.ts';

// Endpoint rows hold no secret (those are in Vault), so every column can be read. URLs and
// filters are checked by the database (invalid_webhook_url, invalid_event_type): repeating those
// checks here would grow the SDK's bundle past its target for no fewer round trips in practice.
const WEBHOOK_ENDPOINT_COLUMNS = '*';

export type WebhooksApi = ReturnType<typeof createWebhooksApi>;

/**
 * Outbound webhooks (Standard Webhooks): endpoints of a workspace, their signing secrets,
 * deliveries and attempts. Everything needs `webhooks.manage`; without it endpoints are
 * invisible (`not_found`). Receivers verify deliveries with `verifyWebhook` from
 * `@groundwork/sdk/webhooks`; get this API with `webhooksApi(gw)` from there.
 */
export function createWebhooksApi(ctx: SdkContext) {
  const { supabase } = ctx;
  return {
    /**
     * Adds an endpoint. The answer carries its signing secret (`whsec_…`) — the only time it
     * is shown; store it where the receiver reads it. `event_types` filters (`['task.*']`);
     * empty or left out: every event.
     *
     * @example
     * ```ts
     * const { id, secret } = await webhooks.createEndpoint({
     *   workspace_id, url: 'https://example.com/hooks/groundwork', event_types: ['task.*'],
     * });
     * ```
     */
    async createEndpoint(input: {
      workspace_id: string;
      url: string;
      description?: string;
      event_types?: string[];
    }): Promise<WebhookEndpointWithSecret> {
      return (await rows(
        supabase.rpc('create_webhook_endpoint', {
          workspace_id: parseInput(idSchema, input.workspace_id),
          url: input.url,
          description: input.description ?? '',
          event_types: input.event_types ?? [],
        }),
      )) as unknown as WebhookEndpointWithSecret;
    },

    /**
     * The workspace's endpoints, oldest first (never their secrets).
     *
     * @example
     * ```ts
     * const endpoints = await webhooks.listEndpoints(workspaceId);
     * ```
     */
    async listEndpoints(workspaceId: string): Promise<WebhookEndpoint[]> {
      const id = parseInput(idSchema, workspaceId);
      return rows(
        supabase
          .from('webhook_endpoints')
          .select(WEBHOOK_ENDPOINT_COLUMNS)
          .eq('workspace_id', id)
          .order('created_at')
          .order('id'),
      );
    },

    /**
     * Changes an endpoint's URL, description, filter or enabled flag. Enabling a disabled
     * endpoint clears why it was disabled; its waiting deliveries go out.
     *
     * @example
     * ```ts
     * await webhooks.updateEndpoint(endpointId, { enabled: false });
     * ```
     */
    async updateEndpoint(
      endpointId: string,
      patch: { url?: string; description?: string; event_types?: string[]; enabled?: boolean },
    ): Promise<WebhookEndpoint> {
      const id = parseInput(idSchema, endpointId);
      const updated = await rows(
        supabase
          .from('webhook_endpoints')
          .update(patch)
          .eq('id', id)
          .select(WEBHOOK_ENDPOINT_COLUMNS)
          .maybeSingle(),
      );
      return requireRow(ctx, updated, 'webhook_endpoints', { id }, 'webhook endpoint');
    },

    /**
     * Deletes an endpoint with its secrets and delivery history.
     *
     * @example
     * ```ts
     * await webhooks.deleteEndpoint(endpointId);
     * ```
     */
    async deleteEndpoint(endpointId: string): Promise<void> {
      const id = parseInput(idSchema, endpointId);
      const deleted = await rows(
        supabase.from('webhook_endpoints').delete().eq('id', id).select('id').maybeSingle(),
      );
      await requireRow(ctx, deleted, 'webhook_endpoints', { id }, 'webhook endpoint');
    },

    /**
     * A new signing secret, shown once. Until `previous_valid_until` (24 h) deliveries carry
     * signatures by both secrets, so receivers can switch without missing one.
     *
     * @example
     * ```ts
     * const { secret } = await webhooks.rotateSecret(endpointId);
     * ```
     */
    async rotateSecret(
      endpointId: string,
    ): Promise<{ endpoint_id: string; secret: string; previous_valid_until: string }> {
      const id = parseInput(idSchema, endpointId);
      return (await rows(supabase.rpc('rotate_webhook_secret', { endpoint_id: id }))) as unknown as {
        endpoint_id: string;
        secret: string;
        previous_valid_until: string;
      };
    },

    /**
     * An endpoint's deliveries, newest first, optionally by status (`failed` is the dead letter).
     *
     * @example
     * ```ts
     * const failed = await webhooks.listDeliveries({ endpoint_id, status: 'failed' });
     * ```
     */
    async listDeliveries(options: {
      endpoint_id: string;
      status?: WebhookDelivery['status'];
      limit?: number;
    }): Promise<WebhookDelivery[]> {
      const endpointId = parseInput(idSchema, options.endpoint_id);
      let query = supabase.from('webhook_deliveries').select('*').eq('endpoint_id', endpointId);
      if (options.status) query = query.eq('status', options.status);
      return rows(
        query
          .order('created_at', { ascending: false })
          .order('id')
          .limit(options.limit ?? 100),
      );
    },

    /**
     * Every attempt of a delivery in order: time, HTTP status (null without a response),
     * latency, the response's first 1,000 characters, the error.
     *
     * @example
     * ```ts
     * const attempts = await webhooks.listAttempts(deliveryId);
     * ```
     */
    async listAttempts(deliveryId: string): Promise<WebhookDeliveryAttempt[]> {
      const id = parseInput(idSchema, deliveryId);
      return rows(supabase.from('webhook_delivery_attempts').select('*').eq('delivery_id', id).order('id'));
    },

    /**
     * Sends one delivery again now (same `webhook-id`), with a fresh retry schedule.
     *
     * @example
     * ```ts
     * await webhooks.replay(deliveryId);
     * ```
     */
    async replay(deliveryId: string): Promise<WebhookDelivery> {
      const id = parseInput(idSchema, deliveryId);
      return oneRow(supabase.rpc('replay_webhook_delivery', { delivery_id: id }).maybeSingle(), 'Delivery');
    },

    /**
     * Sends again every failed delivery of an endpoint since a time; answers how many.
     *
     * @example
     * ```ts
     * const count = await webhooks.replayFailed(endpointId, '2025-01-31T00:00:00Z');
     * ```
     */
    async replayFailed(endpointId: string, since: string | Date): Promise<number> {
      const id = parseInput(idSchema, endpointId);
      const at = since instanceof Date ? since.toISOString() : since;
      return rows(supabase.rpc('replay_failed_webhook_deliveries', { endpoint_id: id, since: at }));
    },

    /**
     * Sends a `webhook.test` event to this endpoint only; answers its delivery.
     *
     * @example
     * ```ts
     * const delivery = await webhooks.sendTest(endpointId);
     * ```
     */
    async sendTest(endpointId: string): Promise<WebhookDelivery> {
      const id = parseInput(idSchema, endpointId);
      return oneRow(supabase.rpc('send_test_webhook', { endpoint_id: id }).maybeSingle(), 'Delivery');
    },

    /**
     * The event types endpoints can subscribe to.
     *
     * @example
     * ```ts
     * const types = await webhooks.eventTypes(); // [{ type: 'comment.created', … }, …]
     * ```
     */
    async eventTypes(): Promise<WebhookEventType[]> {
      return rows(supabase.from('webhook_event_types').select('*').order('type'));
    },
  };
}
