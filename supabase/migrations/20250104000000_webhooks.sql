-- Outbound webhooks (Standard Webhooks): other systems hear what happens in a workspace.
--
-- Endpoints belong to a workspace and are managed by holders of `webhooks.manage`. Every
-- meaningful domain change (tasks, projects, comments, members, invitations; see
-- public.webhook_event_types) is written by triggers, in the same transaction as the change,
-- to the outbox: one public.webhook_events row ({type, timestamp, data}, at most 20 KB) and one
-- public.webhook_deliveries row per subscribed endpoint. A rolled-back change leaves neither.
-- Events are written only while at least one enabled endpoint of the workspace subscribes, so
-- workspaces without webhooks pay one index probe per change and store nothing.
--
-- Delivery is the `webhook-dispatch` edge function's job. An AFTER INSERT trigger on the
-- deliveries asks pg_net to call it (pg_net sends only after the transaction commits), and a
-- pg_cron job sweeps every second for deliveries that are due (retries, a kick lost to a race or
-- a crash). The dispatcher claims due rows with `for update skip locked` and leases them
-- (`next_attempt_at` moves to the end of the lease), so concurrent dispatchers never send the
-- same delivery twice; a dispatcher that dies mid-send leaves its lease to expire and the row is
-- claimed again: at least once, with the same `webhook-id` (the event's id).
--
-- The dispatcher's URL and key are the Vault secrets `webhook_dispatch_url` and
-- `webhook_dispatch_key` (as Supabase's docs schedule edge functions): set locally by seed.sql,
-- on hosted by the deploy steps in docs/webhooks.md. Signing secrets (`whsec_…`) live in Vault
-- too, referenced from a private table no API role can read; they are answered once, by the RPC
-- that made them.

-- ---------------------------------------------------------------------------
-- setup
-- ---------------------------------------------------------------------------

create extension if not exists pg_net with schema extensions;
create extension if not exists pg_cron with schema pg_catalog;

-- ---------------------------------------------------------------------------
-- types
-- ---------------------------------------------------------------------------

create type public.webhook_delivery_status as enum ('pending', 'delivering', 'succeeded', 'failed');

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

-- Tunables, one row. The delays follow the first attempt (made at once): 5 s, 5 min, 30 min,
-- 2 h, 5 h, 10 h, 10 h — eight attempts over about 28 hours. Tests shorten them.
create table private.webhook_settings (
  id boolean primary key default true check (id),
  retry_delays_seconds integer[] not null default '{5,300,1800,7200,18000,36000,36000}'
    check (cardinality(retry_delays_seconds) between 0 and 20 and 0 <= all (retry_delays_seconds)),
  -- Each delay is stretched or shrunk by up to this fraction, so retries of a burst spread out.
  jitter double precision not null default 0.1 check (jitter between 0 and 1),
  -- How long a claimed delivery is the claimer's; longer than the 15 s send timeout.
  lease_seconds integer not null default 60 check (lease_seconds between 1 and 3600),
  -- An endpoint failing without a success for this long is disabled and its admins notified.
  disable_after interval not null default '5 days',
  -- After a rotation the old secret still signs (beside the new one) for this long.
  secret_overlap interval not null default '24 hours',
  -- Events (with their deliveries and attempts) older than this are purged.
  retention interval not null default '30 days'
);

insert into private.webhook_settings default values;
revoke all on table private.webhook_settings from public, anon, authenticated, service_role;

-- The catalogue of event types an endpoint can subscribe to (exactly, or as `task.*`).
create table public.webhook_event_types (
  type text primary key check (type ~ '^[a-z_]+\.[a-z_]+$'),
  description text not null
);

insert into public.webhook_event_types (type, description) values
  ('task.created', 'A task was created'),
  ('task.updated', 'A task''s title, description, priority, assignee or due date changed'),
  ('task.moved', 'A task changed status, project or position'),
  ('task.deleted', 'A task was deleted (or moved to the trash)'),
  ('task.restored', 'A task came back from the trash'),
  ('project.created', 'A project was created'),
  ('project.updated', 'A project was renamed, described, archived or unarchived'),
  ('project.deleted', 'A project was deleted (or moved to the trash)'),
  ('project.restored', 'A project came back from the trash'),
  ('comment.created', 'A comment was written'),
  ('comment.updated', 'A comment was edited'),
  ('comment.deleted', 'A comment was deleted (or moved to the trash)'),
  ('comment.restored', 'A comment came back from the trash'),
  ('member.joined', 'Someone joined the workspace'),
  ('member.left', 'Someone left or was removed from the workspace'),
  ('member.role_changed', 'A member''s role changed'),
  ('invitation.created', 'Someone was invited'),
  ('invitation.accepted', 'An invitation was accepted'),
  ('invitation.revoked', 'An invitation was revoked'),
  ('invitation.deleted', 'An invitation was deleted'),
  ('webhook.test', 'A test event sent from "send test event"');

create table public.webhook_endpoints (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  url text not null,
  description text not null default '' check (char_length(description) <= 500),
  -- Empty: every event. Otherwise exact types or `<resource>.*`.
  event_types text[] not null default '{}',
  enabled boolean not null default true,
  -- Why the endpoint stopped (410 from the receiver, failing for days); cleared on re-enabling.
  disabled_reason text,
  disabled_at timestamptz,
  -- The first failure since the last success; null while healthy.
  failing_since timestamptz,
  secret_rotated_at timestamptz,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint webhook_endpoints_id_workspace_key unique (id, workspace_id)
);

create index webhook_endpoints_workspace_idx on public.webhook_endpoints (workspace_id) where enabled;
create index webhook_endpoints_workspace_all_idx on public.webhook_endpoints (workspace_id, created_at);

-- Vault ids of each endpoint's signing secrets; no API role reads this table.
create table private.webhook_endpoint_secrets (
  endpoint_id uuid primary key references public.webhook_endpoints (id) on delete cascade,
  secret_id uuid not null,
  previous_secret_id uuid,
  previous_expires_at timestamptz
);

revoke all on table private.webhook_endpoint_secrets from public, anon, authenticated, service_role;

-- The outbox. `id` is the Standard Webhooks message id (`webhook-id`), the same on every
-- attempt and replay; `payload` is what is signed and sent.
create table public.webhook_events (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  type text not null,
  occurred_at timestamptz not null default now(),
  payload jsonb not null
);

create index webhook_events_workspace_time_idx on public.webhook_events (workspace_id, occurred_at desc);
create index webhook_events_time_idx on public.webhook_events (occurred_at);

create table public.webhook_deliveries (
  id uuid primary key default gen_random_uuid(),
  event_id uuid not null references public.webhook_events (id) on delete cascade,
  endpoint_id uuid not null,
  workspace_id uuid not null,
  event_type text not null,
  status public.webhook_delivery_status not null default 'pending',
  -- Attempts made (counted when claimed).
  attempts integer not null default 0,
  -- Pending: when it is due. Delivering: when the claimer's lease ends.
  next_attempt_at timestamptz not null default now(),
  last_attempt_at timestamptz,
  last_status_code integer,
  last_error text,
  -- The last response's body, truncated to 1,000 characters.
  last_response text,
  created_at timestamptz not null default now(),
  delivered_at timestamptz,
  constraint webhook_deliveries_event_endpoint_key unique (event_id, endpoint_id),
  constraint webhook_deliveries_endpoint_fkey foreign key (endpoint_id, workspace_id)
    references public.webhook_endpoints (id, workspace_id) on delete cascade
);

-- What the dispatcher claims: due rows in order.
create index webhook_deliveries_due_idx on public.webhook_deliveries (next_attempt_at)
  where status in ('pending', 'delivering');
create index webhook_deliveries_endpoint_idx on public.webhook_deliveries (endpoint_id, created_at desc);
create index webhook_deliveries_workspace_idx on public.webhook_deliveries (workspace_id, created_at desc);

create table public.webhook_delivery_attempts (
  id bigint generated always as identity primary key,
  delivery_id uuid not null references public.webhook_deliveries (id) on delete cascade,
  endpoint_id uuid not null,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  attempted_at timestamptz not null default now(),
  -- Null when no response came (timeout, refused address, connection error).
  status_code integer,
  latency_ms integer,
  response_excerpt text check (char_length(response_excerpt) <= 1000),
  error text check (char_length(error) <= 1000)
);

create index webhook_delivery_attempts_delivery_idx on public.webhook_delivery_attempts (delivery_id, attempted_at);
create index webhook_delivery_attempts_workspace_idx on public.webhook_delivery_attempts (workspace_id);

alter table public.webhook_event_types enable row level security;
alter table public.webhook_endpoints enable row level security;
alter table public.webhook_events enable row level security;
alter table public.webhook_deliveries enable row level security;
alter table public.webhook_delivery_attempts enable row level security;

revoke all on table public.webhook_event_types, public.webhook_endpoints, public.webhook_events,
  public.webhook_deliveries, public.webhook_delivery_attempts from anon, authenticated, service_role;
grant select on table public.webhook_event_types to anon, authenticated, service_role;
-- Created (with their secret) only through create_webhook_endpoint.
grant select, delete on table public.webhook_endpoints to authenticated;
grant update (url, description, event_types, enabled) on table public.webhook_endpoints to authenticated;
grant select on table public.webhook_events, public.webhook_deliveries, public.webhook_delivery_attempts
  to authenticated;
grant select on table public.webhook_endpoints, public.webhook_events, public.webhook_deliveries,
  public.webhook_delivery_attempts to service_role;

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

-- Whether an endpoint's filter lets `event_type` through.
create or replace function private.webhook_filter_matches(filter text[], event_type text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select cardinality(filter) = 0
    or event_type = any (filter)
    or split_part(event_type, '.', 1) || '.*' = any (filter)
    or '*' = any (filter);
$$;

-- Asks pg_net to call the dispatcher, unless a call is already queued and not yet answered
-- (it will find this transaction's rows, or the next sweep will). Without the Vault secrets
-- (a project not yet set up) it does nothing and the deliveries wait.
create or replace function private.kick_webhook_dispatcher()
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  dispatch_url text;
  dispatch_key text;
begin
  if exists (select 1 from net.http_request_queue as q where q.headers ->> 'x-groundwork-webhook-kick' = '1') then
    return;
  end if;
  select s.decrypted_secret into dispatch_url from vault.decrypted_secrets as s where s.name = 'webhook_dispatch_url';
  if dispatch_url is null then
    return;
  end if;
  select s.decrypted_secret into dispatch_key from vault.decrypted_secrets as s where s.name = 'webhook_dispatch_key';
  perform net.http_post(
    url := dispatch_url,
    body := '{}'::jsonb,
    headers := jsonb_build_object(
      'content-type', 'application/json',
      'authorization', 'Bearer ' || coalesce(dispatch_key, ''),
      'x-groundwork-webhook-kick', '1'
    ),
    -- A dispatch run keeps claiming until nothing is due (at most ~25 s).
    timeout_milliseconds := 60000
  );
end;
$$;

-- The pg_cron sweep: kick when something is due (a retry's time came, a lease ran out).
create or replace function private.sweep_webhook_deliveries()
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (
    select 1
    from public.webhook_deliveries as d
    join public.webhook_endpoints as e on e.id = d.endpoint_id and e.enabled
    where d.status in ('pending', 'delivering') and d.next_attempt_at <= now()
  ) then
    perform private.kick_webhook_dispatcher();
  end if;
end;
$$;

-- Hourly: events past retention (with their deliveries and attempts), and old secrets whose
-- overlap after a rotation has ended.
create or replace function private.purge_webhook_history()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  purged integer;
begin
  delete from public.webhook_events as ev
  where ev.occurred_at < now() - (select s.retention from private.webhook_settings as s);
  get diagnostics purged = row_count;

  delete from vault.secrets as v
  using private.webhook_endpoint_secrets as s
  where v.id = s.previous_secret_id and s.previous_expires_at <= now();
  update private.webhook_endpoint_secrets
  set previous_secret_id = null, previous_expires_at = null
  where previous_expires_at <= now();
  return purged;
end;
$$;

-- Writes one event to the outbox with a delivery per subscribed, enabled endpoint (or only to
-- `only_endpoint`, for test events). Returns the event id, or null when nobody subscribes.
-- Payloads over 20 KB carry a reference to the row instead of the row.
create or replace function private.emit_webhook_event(
  workspace_id uuid,
  event_type text,
  data jsonb,
  only_endpoint uuid default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  event_id uuid := gen_random_uuid();
  occurred timestamptz := now();
  payload jsonb;
begin
  if not exists (
    select 1 from public.webhook_endpoints as e
    where e.workspace_id = emit_webhook_event.workspace_id
      and e.enabled
      and (e.id = only_endpoint or (only_endpoint is null and private.webhook_filter_matches(e.event_types, event_type)))
  ) then
    return null;
  end if;

  payload := jsonb_build_object(
    'type', event_type,
    'timestamp', to_char(occurred at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'data', data
  );
  if octet_length(payload::text) > 20480 then
    payload := jsonb_set(payload, '{data}', jsonb_build_object(
      'object', jsonb_build_object('id', data -> 'object' -> 'id', 'workspace_id', workspace_id),
      'truncated', true,
      -- Read the full row through the API with the endpoint owner's own credentials.
      'reference', '/rest/v1/' || split_part(event_type, '.', 1) || 's?id=eq.' || (data -> 'object' ->> 'id')
    ));
  end if;

  insert into public.webhook_events (id, workspace_id, type, occurred_at, payload)
  values (event_id, workspace_id, event_type, occurred, payload);

  insert into public.webhook_deliveries (event_id, endpoint_id, workspace_id, event_type)
  select event_id, e.id, e.workspace_id, event_type
  from public.webhook_endpoints as e
  where e.workspace_id = emit_webhook_event.workspace_id
    and e.enabled
    and (e.id = only_endpoint or (only_endpoint is null and private.webhook_filter_matches(e.event_types, event_type)));
  return event_id;
end;
$$;

-- Validates an endpoint's URL and filter; re-enabling clears why it was disabled.
create or replace function private.prepare_webhook_endpoint()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  filter text;
begin
  new.url := btrim(new.url);
  if char_length(new.url) > 2048 or new.url !~* '^https?://[^/?#@[:space:]]+(/[^[:space:]]*)?$' then
    raise exception using errcode = '22023', message = 'invalid_webhook_url',
      detail = 'A webhook URL is http:// or https://, a host, and an optional path (at most 2048 characters)';
  end if;
  foreach filter in array new.event_types loop
    if filter <> '*' and not exists (
      select 1 from public.webhook_event_types as t
      where t.type = filter or split_part(t.type, '.', 1) || '.*' = filter
    ) then
      raise exception using errcode = '22023', message = 'invalid_event_type',
        detail = format('Unknown event type %s (see webhook_event_types)', filter);
    end if;
  end loop;
  if tg_op = 'UPDATE' and new.enabled and not old.enabled then
    new.disabled_reason := null;
    new.disabled_at := null;
    new.failing_since := null;
  elsif tg_op = 'UPDATE' and not new.enabled and old.enabled and new.disabled_reason is null then
    new.disabled_at := now();
    new.disabled_reason := 'disabled by a manager';
  end if;
  return new;
end;
$$;

-- Vault rows of a deleted endpoint go with it.
create or replace function private.drop_webhook_endpoint_secrets()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from vault.secrets as v where v.id = old.secret_id or v.id = old.previous_secret_id;
  return null;
end;
$$;

-- The domain events. Arguments: the resource name (task, project, comment, member,
-- invitation) and columns that are bookkeeping (an update changing only those emits nothing).
-- A trash move is an update of `deleted_at` (null → time: `.deleted`, time → null:
-- `.restored`); a real delete is `.deleted` too.
create or replace function private.emit_domain_webhook_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  resource text := tg_argv[0];
  ignored text[] := array['updated_at', 'search_vector']
    || coalesce(string_to_array(nullif(tg_argv[1], ''), ','), '{}'::text[]);
  before_row jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
  after_row jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
  row_data jsonb := coalesce(after_row, before_row);
  target_workspace uuid := (row_data ->> 'workspace_id')::uuid;
  previous jsonb;
  action text;
  data jsonb;
begin
  -- The common case first: a workspace without endpoints costs one index probe.
  if not exists (
    select 1 from public.webhook_endpoints as e where e.workspace_id = target_workspace and e.enabled
  ) then
    return null;
  end if;
  -- While a workspace delete cascades through its rows, the workspace is gone.
  if not exists (select 1 from public.workspaces as w where w.id = target_workspace) then
    return null;
  end if;

  if tg_op = 'UPDATE' then
    select jsonb_object_agg(c.key, before_row -> c.key)
    into previous
    from jsonb_object_keys(after_row) as c (key)
    where c.key <> all (ignored)
      and (before_row -> c.key) is distinct from (after_row -> c.key);
    if previous is null then
      return null;
    end if;
    action := case
      when previous ? 'deleted_at' then
        case when after_row ->> 'deleted_at' is null then 'restored' else 'deleted' end
      when resource = 'task' and (previous ?| array['status', 'project_id', 'position']) then 'moved'
      when resource = 'member' and (previous ?| array['role', 'role_id']) then 'role_changed'
      when resource = 'invitation' and previous ? 'accepted_at' then 'accepted'
      when resource = 'invitation' and previous ? 'revoked_at' then 'revoked'
      else 'updated'
    end;
  elsif tg_op = 'INSERT' then
    action := case when resource = 'member' then 'joined' else 'created' end;
  else
    action := case when resource = 'member' then 'left' else 'deleted' end;
  end if;

  -- Bookkeeping and secrets (an invitation's token hash) never leave the database.
  data := jsonb_build_object('object', row_data - array['search_vector', 'token_hash']);
  if previous is not null then
    data := data || jsonb_build_object('previous', previous - array['token_hash']);
  end if;
  perform private.emit_webhook_event(target_workspace, resource || '.' || action, data);
  return null;
end;
$$;

create or replace function private.kick_webhook_dispatcher_after_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.kick_webhook_dispatcher();
  return null;
end;
$$;

revoke execute on function private.kick_webhook_dispatcher_after_insert() from public;
revoke execute on function private.webhook_filter_matches(text[], text) from public;
revoke execute on function private.kick_webhook_dispatcher() from public;
revoke execute on function private.sweep_webhook_deliveries() from public;
revoke execute on function private.purge_webhook_history() from public;
revoke execute on function private.emit_webhook_event(uuid, text, jsonb, uuid) from public;
revoke execute on function private.prepare_webhook_endpoint() from public;
revoke execute on function private.drop_webhook_endpoint_secrets() from public;
revoke execute on function private.emit_domain_webhook_event() from public;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

create trigger webhook_endpoints_prepare
  before insert or update on public.webhook_endpoints
  for each row execute function private.prepare_webhook_endpoint();

create trigger webhook_endpoints_set_updated_at
  before update on public.webhook_endpoints
  for each row execute function private.set_updated_at();

create trigger webhook_endpoints_audit
  after insert or update or delete on public.webhook_endpoints
  for each row execute function private.audit_change('id');

create trigger webhook_endpoint_secrets_drop
  after delete on private.webhook_endpoint_secrets
  for each row execute function private.drop_webhook_endpoint_secrets();

-- One kick per inserting statement; pg_net sends it after commit, never after a rollback.
create trigger webhook_deliveries_kick
  after insert on public.webhook_deliveries
  for each statement execute function private.kick_webhook_dispatcher_after_insert();

create trigger tasks_webhook_event
  after insert or update or delete on public.tasks
  for each row execute function private.emit_domain_webhook_event('task');

create trigger projects_webhook_event
  after insert or update or delete on public.projects
  for each row execute function private.emit_domain_webhook_event('project', 'next_task_number');

create trigger comments_webhook_event
  after insert or update or delete on public.comments
  for each row execute function private.emit_domain_webhook_event('comment');

create trigger workspace_members_webhook_event
  after insert or update or delete on public.workspace_members
  for each row execute function private.emit_domain_webhook_event('member');

create trigger invitations_webhook_event
  after insert or update or delete on public.invitations
  for each row execute function private.emit_domain_webhook_event('invitation', 'token_hash');

-- ---------------------------------------------------------------------------
-- policies
-- ---------------------------------------------------------------------------

create policy "Everyone can read the webhook event types"
  on public.webhook_event_types for select
  to anon, authenticated
  using (true);

create policy "Holders of webhooks.manage can read their workspaces' endpoints"
  on public.webhook_endpoints for select
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('webhooks.manage'))::uuid[]));

create policy "Holders of webhooks.manage can change their workspaces' endpoints"
  on public.webhook_endpoints for update
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('webhooks.manage'))::uuid[]))
  with check (workspace_id = any ((select private.permitted_workspace_ids('webhooks.manage'))::uuid[]));

create policy "Holders of webhooks.manage can delete their workspaces' endpoints"
  on public.webhook_endpoints for delete
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('webhooks.manage'))::uuid[]));

