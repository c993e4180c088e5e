-- Billing with Stripe. Stripe is the source of truth for a workspace's subscription; Postgres
-- holds its last known state and enforces what follows from it.
--
--   billing_prices           Stripe price id → plan (data, so a new price needs no deploy)
--   workspace_subscriptions  one row per workspace that has a Stripe customer: the
--                            subscription's status, price, quantity, and the time of the newest
--                            Stripe event applied (older events never regress it)
--   stripe_events            every webhook event id seen; a repeat is a no-op
--   private.billing_seat_syncs  the seat outbox: a member or pending invitation changing bumps
--                            its version, pg_net kicks billing-sync-seats, which sets the
--                            subscription's quantity through the Stripe API (idempotency key per
--                            version) and reports back; pg_cron sweeps drift and failures
--
-- States: active and trialing keep the price's plan; past_due keeps it for the plan's
-- past_due_grace, then new projects, tasks, invitations and members are refused with
-- plan_limit_reached ({"limit":"past_due"}); canceled (also unpaid, paused, incomplete_expired)
-- moves the workspace to the free plan. A plan change that leaves the workspace over a limit
-- deletes nothing — the limit triggers refuse only new rows — and notifies its owners.
--
-- The edge functions (billing-checkout, billing-portal, stripe-webhook, billing-sync-seats)
-- write through the service_role-only RPCs at the end of this file. docs/billing.md has the
-- whole picture and the hosted setup (the Vault secret `project_url` the kicks are sent to).

-- ---------------------------------------------------------------------------
-- setup
-- ---------------------------------------------------------------------------

-- As `supabase db pull` writes it; pg_net is not pre-installed on hosted.
create extension if not exists pg_net with schema extensions;
create extension if not exists pg_cron with schema pg_catalog;

-- The seat count billing charges for is the one the member limit checks:
-- private.workspace_seats_used(workspace_id) from 20250103000000_seats.sql.

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

alter table public.plans
  add column past_due_grace interval not null default interval '7 days'
    check (past_due_grace >= interval '0');

comment on column public.plans.past_due_grace is
  'How long a past_due subscription keeps the plan''s creations allowed before they are refused.';

create table public.billing_prices (
  stripe_price_id text primary key check (stripe_price_id ~ '^price_[A-Za-z0-9_]{1,250}$'),
  plan_id text not null references public.plans (id),
  created_at timestamptz not null default now()
);

create index billing_prices_plan_idx on public.billing_prices (plan_id);

comment on table public.billing_prices is
  'Which plan a Stripe price buys; billing-checkout sells a plan through its newest price.';

create table public.workspace_subscriptions (
  workspace_id uuid primary key references public.workspaces (id) on delete cascade,
  stripe_customer_id text not null unique check (stripe_customer_id ~ '^cus_'),
  stripe_subscription_id text unique check (stripe_subscription_id ~ '^sub_'),
  stripe_price_id text,
  stripe_subscription_item_id text,
  -- Stripe's subscription statuses; null until a subscription exists.
  status text check (status in (
    'incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid', 'paused'
  )),
  -- The seats Stripe charges for, as last reported by Stripe or set by the seat sync.
  quantity integer check (quantity >= 0),
  current_period_end timestamptz,
  cancel_at_period_end boolean not null default false,
  past_due_since timestamptz,
  -- `created` of the newest Stripe event applied; an older one changes nothing.
  state_as_of timestamptz,
  updated_at timestamptz not null default now()
);

comment on table public.workspace_subscriptions is
  'A workspace''s Stripe customer and subscription state, written only from Stripe events and the seat sync.';

create table public.stripe_events (
  id text primary key check (id ~ '^evt_'),
  type text not null,
  stripe_created_at timestamptz not null,
  workspace_id uuid references public.workspaces (id) on delete set null,
  -- applied, stale (older than the state), ignored (no workspace or an unhandled type)
  outcome text not null check (outcome in ('applied', 'stale', 'ignored')),
  received_at timestamptz not null default now()
);

