/**
 * POST /functions/v1/stripe-webhook — Stripe's webhook endpoint (verify_jwt = false: Stripe
 * sends no JWT; the signature is the authentication).
 *
 * Verifies the Stripe-Signature with the stripe library's async verifier (Web Crypto, as Deno
 * has), then hands the event, reduced to what billing needs, to billing_apply_stripe_event(),
 * which stores its id (a repeat is a no-op), ignores anything older than the state it already
 * applied, and moves the workspace's plan. Handled: checkout.session.completed (the new
 * subscription is fetched from Stripe), customer.subscription.created/updated/deleted,
 * invoice.paid, invoice.payment_failed; other types are recorded and ignored.
 * Answers 200 {received, outcome}; a bad signature 400 invalid_signature, nothing stored.
 */
import type Stripe from 'stripe';
import { serviceClient } from '../_shared/clients.ts';
import { corsHeaders } from '../_shared/cors.ts';
import { FunctionError, handleErrors } from '../_shared/errors.ts';
import { callStripe, stripeClient, verifiedStripeEvent } from '../_shared/stripe.ts';

interface SubscriptionState {
  id: string;
  status: Stripe.Subscription.Status;
  price_id: string | null;
  item_id: string | null;
  quantity: number | null;
  current_period_end: number | null;
  cancel_at_period_end: boolean;
}

interface BillingEvent {
  id: string;
  type: string;
  created: number;
  workspace_id?: string;
  customer_id?: string;
  subscription?: SubscriptionState;
  invoice?: 'paid' | 'payment_failed';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

Deno.serve(
  handleErrors(async (request) => {
    if (request.method !== 'POST') throw new FunctionError('method_not_allowed', 'Use POST');
    const event = await verifiedStripeEvent(request);
    const { data: outcome, error } = await serviceClient().rpc('billing_apply_stripe_event', {
      event: await billingEventOf(event),
    });
    if (error) throw new Error(`billing_apply_stripe_event failed: ${error.code} ${error.message}`);
    return Response.json({ received: true, outcome }, { headers: corsHeaders });
  }),
);

async function billingEventOf(event: Stripe.Event): Promise<BillingEvent> {
  const base: BillingEvent = { id: event.id, type: event.type, created: event.created };
  switch (event.type) {
    case 'checkout.session.completed': {
      const session = event.data.object;
      const subscriptionId = idOf(session.subscription);
      if (session.mode !== 'subscription' || !subscriptionId) return base;
      // The session carries only the id; the subscription's state comes from Stripe.
      const subscription = await callStripe('read the subscription', () =>
        stripeClient().subscriptions.retrieve(subscriptionId),
      );
      return {
        ...base,
        ...owner(session.client_reference_id ?? session.metadata?.workspace_id, idOf(session.customer)),
        subscription: subscriptionState(subscription),
      };
    }
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      const subscription = event.data.object;
      const state = subscriptionState(subscription);
      if (event.type === 'customer.subscription.deleted') state.status = 'canceled';
      return {
        ...base,
        ...owner(subscription.metadata?.workspace_id, idOf(subscription.customer)),
        subscription: state,
      };
    }
    case 'invoice.paid':
    case 'invoice.payment_failed': {
      const invoice = event.data.object;
      const subscriptionId = idOf(invoice.parent?.subscription_details?.subscription);
      if (!subscriptionId) return base; // a one-off invoice: nothing to do with the plan
      return {
        ...base,
        ...owner(invoice.parent?.subscription_details?.metadata?.workspace_id, idOf(invoice.customer)),
        invoice: event.type === 'invoice.paid' ? 'paid' : 'payment_failed',
      };
    }
    default:
      return base;
  }
}

function owner(workspaceId: string | null | undefined, customerId: string | undefined) {
  return {
    ...(workspaceId && UUID.test(workspaceId) ? { workspace_id: workspaceId } : {}),
    ...(customerId ? { customer_id: customerId } : {}),
  };
}

function subscriptionState(subscription: Stripe.Subscription): SubscriptionState {
  // Groundwork sells one per-seat price per subscription: its first item.
  const item = subscription.items?.data?.[0];
  return {
    id: subscription.id,
    status: subscription.status,
    price_id: item?.price?.id ?? null,
    item_id: item?.id ?? null,
    quantity: item?.quantity ?? null,
    current_period_end: item?.current_period_end ?? null,
    cancel_at_period_end: subscription.cancel_at_period_end ?? false,
  };
}

function idOf(value: string | { id: string } | null | undefined): string | undefined {
  if (!value) return undefined;
  return typeof value === 'string' ? value : value.id;
}
