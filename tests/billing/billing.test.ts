import { randomBytes, randomUUID } from 'node:crypto';
import { startTestDatabase, type TestDatabase } from '@groundwork/local-stack/testing';
import { createGroundworkClient, isGroundworkError } from '@groundwork/sdk';
import { createClient } from '@supabase/supabase-js';
import type pg from 'pg';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTenant, createUser, invite, type Tenant, type TestUser } from '../data/support/fixtures.ts';
import { connect, errorAs, queryAs } from '../data/support/sql-identity.ts';
import { type ReceivedRequest, type StripeStandIn, startStripeStandIn } from './support/stripe-stand-in.ts';

// Billing end to end on a copy of the shared stack's database of its own (startTestDatabase:
// its own Auth, Functions and pg_net worker, with secrets pointing at the stand-in, and its own
// billing_prices row and subscriptions, which no other file sees). The billing functions run on
// real Deno with the real `stripe` library pointed at a local Stripe stand-in
// (STRIPE_API_HOST/PORT/PROTOCOL in [edge_runtime.secrets]); webhook events are signed with the
// library's test-header helper and posted to the real stripe-webhook function; seat changes
// travel trigger → pg_net → billing-sync-seats → the stand-in.

const WEBHOOK_SECRET = `whsec_${randomBytes(16).toString('hex')}`;
const PRO_PRICE = 'price_pro_monthly';

let standIn: StripeStandIn;
let stack: TestDatabase;
let db: pg.Client;
const stripe = new Stripe('sk_test_for_signing_only');

beforeAll(async () => {
  standIn = await startStripeStandIn();
  stack = await startTestDatabase({
    dbUrl: inject('stack').dbUrl,
    workdir: new URL('../..', import.meta.url).pathname,
    configOverrides: {
      // Every test signs people in from one address; the project's limits would throttle the suite.
      auth: {
        rate_limit: { sign_in_sign_ups: 100_000, token_refresh: 100_000, token_verifications: 100_000 },
      },
      edge_runtime: {
        secrets: {
          STRIPE_SECRET_KEY: standIn.secretKey,
          STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
          STRIPE_API_HOST: standIn.host,
          STRIPE_API_PORT: String(standIn.port),
          STRIPE_API_PROTOCOL: 'http',
        },
      },
    },
  });
  db = connect(stack.status.DB_URL);
  await db.connect();
  await db.query('insert into public.billing_prices (stripe_price_id, plan_id) values ($1, $2)', [
    PRO_PRICE,
    'pro',
  ]);
}, 180_000);

afterAll(async () => {
  await db?.end();
  await stack?.stop();
  await standIn?.stop();
});

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

const tokens = new Map<string, Promise<string>>();
function accessToken(user: TestUser): Promise<string> {
  let token = tokens.get(user.id);
  if (!token) {
    token = signIn(user);
    tokens.set(user.id, token);
  }
  return token;
}

async function signIn(user: TestUser): Promise<string> {
  const response = await fetch(`${stack.apiUrl}/auth/v1/token?grant_type=password`, {
    method: 'POST',
    headers: { apikey: stack.keys.anonKey, 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email, password: 'password123' }),
  });
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

