-- Deleting a workspace cancels its Stripe subscription. Until now the workspace's
-- workspace_subscriptions row went away by cascade and Stripe went on charging for it.
--
-- The subscription row's deletion (by cascade from the workspace, or by the service role)
-- queues its Stripe subscription in private.billing_cancellations, an outbox that does not
-- reference the workspace, so it outlives it. The same content-free pg_net kick as the seat
-- sync wakes billing-sync-seats, which cancels each queued subscription through the Stripe API
-- and reports back; a failure (Stripe unreachable, an error answer) leaves the row pending with
-- its error, and the every-minute sweep (pg_cron, billing-sync-seats-sweep) kicks again until
-- it is done. Cancelling is idempotent: a subscription Stripe already reports canceled counts
-- as done, so a retry after a lost answer changes nothing.

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

create table private.billing_cancellations (
  stripe_subscription_id text primary key check (stripe_subscription_id ~ '^sub_'),
  -- The deleted workspace's id, for the logs; deliberately no foreign key.
  workspace_id uuid not null,
  stripe_customer_id text,
  requested_at timestamptz not null default now(),
  -- A call in flight holds the row until then; after it, another call may retry.
  claimed_until timestamptz,
  attempts integer not null default 0,
  last_error text,
  -- When Stripe confirmed the cancellation; null while pending.
  canceled_at timestamptz
);

comment on table private.billing_cancellations is
  'Stripe subscriptions of deleted workspaces, cancelled through the Stripe API by billing-sync-seats (retried until done).';

create index billing_cancellations_pending_idx on private.billing_cancellations (requested_at)
  where canceled_at is null;

alter table private.billing_cancellations enable row level security;
revoke all on table private.billing_cancellations from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

-- 20250106000000_billing.sql's sweep, which now also kicks when cancellations are pending.
create or replace function private.sweep_billing_seat_syncs()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  pending integer;
begin
  insert into private.billing_seat_syncs as o (workspace_id)
  select s.workspace_id
  from public.workspace_subscriptions as s
  where s.stripe_subscription_id is not null
    and s.status in ('active', 'trialing', 'past_due')
    and s.quantity is distinct from greatest(1, private.workspace_seats_used(s.workspace_id))
  on conflict on constraint billing_seat_syncs_pkey
  do update set version = o.version + 1, requested_at = now()
  where o.synced_version is not distinct from o.version;

  select
    (select count(*) from private.billing_seat_syncs as o where o.synced_version is distinct from o.version)
    + (select count(*) from private.billing_cancellations as c where c.canceled_at is null)
  into pending;
  if pending > 0 then
    perform private.kick_billing_seat_sync();
  end if;
  return pending;
end;
$$;

revoke execute on function private.sweep_billing_seat_syncs() from public;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

-- A subscription row going away (its workspace deleted) leaves nobody to follow or pay for
-- the Stripe subscription: queue its cancellation. One that already ended needs none.
create or replace function private.queue_billing_cancellation()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.stripe_subscription_id is null or old.status in ('canceled', 'incomplete_expired') then
    return null;
  end if;
  insert into private.billing_cancellations (stripe_subscription_id, workspace_id, stripe_customer_id)
  values (old.stripe_subscription_id, old.workspace_id, old.stripe_customer_id)
  on conflict (stripe_subscription_id) do nothing;
  perform private.kick_billing_seat_sync();
  return null;
end;
$$;

revoke execute on function private.queue_billing_cancellation() from public;

create trigger workspace_subscriptions_cancel_in_stripe
  after delete on public.workspace_subscriptions
  for each row execute function private.queue_billing_cancellation();

-- ---------------------------------------------------------------------------
-- API functions
-- ---------------------------------------------------------------------------

-- billing-sync-seats takes the pending cancellations (at most 50, each held for a minute).
create or replace function public.billing_claim_cancellations()
returns table (stripe_subscription_id text, workspace_id uuid, attempts integer)
language plpgsql
security definer
set search_path = ''
as $$
begin
  return query
  with due as (
    select c.stripe_subscription_id
    from private.billing_cancellations as c
    where c.canceled_at is null
      and (c.claimed_until is null or c.claimed_until < now())
    order by c.requested_at
    limit 50
    for update skip locked
  )
  update private.billing_cancellations as c
  set claimed_until = now() + interval '1 minute', attempts = c.attempts + 1
  from due
  where c.stripe_subscription_id = due.stripe_subscription_id
  returning c.stripe_subscription_id, c.workspace_id, c.attempts;
end;
$$;

comment on function public.billing_claim_cancellations() is
  'billing-sync-seats only: the Stripe subscriptions of deleted workspaces still to cancel.';

revoke execute on function public.billing_claim_cancellations() from public, anon, authenticated;
grant execute on function public.billing_claim_cancellations() to service_role;

-- Reports a claimed cancellation: done, or failed with its error (free for the next kick or
-- sweep).
create or replace function public.billing_finish_cancellation(stripe_subscription_id text, error text default null)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  update private.billing_cancellations as c set
    canceled_at = case when billing_finish_cancellation.error is null then now() end,
    claimed_until = null,
    last_error = left(billing_finish_cancellation.error, 1000)
  where c.stripe_subscription_id = billing_finish_cancellation.stripe_subscription_id
    and c.canceled_at is null;
end;
$$;

comment on function public.billing_finish_cancellation(text, text) is
  'billing-sync-seats only: reports a cancellation done (error null) or failed.';

revoke execute on function public.billing_finish_cancellation(text, text) from public, anon, authenticated;
grant execute on function public.billing_finish_cancellation(text, text) to service_role;
