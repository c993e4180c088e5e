/**
 * POST /functions/v1/billing-sync-seats — kicked by pg_net when a workspace's members or
 * pending invitations change, and by the pg_cron sweep every minute (verify_jwt = false).
 *
 * The kick carries nothing: this function takes the pending seat changes from the database
 * (billing_claim_seat_syncs, service role) and sets each subscription's quantity through the
 * Stripe API with an idempotency key per change, so a retried call never applies a change
 * twice; then reports each result (billing_finish_seat_sync). The same kick and sweep also
 * cancel the Stripe subscriptions of deleted workspaces (cancel-subscriptions.ts). Calling it
 * without cause only finds nothing to do. Answers 200 {synced, failed, canceled,
 * cancelFailed}.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { serviceClient } from '../_shared/clients.ts';
import { corsHeaders } from '../_shared/cors.ts';
import { FunctionError, handleErrors } from '../_shared/errors.ts';
import { stripeClient } from '../_shared/stripe.ts';
import { cancelDeletedWorkspaceSubscriptions } from './cancel-subscriptions.ts';

interface SeatSync {
  workspace_id: string;
  version: number;
  stripe_subscription_id: string;
  stripe_subscription_item_id: string | null;
  quantity: number;
}

// A change made while a round is in flight is claimed by the next round.
const MAX_ROUNDS = 5;

Deno.serve(
  handleErrors(async (request) => {
    if (request.method !== 'POST') throw new FunctionError('method_not_allowed', 'Use POST');
    const db = serviceClient();
    let synced = 0;
    let failed = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const { data, error } = await db.rpc('billing_claim_seat_syncs');
      if (error) throw new Error(`billing_claim_seat_syncs failed: ${error.code} ${error.message}`);
      const claimed = (data ?? []) as SeatSync[];
      if (claimed.length === 0) break;
      for (const sync of claimed) {
        if (await syncSeats(db, sync)) synced++;
        else failed++;
      }
    }
    const cancellations = await cancelDeletedWorkspaceSubscriptions(db);
    return Response.json(
      { synced, failed, canceled: cancellations.canceled, cancelFailed: cancellations.failed },
      { headers: corsHeaders },
    );
  }),
);

async function syncSeats(db: SupabaseClient, sync: SeatSync): Promise<boolean> {
  let error: string | null = null;
  try {
    const stripe = stripeClient();
    const itemId =
      sync.stripe_subscription_item_id ??
      (await stripe.subscriptions.retrieve(sync.stripe_subscription_id)).items.data[0]?.id;
    if (!itemId) throw new Error(`subscription ${sync.stripe_subscription_id} has no item`);
    await stripe.subscriptions.update(
      sync.stripe_subscription_id,
      { items: [{ id: itemId, quantity: sync.quantity }], proration_behavior: 'create_prorations' },
      // Same change, same key: Stripe answers a retry with the first result.
      { idempotencyKey: `groundwork-seats-${sync.stripe_subscription_id}-${sync.version}-${sync.quantity}` },
    );
  } catch (failure) {
    console.error(`seat sync for workspace ${sync.workspace_id} failed:`, failure);
    error = failure instanceof Error ? failure.message : String(failure);
  }
  const finished = await db.rpc('billing_finish_seat_sync', {
    workspace_id: sync.workspace_id,
    version: sync.version,
    quantity: sync.quantity,
    error,
  });
  if (finished.error) throw new Error(`billing_finish_seat_sync failed: ${finished.error.message}`);
  return error === null;
}
