import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the few Stripe API endpoints Groundwork's billing functions call
 * (Stripe itself cannot be reached from here). The functions' real `stripe` library is
 * pointed at it with STRIPE_API_HOST/PORT/PROTOCOL. It checks the secret key, parses
 * Stripe's form encoding (`items[0][quantity]=3`), honours Idempotency-Key as Stripe does
 * (same key and parameters: the first answer again, marked `Idempotent-Replayed`; same key,
 * other parameters: a 400 idempotency_error), records every request it received, and answers
 * Stripe-shaped objects:
 *
 *   POST /v1/customers                   customer
 *   POST /v1/checkout/sessions           checkout.session (mode subscription)
 *   POST /v1/billing_portal/sessions     billing_portal.session
 *   GET  /v1/subscriptions/:id           subscription
 *   POST /v1/subscriptions/:id           subscription, with items[i][quantity] applied
 *   DELETE /v1/subscriptions/:id         subscription, canceled now (400 when already canceled)
 */

export interface ReceivedRequest {
  method: string;
  path: string;
  params: Record<string, unknown>;
  idempotencyKey: string | undefined;
  /** Answered from the idempotency store instead of being applied again. */
  replayed: boolean;
}

export interface StandInSubscription {
  id: string;
  object: 'subscription';
  customer: string;
  status: string;
  metadata: Record<string, string>;
  cancel_at_period_end: boolean;
  created: number;
  items: {
    object: 'list';
    data: Array<{
      id: string;
      object: 'subscription_item';
      price: { id: string; object: 'price' };
      quantity: number;
      current_period_start: number;
      current_period_end: number;
    }>;
  };
}

export interface StripeStandIn extends AsyncDisposable {
  /** e.g. 127.0.0.1 and the port it listens on. */
  host: string;
  port: number;
  secretKey: string;
  received: ReceivedRequest[];
  subscriptions: Map<string, StandInSubscription>;
  /** How many times each subscription's quantity was really changed (replays not counted). */
  quantityChanges: Map<string, number>;
  /** How many times each subscription was really canceled (a refused second cancel not counted). */
  cancellations: Map<string, number>;
  /**
   * While true every request is recorded, then its connection is cut before anything is
   * applied: what Stripe being unreachable looks like to the caller.
   */
  unreachable: boolean;
  /** A subscription as a completed checkout would leave it. */
  createSubscription(input: {
    customer: string;
    price: string;
    quantity: number;
    status?: string;
    metadata?: Record<string, string>;
  }): StandInSubscription;
  /**
   * The next request to `path` is applied and stored, then its connection is cut before
   * the answer: what a network failure after Stripe acted looks like to the caller.
   */
  dropAnswerOnce(method: string, path: string): void;
  stop(): Promise<void>;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const stripeId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/** Stripe's form encoding (`a[b][0][c]=v`) to nested objects and arrays. */
export function parseStripeForm(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.split(/\[|\]\[|\]/).filter((part) => part !== '');
    let node: Record<string, unknown> | unknown[] = root;
    path.forEach((part, index) => {
      const last = index === path.length - 1;
      const container = node as Record<string, unknown>;
      if (last) {
        container[part] = value;
        return;
      }
      const nextIsIndex = /^\d+$/.test(path[index + 1] as string);
      container[part] ??= nextIsIndex ? [] : {};
      node = container[part] as Record<string, unknown>;
    });
  }
  return root;
}

