/**
 * `@groundwork/sdk/webhooks` — outbound webhooks, in an entry point of their own so apps that
 * don't use them bundle none of it (the main entry stays within its size target):
 *  - `webhooksApi(gw)`: endpoints, secrets, deliveries, replay and test events, for managers;
 *  - `verifyWebhook(body, headers, secret)`: for receivers, on the `standardwebhooks` library.
 * Each tree-shakes on its own: a receiver importing only verifyWebhook gets no API code.
 */
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { createSdkContext, type GroundworkSupabaseClient } from './context.ts';
import { createWebhooksApi, type WebhooksApi } from './modules/webhooks.ts';

export type {
  WebhookDelivery,
  WebhookDeliveryAttempt,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookEventType,
} from './types.ts';
export { createWebhooksApi, type WebhooksApi, WebhookVerificationError };

/**
 * The webhooks API on a Groundwork client (or anything holding its supabase-js client),
 * acting as its signed-in user.
 *
 * @example
 * ```ts
 * import { createGroundworkClient } from '@groundwork/sdk';
 * import { webhooksApi } from '@groundwork/sdk/webhooks';
 *
 * const gw = createGroundworkClient({ url, key });
 * const webhooks = webhooksApi(gw);
 * const { id, secret } = await webhooks.createEndpoint({ workspace_id, url: 'https://example.com/hooks' });
 * ```
 */
export function webhooksApi(client: { supabase: GroundworkSupabaseClient }): WebhooksApi {
  return createWebhooksApi(createSdkContext(client.supabase));
}

/** What every Groundwork webhook carries. */
export interface WebhookPayload<
  Data = { object: Record<string, unknown>; previous?: Record<string, unknown> },
> {
  /** `task.created`, `comment.updated`, `member.joined`, `webhook.test`, … */
  type: string;
  /** When the change committed, ISO 8601 in UTC. */
  timestamp: string;
  data: Data;
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function headerRecord(headers: HeaderSource): Record<string, string> {
  if (typeof (headers as Headers).get === 'function') {
    const source = headers as Headers;
    return Object.fromEntries(
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, source.get(name) ?? '']),
    );
  }
  const record: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (value !== undefined) record[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return record;
}

/**
 * Verifies a delivery and returns its parsed payload; throws `WebhookVerificationError` for a
 * wrong or missing signature, or a timestamp more than 5 minutes off. Pass the body exactly as
 * received (the raw text, before any JSON parsing), the request's headers, and the endpoint's
 * secret (`whsec_…`). Use the `webhook-id` header to drop duplicates: delivery is at least once.
 *
 * @example
 * ```ts
 * import { verifyWebhook } from '@groundwork/sdk/webhooks';
 *
 * export default async function handle(request: Request): Promise<Response> {
 *   const body = await request.text();
 *   try {
 *     const event = verifyWebhook(body, request.headers, process.env.GROUNDWORK_WEBHOOK_SECRET!);
 *     console.log(event.type, event.data.object.id);
 *     return new Response(null, { status: 204 });
 *   } catch {
 *     return new Response('bad signature', { status: 400 });
 *   }
 * }
 * ```
 */
export function verifyWebhook<Data = WebhookPayload['data']>(
  body: string,
  headers: HeaderSource,
  secret: string,
): WebhookPayload<Data> {
  return new Webhook(secret).verify(body, headerRecord(headers)) as WebhookPayload<Data>;
}