create policy "Holders of webhooks.manage can read their workspaces' webhook events"
  on public.webhook_events for select
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('webhooks.manage'))::uuid[]));

create policy "Holders of webhooks.manage can read their workspaces' deliveries"
  on public.webhook_deliveries for select
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('webhooks.manage'))::uuid[]));

create policy "Holders of webhooks.manage can read their workspaces' delivery attempts"
  on public.webhook_delivery_attempts for select
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('webhooks.manage'))::uuid[]));

create policy "The service role can read endpoints"
  on public.webhook_endpoints for select
  to service_role
  using (true);

-- ---------------------------------------------------------------------------
-- API functions
-- ---------------------------------------------------------------------------

-- The endpoint, if the caller holds webhooks.manage in its workspace; otherwise
-- webhook_endpoint_not_found, the same answer as for an id that does not exist.
create or replace function private.managed_webhook_endpoint(endpoint_id uuid)
returns public.webhook_endpoints
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  endpoint public.webhook_endpoints;
begin
  if (select auth.uid()) is null then
    raise exception using errcode = '42501', message = 'not_authenticated', detail = 'Sign in first';
  end if;
  select e.* into endpoint from public.webhook_endpoints as e where e.id = managed_webhook_endpoint.endpoint_id;
  if endpoint.id is null or not private.has_permission(endpoint.workspace_id, 'webhooks.manage') then
    raise exception using errcode = 'PT404', message = 'webhook_endpoint_not_found', detail = 'No such webhook endpoint';
  end if;
  return endpoint;
