/**
 * What billing-checkout and billing-portal both need: the caller's right to manage the
 * workspace's billing (asked of the database as the caller), and the workspace's Stripe
 * customer, made once.
 */
import type { PostgrestError, SupabaseClient } from '@supabase/supabase-js';
import { FunctionError, mfaRequiredError } from './errors.ts';
import { callStripe, stripeClient } from './stripe.ts';

export interface BillingStanding {
  plan: string;
  status: string | null;
  seats_used: number;
  has_billing_account: boolean;
}

/**
 * billing_subscription() as the caller: workspace_not_found for a workspace they are not in
 * (the same answer as for none), forbidden without billing.manage.
 */
export async function requireBillingManager(
  db: SupabaseClient,
  workspaceId: string,
): Promise<BillingStanding> {
  const { data, error } = await db
    .rpc('billing_subscription', { workspace_id: workspaceId })
    .maybeSingle<BillingStanding>();
  if (error) throw billingDatabaseError(error);
  if (!data) throw new FunctionError('workspace_not_found', 'No such workspace');
  return data;
}

function billingDatabaseError(error: PostgrestError): Error {
  const mfaRequired = mfaRequiredError(error);
  if (mfaRequired) return mfaRequired;
  if (error.message === 'workspace_not_found')
    return new FunctionError('workspace_not_found', 'No such workspace');
  if (error.message === 'forbidden' || error.code === '42501') {
    return new FunctionError('forbidden', 'Managing billing needs the billing.manage permission');
  }
  return new Error(`database error ${error.code}: ${error.message}`);
}

/** The workspace's Stripe customer id, if it has one. */
export async function customerOf(admin: SupabaseClient, workspaceId: string): Promise<string | undefined> {
  const { data, error } = await admin
    .from('workspace_subscriptions')
    .select('stripe_customer_id')
    .eq('workspace_id', workspaceId)
    .maybeSingle<{ stripe_customer_id: string }>();
  if (error) throw new Error(`database error ${error.code}: ${error.message}`);
  return data?.stripe_customer_id;
}

/**
 * The workspace's Stripe customer, created on first checkout. The idempotency key makes two
 * simultaneous first checkouts create one customer; the row's primary key keeps one per
 * workspace either way.
 */
export async function ensureCustomer(admin: SupabaseClient, workspaceId: string): Promise<string> {
  const existing = await customerOf(admin, workspaceId);
  if (existing) return existing;
  const { data: workspace, error } = await admin
    .from('workspaces')
    .select('name')
    .eq('id', workspaceId)
    .single<{ name: string }>();
  if (error) throw new Error(`database error ${error.code}: ${error.message}`);
  const customer = await callStripe('create the customer', () =>
    stripeClient().customers.create(
      { name: workspace.name, metadata: { workspace_id: workspaceId } },
      { idempotencyKey: `groundwork-customer-${workspaceId}` },
    ),
  );
  const inserted = await admin.from('workspace_subscriptions').upsert(
    { workspace_id: workspaceId, stripe_customer_id: customer.id },
    {
      onConflict: 'workspace_id',
      ignoreDuplicates: true,
    },
  );
  if (inserted.error) throw new Error(`database error ${inserted.error.code}: ${inserted.error.message}`);
  return (await customerOf(admin, workspaceId)) ?? customer.id;
}
