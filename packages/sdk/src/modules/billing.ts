import {
  type BillingSessionResult,
  billingCheckoutInput,
  billingPortalInput,
} from '../../../../supabase/functions/_shared/schemas/billing.ts';
import type { SdkContext } from '../context.ts';
import { functionData, oneRow, parseInput } from '../query-result.ts';
import { id as idSchema } from '../schemas/fields.ts';
import type { BillingSubscription } from '../types.ts';

export type BillingApi = ReturnType<typeof createBillingApi>;

/** A Stripe-hosted page to send the user to: Checkout or the Billing Portal. */
export type BillingSession = BillingSessionResult;

/**
 * The workspace's subscription (Stripe is the source of truth; webhooks keep the database's
 * copy), for holders of `billing.manage`. Others get `forbidden`, non-members `not_found`.
 */
export function createBillingApi(ctx: SdkContext) {
  const { supabase } = ctx;
  return {
    /**
     * The plan, the Stripe subscription's status and seats, and the past-due grace:
     * `creations_blocked` is true once a past_due grace is over (new projects, tasks and
     * invitations are then `plan_limit_reached`, reason `past_due`).
     *
     * @example
     * ```ts
     * const billing = await gw.billing.subscription(workspace.id);
     * if (billing.status === 'past_due') showBanner(`Update your card by ${billing.grace_ends_at}`);
     * ```
     */
    async subscription(workspaceId: string): Promise<BillingSubscription> {
      const workspace_id = parseInput(idSchema, workspaceId);
      const subscription = await oneRow(
        supabase.rpc('billing_subscription', { workspace_id }).maybeSingle(),
        'Workspace',
      );
      return subscription as BillingSubscription;
    },

    /**
     * Starts a Stripe Checkout for `plan`, one seat per member and pending invitation; send the
     * user to the answered `url`. The plan follows once Stripe reports the subscription.
     *
     * @example
     * ```ts
     * const { url } = await gw.billing.checkout({ workspace_id: workspace.id, plan: 'pro' });
     * location.assign(url);
     * ```
     */
    async checkout(input: {
      workspace_id: string;
      plan: string;
      success_url?: string;
      cancel_url?: string;
    }): Promise<BillingSession> {
      const body = parseInput(
        billingCheckoutInput,
        {
          workspaceId: input?.workspace_id,
          plan: input?.plan,
          successUrl: input?.success_url,
          cancelUrl: input?.cancel_url,
        },
        { workspaceId: 'workspace_id', successUrl: 'success_url', cancelUrl: 'cancel_url' },
      );
      return functionData<BillingSession>(supabase.functions.invoke('billing-checkout', { body }));
    },

    /**
     * Opens Stripe's Billing Portal (payment method, invoices, plan, cancelling) for a workspace
     * that has checked out before; send the user to the answered `url`.
     *
     * @example
     * ```ts
     * const { url } = await gw.billing.portal({ workspace_id: workspace.id, return_url: location.href });
     * ```
     */
    async portal(input: { workspace_id: string; return_url?: string }): Promise<BillingSession> {
      const body = parseInput(
        billingPortalInput,
        { workspaceId: input?.workspace_id, returnUrl: input?.return_url },
        { workspaceId: 'workspace_id', returnUrl: 'return_url' },
      );
      return functionData<BillingSession>(supabase.functions.invoke('billing-portal', { body }));
    },
  };
}
