/**
 * Cancels the Stripe subscriptions of deleted workspaces (private.billing_cancellations,
 * queued by the subscription row's deletion). Stripe's cancel is safe to repeat here: when
 * the cancel call fails, the subscription is fetched, and one Stripe already reports canceled
 * (a retry after a lost answer, or cancelled in the dashboard) counts as done. Anything else
 * is reported as failed and retried by the next kick or the every-minute sweep.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type Stripe from 'stripe';
import { stripeClient } from '../_shared/stripe.ts';

interface Cancellation {
  stripe_subscription_id: string;
  workspace_id: string;
  attempts: number;
}

const MAX_ROUNDS = 5;

/** Claims and cancels until nothing is pending or a call fails; answers how many were cancelled and failed. */
export async function cancelDeletedWorkspaceSubscriptions(
  db: SupabaseClient,
): Promise<{ canceled: number; failed: number }> {
  let canceled = 0;
  let failed = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const { data, error } = await db.rpc('billing_claim_cancellations');
    if (error) throw new Error(`billing_claim_cancellations failed: ${error.code} ${error.message}`);
    const claimed = (data ?? []) as Cancellation[];
    if (claimed.length === 0) break;
    for (const cancellation of claimed) {
      if (await cancelOne(db, cancellation)) canceled++;
      else failed++;
    }
    // A failed row is free again at once; claiming it in the next round would call Stripe
    // again within the same kick. It waits for the next kick or the sweep instead.
    if (failed > 0) break;
  }
  return { canceled, failed };
}

async function cancelOne(db: SupabaseClient, cancellation: Cancellation): Promise<boolean> {
  const id = cancellation.stripe_subscription_id;
  let error: string | null = null;
  try {
    const stripe = stripeClient();
    try {
      await stripe.subscriptions.cancel(id);
    } catch (cancelFailure) {
      if (!(await alreadyCanceled(stripe, id))) throw cancelFailure;
    }
  } catch (failure) {
    console.error(`cancelling ${id} of deleted workspace ${cancellation.workspace_id} failed:`, failure);
    error = failure instanceof Error ? failure.message : String(failure);
  }
  const finished = await db.rpc('billing_finish_cancellation', { stripe_subscription_id: id, error });
  if (finished.error) throw new Error(`billing_finish_cancellation failed: ${finished.error.message}`);
  return error === null;
}

/** Whether Stripe reports the subscription as ended; a failure to ask counts as not. */
async function alreadyCanceled(stripe: Stripe, id: string): Promise<boolean> {
  try {
    const subscription = await stripe.subscriptions.retrieve(id);
    return subscription.status === 'canceled' || subscription.status === 'incomplete_expired';
  } catch {
    return false;
  }
}