end;
$$;

revoke execute on function private.managed_webhook_endpoint(uuid) from public;

-- `whsec_` and 24 random bytes in base64, as Standard Webhooks' libraries read it.
create or replace function private.new_webhook_secret()
returns text
language sql
volatile
set search_path = ''
as $$
  select 'whsec_' || encode(extensions.gen_random_bytes(24), 'base64');
$$;

revoke execute on function private.new_webhook_secret() from public;

-- A new endpoint and its signing secret — the only time the secret is shown.
create or replace function public.create_webhook_endpoint(
  workspace_id uuid,
  url text,
  description text default '',
  event_types text[] default '{}'
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  endpoint public.webhook_endpoints;
  secret text := private.new_webhook_secret();
begin
  if (select auth.uid()) is null then
    raise exception using errcode = '42501', message = 'not_authenticated', detail = 'Sign in first';
  end if;
  -- Permission first: a non-member gets this answer for a real workspace as for none.
  if not private.has_permission(create_webhook_endpoint.workspace_id, 'webhooks.manage') then
    raise exception using errcode = '42501', message = 'forbidden', detail = 'Managing webhooks needs webhooks.manage';
  end if;
  insert into public.webhook_endpoints (workspace_id, url, description, event_types)
  values (
    create_webhook_endpoint.workspace_id,
    coalesce(create_webhook_endpoint.url, ''),
    coalesce(create_webhook_endpoint.description, ''),
    coalesce(create_webhook_endpoint.event_types, '{}')
  )
  returning * into endpoint;
  insert into private.webhook_endpoint_secrets (endpoint_id, secret_id)
  values (endpoint.id, vault.create_secret(secret, null, 'webhook signing secret'));
  return to_jsonb(endpoint) || jsonb_build_object('secret', secret);
end;
$$;

-- A new signing secret (shown once); the old one keeps signing beside it for the overlap.
create or replace function public.rotate_webhook_secret(endpoint_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  endpoint public.webhook_endpoints := private.managed_webhook_endpoint(rotate_webhook_secret.endpoint_id);
  secret text := private.new_webhook_secret();
  keys private.webhook_endpoint_secrets;
  overlap_window interval := (select s.secret_overlap from private.webhook_settings as s);
begin
  select * into keys from private.webhook_endpoint_secrets as s where s.endpoint_id = endpoint.id for update;
  if keys.previous_secret_id is not null then
    delete from vault.secrets as v where v.id = keys.previous_secret_id;
  end if;
  update private.webhook_endpoint_secrets as s
  set previous_secret_id = s.secret_id,
      previous_expires_at = now() + overlap_window,
      secret_id = vault.create_secret(secret, null, 'webhook signing secret')
  where s.endpoint_id = endpoint.id;
  update public.webhook_endpoints as e set secret_rotated_at = now() where e.id = endpoint.id;
  return jsonb_build_object('endpoint_id', endpoint.id, 'secret', secret, 'previous_valid_until', now() + overlap_window);
end;
$$;

-- Delivers one delivery again, with a fresh schedule (the attempts so far stay listed).
create or replace function public.replay_webhook_delivery(delivery_id uuid)
returns public.webhook_deliveries
language plpgsql
security definer
set search_path = ''
as $$
declare
  delivery public.webhook_deliveries;
begin
  if (select auth.uid()) is null then
    raise exception using errcode = '42501', message = 'not_authenticated', detail = 'Sign in first';
  end if;
  select d.* into delivery from public.webhook_deliveries as d where d.id = replay_webhook_delivery.delivery_id;
  if delivery.id is null or not private.has_permission(delivery.workspace_id, 'webhooks.manage') then
    raise exception using errcode = 'PT404', message = 'webhook_delivery_not_found', detail = 'No such delivery';
  end if;
  update public.webhook_deliveries as d
  set status = 'pending', attempts = 0, next_attempt_at = now(), delivered_at = null
  where d.id = delivery.id
  returning d.* into delivery;
  perform private.kick_webhook_dispatcher();
  return delivery;
end;
$$;

-- Delivers again every failed delivery of an endpoint created at or after `since`; answers how many.
create or replace function public.replay_failed_webhook_deliveries(endpoint_id uuid, since timestamptz)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  endpoint public.webhook_endpoints := private.managed_webhook_endpoint(replay_failed_webhook_deliveries.endpoint_id);
  replayed integer;
begin
  update public.webhook_deliveries as d
  set status = 'pending', attempts = 0, next_attempt_at = now(), delivered_at = null
  where d.endpoint_id = endpoint.id and d.status = 'failed' and d.created_at >= coalesce(since, '-infinity');
  get diagnostics replayed = row_count;
  if replayed > 0 then
    perform private.kick_webhook_dispatcher();
  end if;
  return replayed;
end;
$$;

-- A `webhook.test` event to this endpoint only (filters aside); answers the delivery.
create or replace function public.send_test_webhook(endpoint_id uuid)
returns public.webhook_deliveries
language plpgsql
security definer
set search_path = ''
as $$
declare
  endpoint public.webhook_endpoints := private.managed_webhook_endpoint(send_test_webhook.endpoint_id);
  test_event_id uuid;
  delivery public.webhook_deliveries;
begin
  if not endpoint.enabled then
    raise exception using errcode = 'PT409', message = 'webhook_endpoint_disabled',
      detail = 'Enable the endpoint before sending it a test event';
  end if;
  test_event_id := private.emit_webhook_event(endpoint.workspace_id, 'webhook.test',
    jsonb_build_object('object', jsonb_build_object('endpoint_id', endpoint.id, 'workspace_id', endpoint.workspace_id)),
    endpoint.id);
  select d.* into delivery from public.webhook_deliveries as d where d.event_id = test_event_id;
  return delivery;
end;
$$;

-- The dispatcher's side (service role only) ------------------------------------------------

-- Claims up to `max_count` due deliveries of enabled endpoints for one lease and answers what
-- to send: the message id, URL, body, and the secrets to sign with (new first).
create or replace function public.claim_webhook_deliveries(max_count integer default 100)
returns table (delivery_id uuid, webhook_id text, url text, payload text, secrets text[], attempt integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  lease integer := (select s.lease_seconds from private.webhook_settings as s);
begin
  return query
  with due as (
    select d.id
    from public.webhook_deliveries as d
    join public.webhook_endpoints as e on e.id = d.endpoint_id and e.enabled
    where d.status in ('pending', 'delivering') and d.next_attempt_at <= now()
    order by d.next_attempt_at
    limit least(greatest(coalesce(max_count, 100), 1), 1000)
    for update of d skip locked
  ),
  claimed as (
    update public.webhook_deliveries as d
    set status = 'delivering', attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => lease)
    from due
    where d.id = due.id
    returning d.id, d.event_id, d.endpoint_id, d.attempts
  ),
  keys as (
    select s.endpoint_id,
      array_remove(array[cur.decrypted_secret,
        case when s.previous_expires_at > now() then prev.decrypted_secret end], null) as secrets
    from private.webhook_endpoint_secrets as s
    join vault.decrypted_secrets as cur on cur.id = s.secret_id
    left join vault.decrypted_secrets as prev on prev.id = s.previous_secret_id
    where s.endpoint_id in (select c.endpoint_id from claimed as c)
  )
  select c.id, c.event_id::text, e.url, ev.payload::text, k.secrets, c.attempts
  from claimed as c
  join public.webhook_endpoints as e on e.id = c.endpoint_id
  join public.webhook_events as ev on ev.id = c.event_id
  join keys as k on k.endpoint_id = c.endpoint_id;
end;
$$;

-- Records what happened to claimed deliveries: [{delivery_id, status_code, latency_ms,
-- response, error, retry_after_seconds}]. 2xx succeeds; 410 fails the delivery and disables the
-- endpoint; anything else is retried on the schedule (429/503 after their Retry-After) until
-- the attempts run out (failed: the dead letter, last response kept). Results for rows no
-- longer claimed (replayed meanwhile) are ignored. Answers how many were recorded.
create or replace function public.record_webhook_attempts(results jsonb)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  settings private.webhook_settings;
  outcome record;
  delay double precision;
  endpoint public.webhook_endpoints;
  recorded integer;
begin
  select * into settings from private.webhook_settings;

  create temporary table if not exists pg_temp.webhook_outcomes (
    delivery_id uuid, endpoint_id uuid, workspace_id uuid, attempts integer,
    status_code integer, latency_ms integer, response text, error text, retry_after_seconds integer
  ) on commit drop;
  delete from pg_temp.webhook_outcomes;

  insert into pg_temp.webhook_outcomes
  select d.id, d.endpoint_id, d.workspace_id, d.attempts, r.status_code, r.latency_ms,
    left(r.response, 1000), left(r.error, 1000), r.retry_after_seconds
  from jsonb_to_recordset(results) as r (delivery_id uuid, status_code integer, latency_ms integer,
    response text, error text, retry_after_seconds integer)
  join public.webhook_deliveries as d on d.id = r.delivery_id and d.status = 'delivering'
  for update of d;
  get diagnostics recorded = row_count;

  insert into public.webhook_delivery_attempts (delivery_id, endpoint_id, workspace_id, status_code, latency_ms,
    response_excerpt, error)
  select o.delivery_id, o.endpoint_id, o.workspace_id, o.status_code, o.latency_ms, o.response, o.error
  from pg_temp.webhook_outcomes as o;

  update public.webhook_deliveries as d
  set status = 'succeeded', delivered_at = now(), last_attempt_at = now(), last_status_code = o.status_code,
      last_error = null, last_response = o.response
  from pg_temp.webhook_outcomes as o
  where d.id = o.delivery_id and o.status_code between 200 and 299;

  update public.webhook_endpoints as e
  set failing_since = null
  where e.failing_since is not null
    and e.id in (select o.endpoint_id from pg_temp.webhook_outcomes as o where o.status_code between 200 and 299);

  for outcome in
    select * from pg_temp.webhook_outcomes as o where o.status_code is null or o.status_code not between 200 and 299
  loop
    if outcome.status_code = 410 then
      update public.webhook_deliveries as d
      set status = 'failed', last_attempt_at = now(), last_status_code = 410, last_error = outcome.error,
          last_response = outcome.response
      where d.id = outcome.delivery_id;
      update public.webhook_endpoints as e
      set enabled = false, disabled_at = now(), disabled_reason = 'The receiver answered 410 Gone'
      where e.id = outcome.endpoint_id and e.enabled;
      continue;
    end if;

    if outcome.attempts > cardinality(settings.retry_delays_seconds) then
      update public.webhook_deliveries as d
      set status = 'failed', last_attempt_at = now(), last_status_code = outcome.status_code,
          last_error = outcome.error, last_response = outcome.response
      where d.id = outcome.delivery_id;
    else
      delay := case
        when outcome.status_code in (429, 503) and outcome.retry_after_seconds is not null
          then least(greatest(outcome.retry_after_seconds, 0), 86400)
        else settings.retry_delays_seconds[outcome.attempts]
          * (1 - settings.jitter + random() * 2 * settings.jitter)
      end;
      update public.webhook_deliveries as d
      set status = 'pending', next_attempt_at = now() + make_interval(secs => delay), last_attempt_at = now(),
          last_status_code = outcome.status_code, last_error = outcome.error, last_response = outcome.response
      where d.id = outcome.delivery_id;
    end if;

    update public.webhook_endpoints as e
    set failing_since = coalesce(e.failing_since, now())
    where e.id = outcome.endpoint_id
    returning e.* into endpoint;
    if endpoint.enabled and endpoint.failing_since < now() - settings.disable_after then
      update public.webhook_endpoints as e
      set enabled = false, disabled_at = now(),
          disabled_reason = format('Every delivery failed since %s', endpoint.failing_since)
      where e.id = endpoint.id;
    end if;
  end loop;
  return recorded;
end;
$$;

revoke execute on function public.create_webhook_endpoint(uuid, text, text, text[]) from public, anon;
revoke execute on function public.rotate_webhook_secret(uuid) from public, anon;
revoke execute on function public.replay_webhook_delivery(uuid) from public, anon;
revoke execute on function public.replay_failed_webhook_deliveries(uuid, timestamptz) from public, anon;
revoke execute on function public.send_test_webhook(uuid) from public, anon;
revoke execute on function public.claim_webhook_deliveries(integer) from public, anon, authenticated;
revoke execute on function public.record_webhook_attempts(jsonb) from public, anon, authenticated;
grant execute on function public.create_webhook_endpoint(uuid, text, text, text[]) to authenticated;
grant execute on function public.rotate_webhook_secret(uuid) to authenticated;
grant execute on function public.replay_webhook_delivery(uuid) to authenticated;
grant execute on function public.replay_failed_webhook_deliveries(uuid, timestamptz) to authenticated;
grant execute on function public.send_test_webhook(uuid) to authenticated;
grant execute on function public.claim_webhook_deliveries(integer) to service_role;
grant execute on function public.record_webhook_attempts(jsonb) to service_role;

-- ---------------------------------------------------------------------------
-- schedules
-- ---------------------------------------------------------------------------

-- Scheduling by name replaces a job of the same name, so re-applying is harmless.
select cron.schedule('webhook-sweep', '1 seconds', 'select private.sweep_webhook_deliveries()');
select cron.schedule('webhook-purge', '41 * * * *', 'select private.purge_webhook_history()');