create index stripe_events_workspace_idx on public.stripe_events (workspace_id);

comment on table public.stripe_events is 'Every Stripe webhook event received once; repeats are ignored.';

create table private.billing_seat_syncs (
  workspace_id uuid primary key references public.workspaces (id) on delete cascade,
  -- Bumped on every change of members or pending invitations.
  version bigint not null default 1,
  synced_version bigint,
  synced_quantity integer,
  requested_at timestamptz not null default now(),
  -- A call in flight holds the row until then; after it, another call may retry.
  claimed_until timestamptz,
  attempts integer not null default 0,
  last_error text
);

alter table public.billing_prices enable row level security;
alter table public.workspace_subscriptions enable row level security;
alter table public.stripe_events enable row level security;
alter table private.billing_seat_syncs enable row level security;

-- Subscriptions and events are written only by the functions (service role) and read by
-- billing managers through billing_subscription(); prices are public knowledge.
revoke all on table public.billing_prices, public.workspace_subscriptions, public.stripe_events
  from anon, authenticated;
revoke all on table private.billing_seat_syncs from public, anon, authenticated, service_role;
grant select on table public.billing_prices to authenticated;
grant all on table public.billing_prices, public.workspace_subscriptions, public.stripe_events
  to service_role;

-- Owners hear of a plan change that leaves their workspace over a limit. Such a
-- notification is about the workspace, not a task.
alter type public.notification_type add value if not exists 'plan_over_limit';
alter table public.notifications alter column task_id drop not null;
alter table public.notifications add column details jsonb;
alter table public.notifications drop constraint notifications_comment_type;
-- Compared as text: a value added to an enum cannot be used in the transaction that added it.
alter table public.notifications add constraint notifications_type_shape check (
  case type::text
    when 'plan_over_limit' then task_id is null and comment_id is null and details is not null
    else task_id is not null and (type::text = 'task_assigned') = (comment_id is null)
  end
);

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

-- Whether a past_due workspace's grace is over, so new rows are refused.
create or replace function private.billing_grace_ends_at(workspace_id uuid)
returns timestamptz
language sql
stable
security definer
set search_path = ''
as $$
  select s.past_due_since + p.past_due_grace
  from public.workspace_subscriptions as s
  join public.workspaces as w on w.id = s.workspace_id
  join public.plans as p on p.id = w.plan
  where s.workspace_id = billing_grace_ends_at.workspace_id
    and s.status = 'past_due'
    and s.past_due_since is not null;
$$;

