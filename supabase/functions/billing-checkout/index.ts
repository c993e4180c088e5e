/**
 * POST /functions/v1/billing-checkout {workspaceId, plan, successUrl?, cancelUrl?}
 *
 * A holder of `billing.manage` starts a Stripe Checkout session for a subscription to `plan`:
 * the plan's newest price in billing_prices, one unit per seat (members plus pending
 * invitations), the workspace as client_reference_id and in the subscription's metadata, so
 * stripe-webhook knows whose it is. Answers 200 {id, url}; the app sends the user to `url`.
 */

import { ensureCustomer, requireBillingManager } from '../_shared/billing-account.ts';
import { callerClient, callerUserId, serviceClient } from '../_shared/clients.ts';
import { corsHeaders } from '../_shared/cors.ts';
import { siteUrl } from '../_shared/env.ts';
import { FunctionError, handleErrors, parseJsonBody } from '../_shared/errors.ts';
import { type BillingSessionResult, billingCheckoutInput } from '../_shared/schemas/billing.ts';
import { callStripe, stripeClient } from '../_shared/stripe.ts';

const LIVE_STATUSES = new Set(['active', 'trialing', 'past_due']);

Deno.serve(
  handleErrors(async (request) => {
    if (request.method !== 'POST') throw new FunctionError('method_not_allowed', 'Use POST');
    callerUserId(request); // not_authenticated for the anon key, before any query
    const input = await parseJsonBody(request, billingCheckoutInput);
    const standing = await requireBillingManager(callerClient(request), input.workspaceId);
    if (standing.status && LIVE_STATUSES.has(standing.status)) {
      throw new FunctionError(
        'subscription_exists',
        'The workspace already has a subscription; change it in the billing portal',
      );
    }

    const admin = serviceClient();
    const { data: price, error } = await admin
      .from('billing_prices')
      .select('stripe_price_id')
      .eq('plan_id', input.plan)
      .order('created_at', { ascending: false })
      .limit(1)
      .maybeSingle<{ stripe_price_id: string }>();
    if (error) throw new Error(`database error ${error.code}: ${error.message}`);
    if (!price) throw new FunctionError('unknown_plan', `The plan ${input.plan} cannot be bought`);

    const customer = await ensureCustomer(admin, input.workspaceId);
    const metadata = { workspace_id: input.workspaceId };
    const session = await callStripe('start the checkout', () =>
      stripeClient().checkout.sessions.create({
        mode: 'subscription',
        customer,
        client_reference_id: input.workspaceId,
        line_items: [{ price: price.stripe_price_id, quantity: Math.max(1, standing.seats_used) }],
        subscription_data: { metadata },
        metadata,
        success_url: input.successUrl ?? `${siteUrl()}/?checkout=success`,
        cancel_url: input.cancelUrl ?? `${siteUrl()}/?checkout=canceled`,
      }),
    );
    if (!session.url) throw new FunctionError('payment_provider_error', 'Stripe answered no checkout URL');
    const result: BillingSessionResult = { id: session.id, url: session.url };
    return Response.json(result, { headers: corsHeaders });
  }),
);