async function callFunction(
  name: string,
  body: unknown,
  user?: TestUser,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const token = user ? await accessToken(user) : stack.keys.anonKey;
  const response = await fetch(`${stack.apiUrl}/functions/v1/${name}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      apikey: stack.keys.anonKey,
      'content-type': 'application/json',
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

let clock = Math.floor(Date.now() / 1000);
/** Event times that only go forward, so each test picks "newer" and "older" explicitly. */
function later(seconds = 10): number {
  clock += seconds;
  return clock;
}

function stripeEvent(type: string, object: unknown, created = later()) {
  return {
    id: `evt_${randomBytes(12).toString('hex')}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

async function postEvent(
  event: unknown,
  sign: (payload: string) => string | undefined = (payload) =>
    stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }),
): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = JSON.stringify(event);
  const signature = sign(payload);
  const response = await fetch(`${stack.apiUrl}/functions/v1/stripe-webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
    body: payload,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

interface SubscriptionRow {
  plan: string;
  status: string | null;
  quantity: number | null;
  past_due_since: Date | null;
  stripe_subscription_id: string | null;
}

async function billingRow(workspaceId: string): Promise<SubscriptionRow> {
  const { rows } = await db.query<SubscriptionRow>(
    `select w.plan, s.status, s.quantity, s.past_due_since, s.stripe_subscription_id
     from public.workspaces as w left join public.workspace_subscriptions as s on s.workspace_id = w.id
     where w.id = $1`,
    [workspaceId],
  );
  return rows[0] as SubscriptionRow;
}

/** Requests the stand-in received from `mark` on (see `mark()`). */
function since(mark: number, filter: (request: ReceivedRequest) => boolean = () => true): ReceivedRequest[] {
  return standIn.received.slice(mark).filter(filter);
}
const mark = () => standIn.received.length;

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A workspace whose owner checked out and whose subscription Stripe reports active. */
async function subscribedTenant(
  quantity?: number,
): Promise<{ t: Tenant; subscription: ReturnType<StripeStandIn['createSubscription']> }> {
  const t = await createTenant(db, 'free');
  const checkout = await callFunction(
    'billing-checkout',
    { workspaceId: t.workspaceId, plan: 'pro' },
    t.users.owner,
  );
  expect(checkout.status).toBe(200);
  const { rows } = await db.query<{ stripe_customer_id: string }>(
    'select stripe_customer_id from public.workspace_subscriptions where workspace_id = $1',
    [t.workspaceId],
  );
  const customer = rows[0]?.stripe_customer_id as string;
  const subscription = standIn.createSubscription({
    customer,
    price: PRO_PRICE,
    quantity: quantity ?? 4,
    metadata: { workspace_id: t.workspaceId },
  });
  const completed = await postEvent(
    stripeEvent('checkout.session.completed', {
      id: checkout.body.id,
      object: 'checkout.session',
      mode: 'subscription',
      status: 'complete',
      customer,
      client_reference_id: t.workspaceId,
      metadata: { workspace_id: t.workspaceId },
      subscription: subscription.id,
    }),
  );
  expect(completed).toEqual({ status: 200, body: { received: true, outcome: 'applied' } });
  return { t, subscription };
}

function subscriptionObject(
  subscription: ReturnType<StripeStandIn['createSubscription']>,
  changes: { status?: string; quantity?: number; price?: string } = {},
) {
  const copy = structuredClone(subscription);
  if (changes.status) copy.status = changes.status;
  const item = copy.items.data[0];
  if (item && changes.quantity !== undefined) item.quantity = changes.quantity;
  if (item && changes.price) item.price = { id: changes.price, object: 'price' };
  return copy;
}

function invoiceObject(
  subscription: ReturnType<StripeStandIn['createSubscription']>,
  status: 'paid' | 'open',
) {
  return {
    id: `in_${randomBytes(8).toString('hex')}`,
    object: 'invoice',
    customer: subscription.customer,
    status,
    parent: {
      type: 'subscription_details',
      quote_details: null,
      subscription_details: { subscription: subscription.id, metadata: subscription.metadata },
    },
  };
}

async function createProjectAs(user: TestUser, workspaceId: string) {
  const key = `P${randomBytes(3).toString('hex').toUpperCase()}`;
  return errorAs(db, user, 'insert into public.projects (workspace_id, name, key) values ($1, $2, $3)', [
    workspaceId,
    `Project ${key}`,
    key,
  ]);
}

// ---------------------------------------------------------------------------
// billing-checkout and billing-portal
// ---------------------------------------------------------------------------

describe('billing-checkout', () => {
  it('creates a Checkout session for the plan, one seat per member and pending invitation, the workspace as reference', async () => {
    const t = await createTenant(db, 'free');
    await invite(db, t.users.admin, t.workspaceId, `pending-${randomBytes(4).toString('hex')}@example.test`);
    const from = mark();
    const result = await callFunction(
      'billing-checkout',
      { workspaceId: t.workspaceId, plan: 'pro', successUrl: 'https://app.example.com/paid' },
      t.users.owner,
    );
    expect(result.status).toBe(200);
    expect(result.body.url).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);

    const [customer, session] = since(from);
    expect(customer).toMatchObject({
      method: 'POST',
      path: '/v1/customers',
      params: { metadata: { workspace_id: t.workspaceId } },
    });
    expect(customer?.idempotencyKey).toBe(`groundwork-customer-${t.workspaceId}`);
    expect(session).toMatchObject({
      method: 'POST',
      path: '/v1/checkout/sessions',
      params: {
        mode: 'subscription',
        client_reference_id: t.workspaceId,
        // owner, admin, member, viewer + one pending invitation
        line_items: [{ price: PRO_PRICE, quantity: '5' }],
        subscription_data: { metadata: { workspace_id: t.workspaceId } },
        success_url: 'https://app.example.com/paid',
      },
    });
    expect((await billingRow(t.workspaceId)).plan).toBe('free'); // nothing changes before Stripe says so
  });

  it('refuses non-holders of billing.manage, outsiders as for a workspace that does not exist, bad input; Stripe hears nothing', async () => {
    const t = await createTenant(db, 'free');
    const from = mark();
    const member = await callFunction(
      'billing-checkout',
      { workspaceId: t.workspaceId, plan: 'pro' },
      t.users.member,
    );
    expect(member.status).toBe(403);
    expect(member.body.code).toBe('forbidden');
    const outsider = await callFunction(
      'billing-checkout',
      { workspaceId: t.workspaceId, plan: 'pro' },
      t.users.outsider,
    );
    const nowhere = await callFunction(
      'billing-checkout',
      { workspaceId: randomUUID(), plan: 'pro' },
      t.users.outsider,
    );
    expect(outsider).toEqual({
      status: 404,
      body: { code: 'workspace_not_found', message: 'No such workspace' },
    });
    expect(nowhere).toEqual(outsider);
    expect(
      (await callFunction('billing-checkout', { workspaceId: t.workspaceId, plan: 'pro' })).body.code,
    ).toBe('not_authenticated');
    const invalid = await callFunction(
      'billing-checkout',
      { workspaceId: 'nope', plan: 'Pro!' },
      t.users.owner,
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('validation_failed');
    expect(Object.keys(invalid.body.fields as object).sort()).toEqual(['plan', 'workspaceId']);
    expect((await callFunction('billing-checkout', 'not json', t.users.owner)).body.code).toBe(
      'validation_failed',
    );
    const unsold = await callFunction(
      'billing-checkout',
      { workspaceId: t.workspaceId, plan: 'free' },
      t.users.owner,
    );
    expect(unsold.status).toBe(400);
    expect(unsold.body.code).toBe('unknown_plan');
    // Sentinel: an allowed call afterwards is the first thing Stripe received since the mark.
    expect(
      (await callFunction('billing-checkout', { workspaceId: t.workspaceId, plan: 'pro' }, t.users.owner))
        .status,
    ).toBe(200);
    expect(since(from).map((request) => request.path)).toEqual(['/v1/customers', '/v1/checkout/sessions']);
  });

  it('refuses a second subscription (subscription_exists)', async () => {
    const { t } = await subscribedTenant();
    const again = await callFunction(
      'billing-checkout',
      { workspaceId: t.workspaceId, plan: 'pro' },
      t.users.owner,
    );
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('subscription_exists');
  });
});

describe('billing-portal', () => {
  it('opens the Billing Portal for the workspace customer; before any checkout there is none', async () => {
    const t = await createTenant(db, 'free');
    const before = await callFunction('billing-portal', { workspaceId: t.workspaceId }, t.users.owner);
    expect(before.status).toBe(409);
    expect(before.body.code).toBe('billing_account_missing');

    await callFunction('billing-checkout', { workspaceId: t.workspaceId, plan: 'pro' }, t.users.owner);
    const from = mark();
    const portal = await callFunction(
      'billing-portal',
      { workspaceId: t.workspaceId, returnUrl: 'https://app.example.com/settings' },
      t.users.owner,
    );
    expect(portal.status).toBe(200);
    expect(portal.body.url).toMatch(/^https:\/\/billing\.stripe\.com\/p\/session\/bps_/);
    const { rows } = await db.query(
      'select stripe_customer_id from public.workspace_subscriptions where workspace_id = $1',
      [t.workspaceId],
    );
    expect(since(from)).toMatchObject([
      {
        method: 'POST',
        path: '/v1/billing_portal/sessions',
        params: { customer: rows[0].stripe_customer_id, return_url: 'https://app.example.com/settings' },
      },
    ]);
  });

  it('answers a viewer forbidden and an outsider exactly as for a random workspace', async () => {
    const t = await createTenant(db, 'free');
    const viewer = await callFunction('billing-portal', { workspaceId: t.workspaceId }, t.users.viewer);
    expect(viewer.status).toBe(403);
    const outsider = await callFunction('billing-portal', { workspaceId: t.workspaceId }, t.users.outsider);
    expect(outsider.status).toBe(404);
    expect(await callFunction('billing-portal', { workspaceId: randomUUID() }, t.users.outsider)).toEqual(
      outsider,
    );
  });
});

describe('billing_subscription()', () => {
  it('answers an outsider exactly as for a workspace that does not exist, a member without billing.manage forbidden', async () => {
    const t = await createTenant(db, 'free');
    const real = await errorAs(db, t.users.outsider, 'select * from public.billing_subscription($1)', [
      t.workspaceId,
    ]);
    const none = await errorAs(db, t.users.outsider, 'select * from public.billing_subscription($1)', [
      randomUUID(),
    ]);
    expect([real?.code, real?.message]).toEqual(['PT404', 'workspace_not_found']);
    expect([none?.code, none?.message, none?.detail]).toEqual([real?.code, real?.message, real?.detail]);
    const member = await errorAs(db, t.users.member, 'select * from public.billing_subscription($1)', [
      t.workspaceId,
    ]);
    expect(member?.message).toBe('forbidden');
    const [admin] = await queryAs(db, t.users.admin, 'select * from public.billing_subscription($1)', [
      t.workspaceId,
    ]);
    expect(admin).toMatchObject({ plan: 'free', status: null, seats_used: 4, has_billing_account: false });
  });
});

// ---------------------------------------------------------------------------
// stripe-webhook
// ---------------------------------------------------------------------------

describe('stripe-webhook', () => {
  it('checkout.session.completed fetches the subscription from Stripe and moves the workspace to its plan', async () => {
    const from = mark();
    const { t, subscription } = await subscribedTenant();
    expect(since(from, (r) => r.method === 'GET').map((r) => r.path)).toEqual([
      `/v1/subscriptions/${subscription.id}`,
    ]);
    expect(await billingRow(t.workspaceId)).toMatchObject({
      plan: 'pro',
      status: 'active',
      quantity: 4,
      stripe_subscription_id: subscription.id,
    });
  });

  it('customer.subscription.created and updated set status, price and quantity; deleted returns to free', async () => {
    const t = await createTenant(db, 'free');
    const customer = `cus_${randomBytes(8).toString('hex')}`;
    const subscription = standIn.createSubscription({
      customer,
      price: PRO_PRICE,
      quantity: 4,
      status: 'trialing',
      metadata: { workspace_id: t.workspaceId },
    });
    expect(
      (await postEvent(stripeEvent('customer.subscription.created', subscriptionObject(subscription)))).body
        .outcome,
    ).toBe('applied');
    expect(await billingRow(t.workspaceId)).toMatchObject({ plan: 'pro', status: 'trialing', quantity: 4 });

    await postEvent(
      stripeEvent(
        'customer.subscription.updated',
        subscriptionObject(subscription, { status: 'active', quantity: 6 }),
      ),
    );
    expect(await billingRow(t.workspaceId)).toMatchObject({ plan: 'pro', status: 'active', quantity: 6 });

    await postEvent(
      stripeEvent('customer.subscription.deleted', subscriptionObject(subscription, { status: 'canceled' })),
    );
    expect(await billingRow(t.workspaceId)).toMatchObject({ plan: 'free', status: 'canceled' });
  });

  it('invoice.payment_failed makes the subscription past_due, invoice.paid active again', async () => {
    const { t, subscription } = await subscribedTenant();
    await postEvent(stripeEvent('invoice.payment_failed', invoiceObject(subscription, 'open')));
    const pastDue = await billingRow(t.workspaceId);
    expect(pastDue).toMatchObject({ plan: 'pro', status: 'past_due' });
    expect(pastDue.past_due_since).toBeInstanceOf(Date);
    await postEvent(stripeEvent('invoice.paid', invoiceObject(subscription, 'paid')));
    expect(await billingRow(t.workspaceId)).toMatchObject({
      plan: 'pro',
      status: 'active',
      past_due_since: null,
    });
  });

  it('ignores a replayed event: same id, no change', async () => {
    const { t, subscription } = await subscribedTenant();
    const failed = stripeEvent('invoice.payment_failed', invoiceObject(subscription, 'open'));
    expect((await postEvent(failed)).body.outcome).toBe('applied');
    expect(
      (await postEvent(stripeEvent('invoice.paid', invoiceObject(subscription, 'paid')))).body.outcome,
    ).toBe('applied');
    // Stripe redelivers the failure (retries are at least once): nothing may move.
    expect(await postEvent(failed)).toEqual({ status: 200, body: { received: true, outcome: 'duplicate' } });
    expect((await billingRow(t.workspaceId)).status).toBe('active');
    const { rows } = await db.query('select count(*)::int as n from public.stripe_events where id = $1', [
      failed.id,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it('never regresses: an older subscription.updated after a newer one changes nothing', async () => {
    const { t, subscription } = await subscribedTenant();
    const older = stripeEvent(
      'customer.subscription.updated',
      subscriptionObject(subscription, { status: 'canceled' }),
      later(),
    );
    const newer = stripeEvent(
      'customer.subscription.updated',
      subscriptionObject(subscription, { quantity: 9 }),
      later(),
    );
    expect((await postEvent(newer)).body.outcome).toBe('applied');
    expect((await postEvent(older)).body.outcome).toBe('stale');
    expect(await billingRow(t.workspaceId)).toMatchObject({ plan: 'pro', status: 'active', quantity: 9 });
  });

  it('answers a forged, missing or foreign-secret signature 400 invalid_signature and stores nothing', async () => {
    const { t, subscription } = await subscribedTenant();
    const cancel = stripeEvent(
      'customer.subscription.deleted',
      subscriptionObject(subscription, { status: 'canceled' }),
    );
    const forged = await postEvent(cancel, (payload) =>
      stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_someone_else' }),
    );
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe('invalid_signature');
    const tampered = await postEvent(cancel, (payload) =>
      stripe.webhooks.generateTestHeaderString({
        payload: payload.replace('canceled', 'active'),
        secret: WEBHOOK_SECRET,
      }),
    );
    expect(tampered.status).toBe(400);
    const missing = await postEvent(cancel, () => undefined);
    expect(missing).toEqual({
      status: 400,
      body: { code: 'invalid_signature', message: 'The Stripe-Signature header is missing' },
    });
    const { rows } = await db.query('select count(*)::int as n from public.stripe_events where id = $1', [
      cancel.id,
    ]);
    expect(rows[0].n).toBe(0);
    expect(await billingRow(t.workspaceId)).toMatchObject({ plan: 'pro', status: 'active' });
  });

  it('records an event for nobody or of an unhandled type as ignored', async () => {
    const stranger = await postEvent(
      stripeEvent('customer.subscription.updated', {
        ...subscriptionObject(
          standIn.createSubscription({ customer: 'cus_nobody', price: PRO_PRICE, quantity: 1 }),
        ),
      }),
    );
    expect(stranger.body.outcome).toBe('ignored');
    expect(
      (await postEvent(stripeEvent('charge.refunded', { id: 'ch_1', object: 'charge' }))).body.outcome,
    ).toBe('ignored');
  });
});

// ---------------------------------------------------------------------------
// states and limits
// ---------------------------------------------------------------------------

describe('past_due grace', () => {
  it('keeps creations allowed during the grace, then refuses them with plan_limit_reached until paid', async () => {
    const { t, subscription } = await subscribedTenant();
    await postEvent(stripeEvent('invoice.payment_failed', invoiceObject(subscription, 'open')));
    expect(await createProjectAs(t.users.admin, t.workspaceId)).toBeUndefined();

    // The grace (plans.past_due_grace, 7 days for pro) runs out: the failure was 8 days ago.
    await db.query(
      `update public.workspace_subscriptions set past_due_since = now() - interval '8 days' where workspace_id = $1`,
      [t.workspaceId],
    );
    const blocked = await createProjectAs(t.users.admin, t.workspaceId);
    expect(blocked?.message).toBe('plan_limit_reached');
    expect(blocked?.code).toBe('PT402');
    expect(JSON.parse(blocked?.detail ?? '{}')).toEqual({ limit: 'past_due', max: null, current: null });
    const task = await errorAs(
      db,
      t.users.member,
      'insert into public.tasks (project_id, title) values ($1, $2)',
      [t.projectId, 'After the grace'],
    );
    expect(task?.message).toBe('plan_limit_reached');
    const invitation = await errorAs(
      db,
      t.users.admin,
      `insert into public.invitations (workspace_id, email, role, token_hash) values ($1, 'late@example.test', 'member', repeat('a', 64))`,
      [t.workspaceId],
    );
    expect(invitation?.message).toBe('plan_limit_reached');
    // Someone without the permission learns nothing new: RLS refuses as before.
    const outsider = await createProjectAs(t.users.outsider, t.workspaceId);
    expect(outsider?.code).toBe('42501');
    // Existing data is untouched and readable.
    const tasks = await queryAs(db, t.users.viewer, 'select id from public.tasks where workspace_id = $1', [
      t.workspaceId,
    ]);
    expect(tasks).toHaveLength(1);

    await postEvent(stripeEvent('invoice.paid', invoiceObject(subscription, 'paid')));
    expect(await createProjectAs(t.users.admin, t.workspaceId)).toBeUndefined();
  });
});

describe('past_due grace: attachments', () => {
  async function storageAs(user: TestUser) {
    return createClient(stack.apiUrl, stack.keys.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      global: { headers: { Authorization: `Bearer ${await accessToken(user)}` } },
    }).storage.from('attachments');
  }

  it('after the grace, uploads through Storage are refused with plan_limit_reached; files stay readable and deletable; paying lifts it', async () => {
    const { t, subscription } = await subscribedTenant();
    const member = await storageAs(t.users.member);
    const folder = `${t.workspaceId}/${t.taskId}`;
    await postEvent(stripeEvent('invoice.payment_failed', invoiceObject(subscription, 'open')));
    // During the grace uploads go through.
    expect((await member.upload(`${folder}/during-grace.txt`, 'kept')).error).toBeNull();

    await db.query(
      `update public.workspace_subscriptions set past_due_since = now() - interval '8 days' where workspace_id = $1`,
      [t.workspaceId],
    );
    const refused = await member.upload(`${folder}/after-grace.txt`, 'refused');
    expect(refused.error).toMatchObject({ statusCode: '403', message: 'plan_limit_reached' });
    // Storage's wire shape, as hosted: HTTP 400 carrying statusCode "403" and the code as message.
    expect((refused.error as { status?: number } | null)?.status).toBe(400);
    // Replacing an existing file uploads new bytes: refused too, the old bytes stay.
    const replaced = await member.update(`${folder}/during-grace.txt`, 'replaced');
    expect(replaced.error).toMatchObject({ message: 'plan_limit_reached' });
    const kept = await member.download(`${folder}/during-grace.txt`);
    expect(await kept.data?.text()).toBe('kept');
    const { rows: stored } = await db.query(
      `select name from storage.objects where bucket_id = 'attachments' and name like $1 order by name`,
      [`${folder}/%`],
    );
    expect(stored).toEqual([{ name: `${folder}/during-grace.txt` }]);
    // Someone who may not upload there hears what they always heard (RLS), nothing of billing.
    const outsider = await (await storageAs(t.users.outsider)).upload(`${folder}/outsider.txt`, 'x');
    expect(outsider.error).toMatchObject({ message: 'new row violates row-level security policy' });

    await postEvent(stripeEvent('invoice.paid', invoiceObject(subscription, 'paid')));
    expect((await member.upload(`${folder}/after-paying.txt`, 'ok')).error).toBeNull();
    expect((await member.remove([`${folder}/during-grace.txt`])).error).toBeNull();
  });
});

describe('downgrade over a limit', () => {
  it('keeps every member and project, blocks only new ones, and notifies the owners', async () => {
    const { t, subscription } = await subscribedTenant();
    // pro: 4 members + 2 more, 4 active projects — free allows 5 members and 3 projects.
    for (let i = 0; i < 2; i++) {
      const user = await createUser(db);
      await db.query(
        `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'member')`,
        [t.workspaceId, user.id],
      );
    }
    for (let i = 0; i < 3; i++) expect(await createProjectAs(t.users.admin, t.workspaceId)).toBeUndefined();

    await postEvent(
      stripeEvent('customer.subscription.deleted', subscriptionObject(subscription, { status: 'canceled' })),
    );
    expect((await billingRow(t.workspaceId)).plan).toBe('free');
    const counts = await db.query(
      `select (select count(*)::int from public.workspace_members where workspace_id = $1) as members,
              (select count(*)::int from public.projects where workspace_id = $1) as projects`,
      [t.workspaceId],
    );
    expect(counts.rows[0]).toEqual({ members: 6, projects: 4 });

    const project = await createProjectAs(t.users.admin, t.workspaceId);
    expect(project?.message).toBe('plan_limit_reached');
    expect(JSON.parse(project?.detail ?? '{}')).toMatchObject({ limit: 'projects', max: 3, current: 4 });
    const invitation = await errorAs(
      db,
      t.users.admin,
      `insert into public.invitations (workspace_id, email, role, token_hash) values ($1, 'one-more@example.test', 'member', repeat('b', 64))`,
      [t.workspaceId],
    );
    expect(invitation?.message).toBe('plan_limit_reached');
    // Tasks in existing projects go on.
    expect(
      await errorAs(db, t.users.member, 'insert into public.tasks (project_id, title) values ($1, $2)', [
        t.projectId,
        'Still here',
      ]),
    ).toBeUndefined();

    const notices = await db.query(
      `select recipient_id, details from public.notifications where workspace_id = $1 and type = 'plan_over_limit'`,
      [t.workspaceId],
    );
    expect(notices.rows).toEqual([
      {
        recipient_id: t.users.owner.id,
        details: {
          plan: 'free',
          over: [
            { limit: 'members', max: 5, current: 6 },
            { limit: 'projects', max: 3, current: 4 },
          ],
        },
      },
    ]);
    // The owner reads it through the API; the admin has none.
    const owner = await queryAs(
      db,
      t.users.owner,
      `select type from public.notifications where type = 'plan_over_limit' and workspace_id = $1`,
      [t.workspaceId],
    );
    expect(owner).toHaveLength(1);
    const admin = await queryAs(
      db,
      t.users.admin,
      `select type from public.notifications where type = 'plan_over_limit' and workspace_id = $1`,
      [t.workspaceId],
    );
    expect(admin).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------
// seat sync
// ---------------------------------------------------------------------------

describe('seat sync', () => {
  const quantityUpdates = (subscriptionId: string) => (request: ReceivedRequest) =>
    request.method === 'POST' && request.path === `/v1/subscriptions/${subscriptionId}`;

  async function nextQuantity(subscriptionId: string, from: number): Promise<ReceivedRequest> {
    return waitFor(
      `a quantity update of ${subscriptionId}`,
      () => since(from, quantityUpdates(subscriptionId))[0],
    );
  }

  it('follows members and pending invitations through the Stripe API, with an idempotency key per change', async () => {
    const { t, subscription } = await subscribedTenant();
    const item = subscription.items.data[0]?.id;

    let from = mark();
    const newcomer = await createUser(db);
    await db.query(
      `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'member')`,
      [t.workspaceId, newcomer.id],
    );
    const joined = await nextQuantity(subscription.id, from);
    expect(joined.params).toMatchObject({ items: [{ id: item, quantity: '5' }] });
    expect(joined.idempotencyKey).toMatch(new RegExp(`^groundwork-seats-${subscription.id}-\\d+-5$`));

    from = mark();
    const invitation = await invite(
      db,
      t.users.admin,
      t.workspaceId,
      `seat-${randomBytes(4).toString('hex')}@example.test`,
    );
    expect((await nextQuantity(subscription.id, from)).params).toMatchObject({ items: [{ quantity: '6' }] });

    from = mark();
    await queryAs(db, t.users.admin, 'update public.invitations set revoked_at = now() where id = $1', [
      invitation.id,
    ]);
    expect((await nextQuantity(subscription.id, from)).params).toMatchObject({ items: [{ quantity: '5' }] });

    from = mark();
    await db.query('delete from public.workspace_members where workspace_id = $1 and user_id = $2', [
      t.workspaceId,
      newcomer.id,
    ]);
    expect((await nextQuantity(subscription.id, from)).params).toMatchObject({ items: [{ quantity: '4' }] });
    await waitFor('the quantity recorded', async () =>
      (await billingRow(t.workspaceId)).quantity === 4 ? true : undefined,
    );
    expect(standIn.subscriptions.get(subscription.id)?.items.data[0]?.quantity).toBe(4);
  });

  it('retries a lost answer with the same idempotency key, so Stripe applies the change once', async () => {
    const { t, subscription } = await subscribedTenant();
    const from = mark();
    const changesBefore = standIn.quantityChanges.get(subscription.id) ?? 0;
    standIn.dropAnswerOnce('POST', `/v1/subscriptions/${subscription.id}`);
    await invite(db, t.users.admin, t.workspaceId, `retry-${randomBytes(4).toString('hex')}@example.test`);
    const [first, retry] = await waitFor('the retried update', () => {
      const updates = since(from, quantityUpdates(subscription.id));
      return updates.length >= 2 ? updates : undefined;
    });
    expect(retry?.idempotencyKey).toBe(first?.idempotencyKey);
    expect(retry?.replayed).toBe(true);
    expect(standIn.quantityChanges.get(subscription.id)).toBe(changesBefore + 1);
    await waitFor('the sync recorded', async () =>
      (await billingRow(t.workspaceId)).quantity === 5 ? true : undefined,
    );
  });

  it('sends nothing for a workspace without a subscription', async () => {
    const plain = await createTenant(db, 'free');
    const { t, subscription } = await subscribedTenant();
    const from = mark();
    const user = await createUser(db);
    await db.query(
      `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'member')`,
      [plain.workspaceId, user.id],
    );
    // Sentinel: a change in the subscribed workspace afterwards travels the whole way...
    await invite(db, t.users.admin, t.workspaceId, `sentinel-${randomBytes(4).toString('hex')}@example.test`);
    expect((await nextQuantity(subscription.id, from)).params).toMatchObject({ items: [{ quantity: '5' }] });
    // ...while the unsubscribed one never entered the outbox, so nothing was sent for it.
    const { rows } = await db.query(
      'select count(*)::int as n from private.billing_seat_syncs where workspace_id = $1',
      [plain.workspaceId],
    );
    expect(rows[0].n).toBe(0);
    expect(since(from, (r) => JSON.stringify(r.params).includes(plain.workspaceId))).toEqual([]);
  });

  it('lets a subscribed workspace be deleted (its members leave by cascade without queueing a sync)', async () => {
    const { t } = await subscribedTenant();
    await db.query('delete from public.workspaces where id = $1', [t.workspaceId]);
    const { rows } = await db.query(
      `select (select count(*)::int from public.workspaces where id = $1) as workspaces,
              (select count(*)::int from private.billing_seat_syncs where workspace_id = $1) as syncs`,
      [t.workspaceId],
    );
    expect(rows[0]).toEqual({ workspaces: 0, syncs: 0 });
  });

  it('the sweep corrects drift: a quantity changed in Stripe is set back to the seats used', async () => {
    const { t, subscription } = await subscribedTenant();
    await postEvent(
      stripeEvent('customer.subscription.updated', subscriptionObject(subscription, { quantity: 11 })),
    );
    const from = mark();
    await db.query('select private.sweep_billing_seat_syncs()');
    expect((await nextQuantity(subscription.id, from)).params).toMatchObject({ items: [{ quantity: '4' }] });
    await waitFor('the corrected quantity', async () =>
      (await billingRow(t.workspaceId)).quantity === 4 ? true : undefined,
    );
  });
});

// ---------------------------------------------------------------------------
// deleting a subscribed workspace
// ---------------------------------------------------------------------------

describe('deleting a subscribed workspace', () => {
  const cancels = (subscriptionId: string) => (request: ReceivedRequest) =>
    request.method === 'DELETE' && request.path === `/v1/subscriptions/${subscriptionId}`;

  /** The owner's (or another member's) REST DELETE of the workspace, through the gateway and PostgREST. */
  async function deleteWorkspaceAs(user: TestUser, workspaceId: string): Promise<unknown[]> {
    const response = await fetch(`${stack.apiUrl}/rest/v1/workspaces?id=eq.${workspaceId}`, {
      method: 'DELETE',
      headers: {
        apikey: stack.keys.anonKey,
        authorization: `Bearer ${await accessToken(user)}`,
        prefer: 'return=representation',
      },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as unknown[];
  }

  interface CancellationRow {
    attempts: number;
    last_error: string | null;
    canceled_at: Date | null;
  }
  async function cancellationOf(subscriptionId: string): Promise<CancellationRow | undefined> {
    const { rows } = await db.query<CancellationRow>(
      'select attempts, last_error, canceled_at from private.billing_cancellations where stripe_subscription_id = $1',
      [subscriptionId],
    );
    return rows[0];
  }
  const canceledInDatabase = (subscriptionId: string) => async () => {
    const row = await cancellationOf(subscriptionId);
    return row?.canceled_at ? row : undefined;
  };

  it('cancels its Stripe subscription through the Stripe API, once; a member without workspace.delete changes nothing', async () => {
    const { t, subscription } = await subscribedTenant();
    const from = mark();
    expect(await deleteWorkspaceAs(t.users.admin, t.workspaceId)).toEqual([]);
    expect(await cancellationOf(subscription.id)).toBeUndefined();

    expect(await deleteWorkspaceAs(t.users.owner, t.workspaceId)).toHaveLength(1);
    const done = await waitFor('the cancellation confirmed', canceledInDatabase(subscription.id));
    expect(done).toMatchObject({ attempts: 1, last_error: null });
    expect(standIn.subscriptions.get(subscription.id)?.status).toBe('canceled');
    expect(standIn.cancellations.get(subscription.id)).toBe(1);

    // Kicking again (the sweep, or anyone calling the function) cancels nothing twice; the
    // function's answer comes after its work, so it is the sentinel.
    await db.query('select private.sweep_billing_seat_syncs()');
    const again = await callFunction('billing-sync-seats', {});
    expect(again).toEqual({ status: 200, body: { synced: 0, failed: 0, canceled: 0, cancelFailed: 0 } });
    expect(since(from, cancels(subscription.id))).toHaveLength(1);
    expect(standIn.cancellations.get(subscription.id)).toBe(1);
  });

  it('keeps the cancellation while Stripe cannot be reached, and the sweep retries it until done', async () => {
    const { t, subscription } = await subscribedTenant();
    standIn.unreachable = true;
    let failed: CancellationRow;
    try {
      await deleteWorkspaceAs(t.users.owner, t.workspaceId);
      failed = await waitFor('the failed attempt', async () => {
        const row = await cancellationOf(subscription.id);
        return row?.last_error ? row : undefined;
      });
      // Other kicks (the sweep, earlier tests' seat changes) may have tried again meanwhile.
      expect(failed.attempts).toBeGreaterThanOrEqual(1);
      expect(failed.canceled_at).toBeNull();
      expect(standIn.subscriptions.get(subscription.id)?.status).toBe('active');
    } finally {
      standIn.unreachable = false;
    }
    // The pg_cron job's sweep (run here rather than waiting up to a minute for it).
    const pending = await db.query<{ pending: number }>(
      'select private.sweep_billing_seat_syncs() as pending',
    );
    expect(pending.rows[0]?.pending).toBeGreaterThanOrEqual(1);
    const done = await waitFor('the retried cancellation', canceledInDatabase(subscription.id));
    expect(done.last_error).toBeNull();
    expect(done.attempts).toBeGreaterThan(failed.attempts);
    expect(standIn.subscriptions.get(subscription.id)?.status).toBe('canceled');
    expect(standIn.cancellations.get(subscription.id)).toBe(1);
  });

  it('counts a cancel whose answer was lost as done: Stripe already reports it canceled', async () => {
    const { t, subscription } = await subscribedTenant();
    const from = mark();
    standIn.dropAnswerOnce('DELETE', `/v1/subscriptions/${subscription.id}`);
    await deleteWorkspaceAs(t.users.owner, t.workspaceId);
    const done = await waitFor('the cancellation confirmed', canceledInDatabase(subscription.id));
    expect(done.last_error).toBeNull();
    expect(standIn.cancellations.get(subscription.id)).toBe(1);
    // The library retried the cut call (refused: already canceled), then we asked Stripe.
    expect(since(from, cancels(subscription.id)).length).toBeGreaterThanOrEqual(2);
    expect(
      since(from, (r) => r.method === 'GET' && r.path === `/v1/subscriptions/${subscription.id}`).length,
    ).toBeGreaterThanOrEqual(1);
  });

  it('queues nothing for a workspace whose subscription already ended', async () => {
    const { t, subscription } = await subscribedTenant();
    await postEvent(
      stripeEvent('customer.subscription.deleted', subscriptionObject(subscription, { status: 'canceled' })),
    );
    expect((await billingRow(t.workspaceId)).status).toBe('canceled');
    await deleteWorkspaceAs(t.users.owner, t.workspaceId);
    expect(await cancellationOf(subscription.id)).toBeUndefined();
    const after = await callFunction('billing-sync-seats', {});
    expect(after.body.canceled).toBe(0);
    expect(standIn.cancellations.get(subscription.id)).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// SDK
// ---------------------------------------------------------------------------

describe('SDK billing', () => {
  async function signedIn(user: TestUser) {
    const gw = createGroundworkClient({
      url: stack.apiUrl,
      key: stack.keys.anonKey,
      supabase: { auth: { persistSession: false, autoRefreshToken: false } },
    });
    await gw.auth.signInWithPassword({ email: user.email, password: 'password123' });
    return gw;
  }

  it('billing.subscription, checkout and portal for a billing manager', async () => {
    const { t } = await subscribedTenant();
    const gw = await signedIn(t.users.owner);
    expect(await gw.billing.subscription(t.workspaceId)).toMatchObject({
      plan: 'pro',
      status: 'active',
      quantity: 4,
      seats_used: 4,
      max_members: 50,
      creations_blocked: false,
      has_billing_account: true,
    });
    const portal = await gw.billing.portal({
      workspace_id: t.workspaceId,
      return_url: 'https://app.example.com/',
    });
    expect(portal.url).toMatch(/^https:\/\/billing\.stripe\.com\//);

    const fresh = await createTenant(db, 'free', t.users);
    const checkout = await gw.billing.checkout({ workspace_id: fresh.workspaceId, plan: 'pro' });
    expect(checkout.url).toMatch(/^https:\/\/checkout\.stripe\.com\//);
  });

  it('throws forbidden for a member, not_found for an outsider, validation_failed before sending bad input', async () => {
    const t = await createTenant(db, 'free');
    const member = await signedIn(t.users.member);
    await expect(member.billing.subscription(t.workspaceId)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(member.billing.checkout({ workspace_id: t.workspaceId, plan: 'pro' })).rejects.toMatchObject(
      {
        code: 'forbidden',
      },
    );
    const outsider = await signedIn(t.users.outsider);
    const unknown = await outsider.billing.subscription(t.workspaceId).catch((error: unknown) => error);
    expect(isGroundworkError(unknown) && unknown.code).toBe('not_found');
    await expect(outsider.billing.portal({ workspace_id: t.workspaceId })).rejects.toMatchObject({
      code: 'not_found',
    });
    const bad = await outsider.billing
      .checkout({ workspace_id: 'x', plan: 'pro', success_url: 'ftp://x' })
      .catch((e: unknown) => e);
    expect(isGroundworkError(bad) && bad.code).toBe('validation_failed');
    expect(isGroundworkError(bad) && Object.keys(bad.fields ?? {}).sort()).toEqual([
      'success_url',
      'workspace_id',
    ]);
  });
});