create or replace function private.billing_creations_blocked(workspace_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(private.billing_grace_ends_at(billing_creations_blocked.workspace_id) <= now(), false);
$$;

-- Sends the content-free kick to billing-sync-seats (after commit: pg_net sends only what
-- committed). The function reads the outbox itself, so a kick carries no authority. Without
-- the Vault secret `project_url` nothing is sent.
create or replace function private.kick_billing_seat_sync()
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  project_url text;
begin
  select s.decrypted_secret into project_url
  from vault.decrypted_secrets as s
  where s.name = 'project_url';
  if project_url is null then
    return;
  end if;
  perform net.http_post(
    url := rtrim(project_url, '/') || '/functions/v1/billing-sync-seats',
    body := '{}'::jsonb,
    headers := '{"Content-Type": "application/json"}'::jsonb,
    timeout_milliseconds := 30000
  );
end;
$$;

-- Marks the workspace's seats as changed, when it has a live subscription to follow them.
create or replace function private.request_billing_seat_sync(workspace_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Also false while the workspace itself is being deleted (its members go by cascade).
  if not exists (
    select 1
    from public.workspace_subscriptions as s
    join public.workspaces as w on w.id = s.workspace_id
    where s.workspace_id = request_billing_seat_sync.workspace_id
      and s.stripe_subscription_id is not null
      and s.status in ('active', 'trialing', 'past_due')
  ) then
    return;
  end if;
  insert into private.billing_seat_syncs as o (workspace_id)
  values (request_billing_seat_sync.workspace_id)
  on conflict on constraint billing_seat_syncs_pkey
  do update set version = o.version + 1, requested_at = now();
  perform private.kick_billing_seat_sync();
end;
$$;

-- Every minute: subscriptions whose quantity differs from the seats used (an invitation
-- expired, someone changed the quantity in Stripe, a sync failed) get a new version, and
-- anything pending is kicked again.
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

  select count(*) into pending
  from private.billing_seat_syncs as o
  where o.synced_version is distinct from o.version;
  if pending > 0 then
    perform private.kick_billing_seat_sync();
  end if;
  return pending;
end;
$$;

-- Tells the owners, once per plan change, which limits the workspace is now over.
create or replace function private.notify_owners_over_limit(workspace_id uuid, plan_id text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  plan public.plans;
  seats integer;
  active_projects integer;
  over jsonb := '[]'::jsonb;
begin
  select * into plan from public.plans as p where p.id = notify_owners_over_limit.plan_id;
  seats := private.workspace_seats_used(notify_owners_over_limit.workspace_id);
  select count(*) into active_projects
  from public.projects as pr
  where pr.workspace_id = notify_owners_over_limit.workspace_id and not pr.archived;

  if plan.max_members is not null and seats > plan.max_members then
    over := over || jsonb_build_object('limit', 'members', 'max', plan.max_members, 'current', seats);
  end if;
  if plan.max_projects is not null and active_projects > plan.max_projects then
    over := over || jsonb_build_object('limit', 'projects', 'max', plan.max_projects, 'current', active_projects);
  end if;
  if jsonb_array_length(over) = 0 then
    return;
  end if;

  insert into public.notifications (recipient_id, workspace_id, type, details)
  select m.user_id, m.workspace_id, 'plan_over_limit',
    jsonb_build_object('plan', plan.id, 'over', over)
  from public.workspace_members as m
  where m.workspace_id = notify_owners_over_limit.workspace_id
    and m.role = 'owner';
end;
$$;

revoke execute on function private.billing_grace_ends_at(uuid) from public;
revoke execute on function private.billing_creations_blocked(uuid) from public;
revoke execute on function private.kick_billing_seat_sync() from public;
revoke execute on function private.request_billing_seat_sync(uuid) from public;
revoke execute on function private.sweep_billing_seat_syncs() from public;
revoke execute on function private.notify_owners_over_limit(uuid, text) from public;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

-- After a past_due grace, new rows are refused. Named to fire after the tables' own
-- `*_prepare` triggers (before-triggers fire in name order), which fill in workspace_id. Asked only of those allowed to create there
-- (caller_may: the permission, or the service role), so anyone else learns nothing and RLS
-- refuses them as before. Members join only through accept_invitation or the service role,
-- both of which already know the workspace.
create or replace function private.require_billing_standing()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  permission text := case tg_table_name
    when 'projects' then 'projects.create'
    when 'tasks' then 'tasks.create'
    when 'invitations' then 'members.invite'
  end;
begin
  if permission is not null and not private.caller_may(new.workspace_id, permission) then
    return new;
  end if;
  if private.billing_creations_blocked(new.workspace_id) then
    raise exception using
      errcode = 'PT402',
      message = 'plan_limit_reached',
      detail = json_build_object('limit', 'past_due', 'max', null, 'current', null)::text,
      hint = 'The subscription''s payment is past due: update the payment method in the billing portal.';
  end if;
  return new;
end;
$$;

create trigger projects_require_billing_standing
  before insert on public.projects
  for each row execute function private.require_billing_standing();

create trigger tasks_require_billing_standing
  before insert on public.tasks
  for each row execute function private.require_billing_standing();

create trigger invitations_require_billing_standing
  before insert on public.invitations
  for each row execute function private.require_billing_standing();

create trigger workspace_members_require_billing_standing
  before insert on public.workspace_members
  for each row execute function private.require_billing_standing();

create or replace function private.seats_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    perform private.request_billing_seat_sync(old.workspace_id);
  else
    perform private.request_billing_seat_sync(new.workspace_id);
  end if;
  return null;
end;
$$;

create trigger workspace_members_billing_seats
  after insert or delete on public.workspace_members
  for each row execute function private.seats_changed();

create trigger invitations_billing_seats
  after insert or delete or update of accepted_at, revoked_at, expires_at, email on public.invitations
  for each row execute function private.seats_changed();

create trigger workspace_subscriptions_set_updated_at
  before update on public.workspace_subscriptions
  for each row execute function private.set_updated_at();

-- ---------------------------------------------------------------------------
-- policies
-- ---------------------------------------------------------------------------

create policy "Signed-in users can read which plan each price buys"
  on public.billing_prices for select
  to authenticated
  using (true);

-- ---------------------------------------------------------------------------
-- API functions
-- ---------------------------------------------------------------------------

-- The subscription of a workspace, for billing.manage holders. A non-member gets
-- workspace_not_found, as for a workspace that does not exist.
create or replace function private.billing_subscription(workspace_id uuid)
returns table (
  plan text,
  status text,
  quantity integer,
  seats_used integer,
  max_members integer,
  current_period_end timestamptz,
  cancel_at_period_end boolean,
  past_due_since timestamptz,
  grace_ends_at timestamptz,
  creations_blocked boolean,
  has_billing_account boolean
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  is_service_role boolean := (select auth.role()) = 'service_role';
begin
  if (select auth.uid()) is null and not is_service_role then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
  if not is_service_role then
    if not private.is_member(billing_subscription.workspace_id) then
      raise exception using errcode = 'PT404', message = 'workspace_not_found';
    end if;
    if not private.has_permission(billing_subscription.workspace_id, 'billing.manage') then
      raise exception using errcode = '42501', message = 'forbidden',
        detail = 'Reading the subscription needs billing.manage.';
    end if;
  end if;

  return query
  select
    w.plan,
    s.status,
    s.quantity,
    private.workspace_seats_used(w.id),
    p.max_members,
    s.current_period_end,
    coalesce(s.cancel_at_period_end, false),
    s.past_due_since,
    private.billing_grace_ends_at(w.id),
    private.billing_creations_blocked(w.id),
    s.stripe_customer_id is not null
  from public.workspaces as w
  join public.plans as p on p.id = w.plan
  left join public.workspace_subscriptions as s on s.workspace_id = w.id
  where w.id = billing_subscription.workspace_id;

  if not found then
    raise exception using errcode = 'PT404', message = 'workspace_not_found';
  end if;
end;
$$;

revoke execute on function private.billing_subscription(uuid) from public;
grant execute on function private.billing_subscription(uuid) to authenticated, service_role;

create or replace function public.billing_subscription(workspace_id uuid)
returns table (
  plan text,
  status text,
  quantity integer,
  seats_used integer,
  max_members integer,
  current_period_end timestamptz,
  cancel_at_period_end boolean,
  past_due_since timestamptz,
  grace_ends_at timestamptz,
  creations_blocked boolean,
  has_billing_account boolean
)
language sql
stable
security invoker
set search_path = ''
as $$
  select * from private.billing_subscription(workspace_id);
$$;

comment on function public.billing_subscription(uuid) is
  'The workspace''s plan, Stripe subscription state, seats used and past-due grace (billing.manage).';

revoke execute on function public.billing_subscription(uuid) from public, anon;
grant execute on function public.billing_subscription(uuid) to authenticated, service_role;

-- Applies one verified Stripe event, normalised by stripe-webhook:
--   {id, type, created (unix seconds), workspace_id?, customer_id?,
--    subscription?: {id, status, price_id, item_id, quantity, current_period_end, cancel_at_period_end},
--    invoice?: 'paid' | 'payment_failed'}
-- Returns duplicate (seen before), ignored (no workspace, or nothing to apply), stale (older
-- than the state already applied) or applied. The event id is stored in the same transaction.
create or replace function public.billing_apply_stripe_event(event jsonb)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  event_id text := event ->> 'id';
  created timestamptz := to_timestamp((event ->> 'created')::bigint);
  sub jsonb := event -> 'subscription';
  target uuid;
  existing public.workspace_subscriptions;
  next_status text;
  next_price text;
  old_plan text;
  new_plan text;
  result text;
begin
  if event_id is null or event ->> 'type' is null or event ->> 'created' is null then
    raise exception using errcode = '22023', message = 'invalid_input',
      detail = 'An event needs id, type and created.';
  end if;
  -- Claim the id first: a second delivery of the same event waits here for the first to
  -- commit, then finds it.
  insert into public.stripe_events (id, type, stripe_created_at, outcome)
  values (event_id, event ->> 'type', created, 'ignored')
  on conflict (id) do nothing;
  if not found then
    return 'duplicate';
  end if;

  -- Whose event: the workspace named in metadata / client_reference_id, else the customer's
  -- or the subscription's.
  select w.id into target from public.workspaces as w where w.id = (event ->> 'workspace_id')::uuid;
  if target is null then
    select s.workspace_id into target
    from public.workspace_subscriptions as s
    where s.stripe_customer_id = event ->> 'customer_id'
       or s.stripe_subscription_id = sub ->> 'id';
  end if;

  if target is null or (sub is null and event ->> 'invoice' is null) then
    result := 'ignored';
  else
    -- The workspace row first, as the limit triggers lock it, then the subscription.
    select w.plan into old_plan from public.workspaces as w where w.id = target for no key update;
    if event ->> 'customer_id' is not null then
      insert into public.workspace_subscriptions (workspace_id, stripe_customer_id)
      values (target, event ->> 'customer_id')
      on conflict (workspace_id) do nothing;
    end if;
    select * into existing from public.workspace_subscriptions as s where s.workspace_id = target for update;

    if existing.workspace_id is null then
      result := 'ignored';
    elsif existing.state_as_of is not null and created < existing.state_as_of then
      result := 'stale';
    elsif existing.stripe_subscription_id is not null and sub is not null
      and sub ->> 'id' <> existing.stripe_subscription_id
      and existing.status in ('active', 'trialing', 'past_due')
      and sub ->> 'status' not in ('active', 'trialing', 'past_due') then
      -- An old subscription ending while a newer one is live changes nothing.
      result := 'ignored';
    else
      if sub is not null then
        next_status := sub ->> 'status';
        next_price := coalesce(sub ->> 'price_id', existing.stripe_price_id);
        update public.workspace_subscriptions as s set
          stripe_subscription_id = sub ->> 'id',
          stripe_price_id = next_price,
          stripe_subscription_item_id = coalesce(sub ->> 'item_id', s.stripe_subscription_item_id),
          status = next_status,
          quantity = coalesce((sub ->> 'quantity')::integer, s.quantity),
          current_period_end = coalesce(to_timestamp((sub ->> 'current_period_end')::bigint), s.current_period_end),
          cancel_at_period_end = coalesce((sub ->> 'cancel_at_period_end')::boolean, false),
          past_due_since = case when next_status = 'past_due' then coalesce(s.past_due_since, created) end,
          state_as_of = created
        where s.workspace_id = target;
      else
        next_price := existing.stripe_price_id;
        next_status := case
          when existing.status in ('canceled', 'incomplete_expired') then existing.status
          when event ->> 'invoice' = 'payment_failed' then 'past_due'
          when existing.status = 'trialing' then 'trialing'
          else 'active'
        end;
        update public.workspace_subscriptions as s set
          status = next_status,
          past_due_since = case when next_status = 'past_due' then coalesce(s.past_due_since, created) end,
          state_as_of = created
        where s.workspace_id = target;
      end if;

      new_plan := case
        when next_status in ('active', 'trialing', 'past_due') then coalesce(
          (select bp.plan_id from public.billing_prices as bp where bp.stripe_price_id = next_price),
          old_plan)
        when next_status = 'incomplete' then old_plan
        else 'free'
      end;
      if new_plan is distinct from old_plan then
        update public.workspaces as w set plan = new_plan where w.id = target;
        perform private.notify_owners_over_limit(target, new_plan);
      end if;
      result := 'applied';
    end if;
  end if;

  update public.stripe_events as e set workspace_id = target, outcome = result
  where e.id = event_id;
  return result;
end;
$$;

comment on function public.billing_apply_stripe_event(jsonb) is
  'stripe-webhook only: applies a verified Stripe event once, never older than the state.';

revoke execute on function public.billing_apply_stripe_event(jsonb) from public, anon, authenticated;
grant execute on function public.billing_apply_stripe_event(jsonb) to service_role;

-- billing-sync-seats takes the pending seat changes (at most 50, each held for a minute) with
-- the quantity to set now.
create or replace function public.billing_claim_seat_syncs()
returns table (
  workspace_id uuid,
  version bigint,
  stripe_subscription_id text,
  stripe_subscription_item_id text,
  quantity integer
)
language plpgsql
security definer
set search_path = ''
as $$
begin
  return query
  with due as (
    select o.workspace_id
    from private.billing_seat_syncs as o
    where o.synced_version is distinct from o.version
      and (o.claimed_until is null or o.claimed_until < now())
    order by o.requested_at
    limit 50
    for update skip locked
  ), claimed as (
    update private.billing_seat_syncs as o
    set claimed_until = now() + interval '1 minute', attempts = o.attempts + 1
    from due
    where o.workspace_id = due.workspace_id
    returning o.workspace_id, o.version
  )
  select c.workspace_id, c.version, s.stripe_subscription_id, s.stripe_subscription_item_id,
    greatest(1, private.workspace_seats_used(c.workspace_id))
  from claimed as c
  join public.workspace_subscriptions as s on s.workspace_id = c.workspace_id
  where s.stripe_subscription_id is not null;
end;
$$;

revoke execute on function public.billing_claim_seat_syncs() from public, anon, authenticated;
grant execute on function public.billing_claim_seat_syncs() to service_role;

-- Reports a claimed sync: on success the version counts as synced (a newer one stays
-- pending) and the quantity is what Stripe now charges; on failure the error is kept and the
-- row is free for the next kick or sweep.
create or replace function public.billing_finish_seat_sync(
  workspace_id uuid,
  version bigint,
  quantity integer,
  error text default null
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if error is null then
    update private.billing_seat_syncs as o set
      synced_version = greatest(coalesce(o.synced_version, 0), billing_finish_seat_sync.version),
      synced_quantity = billing_finish_seat_sync.quantity,
      claimed_until = null,
      last_error = null
    where o.workspace_id = billing_finish_seat_sync.workspace_id;
    update public.workspace_subscriptions as s set quantity = billing_finish_seat_sync.quantity
    where s.workspace_id = billing_finish_seat_sync.workspace_id;
  else
    update private.billing_seat_syncs as o set
      claimed_until = null,
      last_error = left(billing_finish_seat_sync.error, 1000)
    where o.workspace_id = billing_finish_seat_sync.workspace_id;
  end if;
end;
$$;

revoke execute on function public.billing_finish_seat_sync(uuid, bigint, integer, text)
  from public, anon, authenticated;
grant execute on function public.billing_finish_seat_sync(uuid, bigint, integer, text) to service_role;

-- ---------------------------------------------------------------------------
-- schedules
-- ---------------------------------------------------------------------------

select cron.schedule('billing-sync-seats-sweep', '* * * * *', 'select private.sweep_billing_seat_syncs()');
