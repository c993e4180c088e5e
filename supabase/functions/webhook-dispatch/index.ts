/**
 * POST /functions/v1/webhook-dispatch — called by pg_net right after a change commits (and by
 * the pg_cron sweep), with the service role key from Vault.
 *
 * Claims due deliveries (row locks that skip locked rows, then a lease), sends each signed to
 * its endpoint, records the outcomes, and goes on until nothing is due or its time budget is
 * spent. The claim and record RPCs are the service role's alone: any other caller gets 403.
 */
import type { PostgrestError } from '@supabase/supabase-js';
import { callerClient } from '../_shared/clients.ts';
import { corsHeaders } from '../_shared/cors.ts';
import { webhookSettings } from '../_shared/env.ts';
import { FunctionError, handleErrors } from '../_shared/errors.ts';
import { parseAllowedNetworks } from './address-policy.ts';
import { type ClaimedDelivery, sendDelivery } from './send-delivery.ts';

const BATCH = 200;
// Claims are `skip locked`, so workers never take the same rows: while one waits on receivers,
// another records or claims. A run starts with one and adds the rest when a claim comes back full.
const WORKERS = 4;
// Requests in flight per worker. Each open connection holds buffers in the runtime, and a
// receiver hit by 800 connections at once (a whole claim per worker) is being flooded: 50 keeps
// the rate (the database round trips bound it) and the dispatcher's memory bounded.
const SENDS_PER_WORKER = 50;
// The first worker keeps looking a little after the work runs out: while this run is in flight
// pg_net holds its kick as queued, so a change committed now skips its own kick and would
// otherwise wait for the next sweep (up to a second).
const LINGER_MS = 300;
const POLL_MS = 20;
// Well inside pg_net's 60 s timeout for the kick and hosted's wall-clock limit.
const BUDGET_MS = 25_000;

Deno.serve(
  handleErrors(async (request) => {
    if (request.method !== 'POST') throw new FunctionError('method_not_allowed', 'Use POST');
    const db = callerClient(request);
    const allowed = parseAllowedNetworks(webhookSettings().allowedNetworks);
    const deadline = Date.now() + BUDGET_MS;
    let sent = 0;
    const workers: Promise<void>[] = [];
    let active = 0;
    // `lingers`: the first worker; the others stop as soon as nothing is due.
    const work = async (lingers: boolean) => {
      let idleSince = Date.now();
      while (Date.now() < deadline) {
        const claimed = await db.rpc('claim_webhook_deliveries', { max_count: BATCH });
        if (claimed.error) throw databaseError(claimed.error);
        const deliveries = claimed.data as ClaimedDelivery[];
        if (deliveries.length === 0) {
          if (!lingers || Date.now() - idleSince > LINGER_MS) return;
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          continue;
        }
        // A full batch: there is a backlog, so bring the other workers (back) in.
        if (deliveries.length === BATCH) while (active < WORKERS) start(false);
        const outcomes = await mapWithConcurrency(deliveries, SENDS_PER_WORKER, (delivery) =>
          sendDelivery(delivery, allowed),
        );
        const recorded = await db.rpc('record_webhook_attempts', { results: outcomes });
        if (recorded.error) throw databaseError(recorded.error);
        sent += deliveries.length;
        idleSince = Date.now();
      }
    };
    const start = (lingers: boolean) => {
      active += 1;
      workers.push(
        work(lingers).finally(() => {
          active -= 1;
        }),
      );
    };
    start(true);
    // The list grows while it is awaited (workers start others).
    for (let index = 0; index < workers.length; index += 1) await workers[index];
    return Response.json({ sent }, { headers: corsHeaders });
  }),
);

/** `fn` over `items`, at most `limit` at a time, results in the items' order. */
async function mapWithConcurrency<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

function databaseError(error: PostgrestError): Error {
  if (error.code === '42501')
    return new FunctionError('forbidden', 'Only the service role dispatches webhooks');
  return new Error(`database error ${error.code}: ${error.message}`);
}