function stripeError(response: ServerResponse, status: number, type: string, message: string, code?: string) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ error: { type, message, ...(code ? { code } : {}) } }));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startStripeStandIn(): Promise<StripeStandIn> {
  const secretKey = `sk_test_${randomBytes(12).toString('hex')}`;
  const received: ReceivedRequest[] = [];
  const subscriptions = new Map<string, StandInSubscription>();
  const quantityChanges = new Map<string, number>();
  const cancellations = new Map<string, number>();
  const idempotent = new Map<string, { params: string; status: number; body: string }>();
  const drops = new Set<string>();
  // Filled in once the server listens; the handler reads `unreachable` from it.
  const standIn = { unreachable: false } as StripeStandIn;

  const createSubscription: StripeStandIn['createSubscription'] = (input) => {
    const now = nowSeconds();
    const subscription: StandInSubscription = {
      id: stripeId('sub'),
      object: 'subscription',
      customer: input.customer,
      status: input.status ?? 'active',
      metadata: input.metadata ?? {},
      cancel_at_period_end: false,
      created: now,
      items: {
        object: 'list',
        data: [
          {
            id: stripeId('si'),
            object: 'subscription_item',
            price: { id: input.price, object: 'price' },
            quantity: input.quantity,
            current_period_start: now,
            current_period_end: now + 30 * 24 * 3600,
          },
        ],
      },
    };
    subscriptions.set(subscription.id, subscription);
    return subscription;
  };

  /** The answer to one request: status and object. */
  function handle(method: string, path: string, params: Record<string, unknown>): [number, unknown] {
    if (method === 'POST' && path === '/v1/customers') {
      return [
        200,
        {
          id: stripeId('cus'),
          object: 'customer',
          name: params.name ?? null,
          metadata: params.metadata ?? {},
        },
      ];
    }
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      const id = stripeId('cs_test');
      return [
        200,
        {
          id,
          object: 'checkout.session',
          mode: params.mode,
          status: 'open',
          customer: params.customer ?? null,
          client_reference_id: params.client_reference_id ?? null,
          metadata: params.metadata ?? {},
          subscription: null,
          success_url: params.success_url,
          cancel_url: params.cancel_url,
          url: `https://checkout.stripe.com/c/pay/${id}`,
        },
      ];
    }
    if (method === 'POST' && path === '/v1/billing_portal/sessions') {
      const id = stripeId('bps');
      return [
        200,
        {
          id,
          object: 'billing_portal.session',
          customer: params.customer,
          return_url: params.return_url ?? null,
          url: `https://billing.stripe.com/p/session/${id}`,
        },
      ];
    }
    const subscriptionPath = /^\/v1\/subscriptions\/(sub_[\w]+)$/.exec(path);
    if (subscriptionPath) {
      const subscription = subscriptions.get(subscriptionPath[1] as string);
      if (!subscription) return [404, { missing: subscriptionPath[1] }];
      if (method === 'GET') return [200, subscription];
      if (method === 'POST') {
        const items = (params.items ?? []) as Array<{ id?: string; quantity?: string }>;
        for (const change of items) {
          const item = subscription.items.data.find((candidate) => candidate.id === change.id);
          if (!item) return [400, { badItem: change.id }];
          if (change.quantity !== undefined) item.quantity = Number(change.quantity);
        }
        quantityChanges.set(subscription.id, (quantityChanges.get(subscription.id) ?? 0) + 1);
        return [200, subscription];
      }
      if (method === 'DELETE') {
        if (subscription.status === 'canceled') return [400, { alreadyCanceled: subscription.id }];
        subscription.status = 'canceled';
        Object.assign(subscription, { canceled_at: nowSeconds(), ended_at: nowSeconds() });
        cancellations.set(subscription.id, (cancellations.get(subscription.id) ?? 0) + 1);
        return [200, subscription];
      }
    }
    return [404, { unknownPath: path }];
  }

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const method = request.method ?? 'GET';
    const raw = await readBody(request);
    const params = method === 'GET' ? parseStripeForm(url.search.slice(1)) : parseStripeForm(raw);
    const idempotencyKey = (request.headers['idempotency-key'] as string | undefined) ?? undefined;
    const record: ReceivedRequest = { method, path: url.pathname, params, idempotencyKey, replayed: false };
    received.push(record);
    if (standIn.unreachable) {
      request.socket.destroy();
      return;
    }

    if (request.headers.authorization !== `Bearer ${secretKey}`) {
      stripeError(response, 401, 'invalid_request_error', 'Invalid API Key provided');
      return;
    }
    const stored = idempotencyKey ? idempotent.get(idempotencyKey) : undefined;
    if (stored) {
      if (stored.params !== JSON.stringify(params)) {
        stripeError(
          response,
          400,
          'idempotency_error',
          'Keys for idempotent requests can only be used with the same parameters they were first used with.',
        );
        return;
      }
      record.replayed = true;
      response.writeHead(stored.status, {
        'content-type': 'application/json',
        'idempotent-replayed': 'true',
      });
      response.end(stored.body);
      return;
    }

    const [status, object] = handle(method, url.pathname, params);
    if (status === 404) {
      stripeError(
        response,
        404,
        'invalid_request_error',
        `No such resource: ${url.pathname}`,
        'resource_missing',
      );
      return;
    }
    if (status === 400) {
      stripeError(response, 400, 'invalid_request_error', 'Invalid parameters', 'parameter_invalid');
      return;
    }
    const body = JSON.stringify(object);
    if (idempotencyKey && method === 'POST')
      idempotent.set(idempotencyKey, { params: JSON.stringify(params), status, body });
    const dropKey = `${method} ${url.pathname}`;
    if (drops.delete(dropKey)) {
      request.socket.destroy();
      return;
    }
    response.writeHead(status, { 'content-type': 'application/json', 'request-id': stripeId('req') });
    response.end(body);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  Object.assign(standIn, {
    host: '127.0.0.1',
    port,
    secretKey,
    received,
    subscriptions,
    quantityChanges,
    cancellations,
    createSubscription,
    dropAnswerOnce: (method: string, path: string) => drops.add(`${method} ${path}`),
    stop,
    [Symbol.asyncDispose]: stop,
  });
  return standIn;
}
