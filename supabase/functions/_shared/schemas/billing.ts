/**
 * Input and output of the billing edge functions (`billing-checkout`, `billing-portal`),
 * defined once: the functions validate requests with these schemas and the SDK imports the
 * same file (`zod/mini`, as everything the SDK ships).
 */
import * as z from 'zod/mini';

const returnUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const billingCheckoutInput = z.strictObject({
  workspaceId: z.guid({ error: 'must be a UUID' }),
  /** The plan to buy; billing_prices says which Stripe price sells it. */
  plan: z
    .string({ error: 'must be a plan id' })
    .check(z.regex(/^[a-z][a-z0-9_]{0,31}$/, { error: 'must be a plan id' })),
  /** Where Stripe sends the buyer after paying; default: SITE_URL. */
  successUrl: z.optional(returnUrl),
  /** Where Stripe sends the buyer who gives up; default: SITE_URL. */
  cancelUrl: z.optional(returnUrl),
});
export type BillingCheckoutInput = z.input<typeof billingCheckoutInput>;

export const billingPortalInput = z.strictObject({
  workspaceId: z.guid({ error: 'must be a UUID' }),
  /** Where the portal's "return" link goes; default: SITE_URL. */
  returnUrl: z.optional(returnUrl),
});
export type BillingPortalInput = z.input<typeof billingPortalInput>;

/** `200 OK` body of both: the Stripe-hosted page to send the user to (a type only: nothing parses it). */
export interface BillingSessionResult {
  /** The Stripe session's id (`cs_…` or `bps_…`). */
  id: string;
  url: string;
}
