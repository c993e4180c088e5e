/**
 * POST /functions/v1/billing-portal {workspaceId, returnUrl?}
 *
 * A holder of `billing.manage` opens Stripe's Billing Portal for the workspace's customer
 * (payment method, invoices, plan changes, cancelling). Answers 200 {id, url}; a workspace
 * that never checked out has no customer (`billing_account_missing`).
 */

import { customerOf, requireBillingManager } from '../_shared/billing-account.ts';
import { callerClient, callerUserId, serviceClient } from '../_shared/clients.ts';
import { corsHeaders } from '../_shared/cors.ts';
import { siteUrl } from '../_shared/env.ts';
import { FunctionError, handleErrors, parseJsonBody } from '../_shared/errors.ts';
import { type BillingSessionResult, billingPortalInput } from '../_shared/schemas/billing.ts';
import { callStripe, stripeClient } from '../_shared/stripe.ts';

Deno.serve(
  handleErrors(async (request) => {
    if (request.method !== 'POST') throw new FunctionError('method_not_allowed', 'Use POST');
    callerUserId(request);
    const input = await parseJsonBody(request, billingPortalInput);
    await requireBillingManager(callerClient(request), input.workspaceId);
    const customer = await customerOf(serviceClient(), input.workspaceId);
    if (!customer) {
      throw new FunctionError(
        'billing_account_missing',
        'The workspace has no billing account; start a checkout first',
      );
    }
    const session = await callStripe('open the billing portal', () =>
      stripeClient().billingPortal.sessions.create({
        customer,
        return_url: input.returnUrl ?? `${siteUrl()}/`,
      }),
    );
    const result: BillingSessionResult = { id: session.id, url: session.url };
    return Response.json(result, { headers: corsHeaders });
  }),
);
