-- Workspace API keys: principals in Postgres, so the same RLS policies decide what a machine
-- may do as decide what a person may do. A key belongs to exactly one workspace and holds a
-- subset of the permission catalogue; every permission helper (has_permission,
-- permitted_workspace_ids, member_workspace_ids, my_permissions, is_member) answers for a key
-- as for a member holding exactly those permissions in exactly that workspace.
--
-- Mechanism (docs/api-keys.md): PostgREST's pre-request hook. A machine sends the publishable
-- key (so the gateway hands PostgREST the anon role, as for any key-less caller) and its API
-- key in the `Groundwork-Api-Key` header. PostgREST runs private.api_key_pre_request() after
-- it has set the role and `request.headers` and before the request's query, in the same
-- transaction. The hook hashes the header, looks the key up (unknown, revoked, expired: 401),
-- counts the request against the plan's requests per minute (429 with Retry-After), and then
-- makes the transaction the key's: `request.jwt.claims` with the key's id as `sub` and the
-- key's workspace and permissions, and the role `authenticated`. The hook is a security
-- invoker function on purpose: SET ROLE is refused inside security definer functions, and
-- it is allowed here because PostgREST's session user (authenticator) may become
-- authenticated — exactly how PostgREST itself switches roles. Hosted Supabase runs the same
-- PostgREST and reads the same setting from the database (`alter role authenticator set
-- pgrst.db_pre_request`, reloaded by `notify pgrst, 'reload config'`).
--
-- Secrets: a key is `gw_` + 12 public hex characters (its prefix, shown in lists) + `_` + 32
-- random bytes in base64url. Only sha256 of the whole key is stored. A slow password hash
-- (bcrypt) protects low-entropy secrets against guessing; 256 random bits cannot be guessed,
-- so a fast hash is as strong here and lets the lookup be one index probe per request.
--
-- Rate limits: PostgREST runs GET and HEAD requests in read-only transactions, where no
-- table can be written, so those requests cannot be counted in the database. Writes and POST
-- RPCs (supabase-js calls RPCs with POST) are counted; reads are refused once the minute's
-- budget is spent, but do not spend it, and do not update "last used". docs/api-keys.md says so.
--
-- Error codes (the vocabulary, supabase/functions/_shared/error-vocabulary.ts):
-- api_key_invalid, api_key_revoked, api_key_expired (PT401), api_key_rate_limited (PT429,
-- answered with Retry-After), api_key_with_session (PT400), api_key_not_found (PT404).

-- ---------------------------------------------------------------------------
-- setup
-- ---------------------------------------------------------------------------

-- PostgREST runs the pre-request hook as the request's role, anon included. Usage on the
-- schema grants nothing by itself: nothing in `private` is executable unless granted.
grant usage on schema private to anon;

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

-- Requests per minute one API key of a workspace on this plan may make.
alter table public.plans add column api_requests_per_minute integer not null default 60
  check (api_requests_per_minute > 0);
update public.plans set api_requests_per_minute = 60 where id = 'free';
update public.plans set api_requests_per_minute = 600 where id = 'pro';

-- Not exposed through the API: listed, created and revoked through the RPCs below.
create table private.api_keys (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  -- `gw_` and 12 hex characters: recognises a key in lists and logs without revealing it.
  prefix text not null unique check (prefix ~ '^gw_[0-9a-f]{12}$'),
  -- sha256 of the whole key; the key itself is never stored.
  secret_hash bytea not null unique check (octet_length(secret_hash) = 32),
  -- Sorted, free of duplicates, with what they imply (as a role's).
  permissions text[] not null,
  created_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid references public.profiles (id) on delete set null
);

comment on table private.api_keys is
  'Workspace API keys: a name, a permission set and an optional expiry; only the sha256 of the key is kept.';

create index api_keys_workspace_idx on private.api_keys (workspace_id, created_at desc);

-- One row per key: the current minute's request count and the last use.
create table private.api_key_usage (
  key_id uuid primary key references private.api_keys (id) on delete cascade,
  window_start timestamptz not null,
  request_count integer not null,
  last_used_at timestamptz not null,
  last_used_ip inet
);

alter table private.api_keys enable row level security;
alter table private.api_key_usage enable row level security;
revoke all on table private.api_keys from public, anon, authenticated, service_role;
revoke all on table private.api_key_usage from public, anon, authenticated, service_role;

-- Audit rows may name a key as their actor.
alter table public.audit_log drop constraint audit_log_actor_type_check;
alter table public.audit_log add constraint audit_log_actor_type_check
  check (actor_type in ('user', 'api_key', 'service_role', 'system'));
comment on column public.audit_log.actor_id is
  'The signed-in user, or the API key (actor_type api_key); null for the service role and the database itself.';

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

-- The API key the transaction runs as ({id, workspace_id, permissions}, set by the pre-request
-- hook), or null for a person, the service role and anon. Trusted as every JWT claim is: only
-- the hook and PostgREST (from a verified token) set request.jwt.claims.
create or replace function private.current_api_key()
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
  return nullif(current_setting('request.jwt.claims', true), '')::jsonb -> 'groundwork_api_key';
end;
$$;

-- The permission helpers of 20250102000000_permissions_roles.sql, answering for a key as for
-- a member of exactly its workspace holding exactly its permissions.
create or replace function private.permitted_workspace_ids(permission text)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  api_key jsonb := private.current_api_key();
begin
  if api_key is not null then
    return case when api_key -> 'permissions' ? permitted_workspace_ids.permission
      then array[(api_key ->> 'workspace_id')::uuid] else '{}'::uuid[] end;
  end if;
  return (
    select coalesce(array_agg(m.workspace_id), '{}'::uuid[])
    from public.workspace_members as m
    join public.roles as r on r.id = m.role_id
    where m.user_id = (select auth.uid())
      and permitted_workspace_ids.permission = any (r.permissions)
  );
end;
$$;

create or replace function private.member_workspace_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  api_key jsonb := private.current_api_key();
begin
  if api_key is not null then
    return array[(api_key ->> 'workspace_id')::uuid];
  end if;
  return (
    select coalesce(array_agg(m.workspace_id), '{}'::uuid[])
    from public.workspace_members as m
    where m.user_id = (select auth.uid())
  );
end;
$$;

create or replace function private.has_permission(workspace_id uuid, permission text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  api_key jsonb := private.current_api_key();
begin
  if api_key is not null then
    return (api_key ->> 'workspace_id')::uuid = has_permission.workspace_id
      and api_key -> 'permissions' ? has_permission.permission;
  end if;
  return exists (
    select 1
    from public.workspace_members as m
    join public.roles as r on r.id = m.role_id
    where m.workspace_id = has_permission.workspace_id
      and m.user_id = (select auth.uid())
      and has_permission.permission = any (r.permissions)
  );
end;
$$;

create or replace function private.my_permissions(workspace_id uuid)
returns text[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  api_key jsonb := private.current_api_key();
begin
  if api_key is not null then
    if (api_key ->> 'workspace_id')::uuid is distinct from my_permissions.workspace_id then
      return '{}'::text[];
    end if;
    return array(select jsonb_array_elements_text(api_key -> 'permissions') order by 1);
  end if;
  return coalesce((
    select r.permissions
    from public.workspace_members as m
    join public.roles as r on r.id = m.role_id
    where m.workspace_id = my_permissions.workspace_id
      and m.user_id = (select auth.uid())
  ), '{}'::text[]);
end;
$$;

create or replace function private.is_member(workspace_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  api_key jsonb := private.current_api_key();
begin
  if api_key is not null then
    return (api_key ->> 'workspace_id')::uuid = is_member.workspace_id;
  end if;
  return exists (
    select 1
    from public.workspace_members as m
    where m.workspace_id = is_member.workspace_id
      and m.user_id = (select auth.uid())
  );
end;
$$;

-- A key sees the profiles of its workspace's members, as a member does.
create or replace function private.current_user_coworker_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  api_key jsonb := private.current_api_key();
begin
  if api_key is not null then
    return (
      select coalesce(array_agg(m.user_id), '{}'::uuid[])
      from public.workspace_members as m
      where m.workspace_id = (api_key ->> 'workspace_id')::uuid
    );
  end if;
  return (
    select coalesce(array_agg(distinct other.user_id), '{}'::uuid[])
    from public.workspace_members as mine
    join public.workspace_members as other on other.workspace_id = mine.workspace_id
    where mine.user_id = (select auth.uid())
  );
end;
$$;

-- 20250101200000_notifications.sql's, with no actor when a key acts: a notification's actor
-- is a person (a profile).
create or replace function private.notify(
  recipients uuid[],
  workspace_id uuid,
  type public.notification_type,
  task_id uuid,
  comment_id uuid default null
)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.notifications (recipient_id, workspace_id, type, task_id, comment_id, actor_id)
  select distinct m.user_id, notify.workspace_id, notify.type, notify.task_id, notify.comment_id,
    case when private.current_api_key() is null then (select auth.uid()) end
  from unnest(notify.recipients) as r (user_id)
  join public.workspace_members as m
    on m.user_id = r.user_id and m.workspace_id = notify.workspace_id
  where r.user_id is distinct from (select auth.uid());
$$;

-- The permissions a key may hold: from the catalogue, not owner-only, not api_keys.manage (a
-- key never makes keys), with what they imply; sorted and unique. Raises invalid_permission.
create or replace function private.api_key_permission_set(permissions text[])
returns text[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  bad text;
begin
  select p into bad
  from unnest(coalesce(api_key_permission_set.permissions, '{}'::text[])) as p
  where not exists (select 1 from public.permissions as c where c.id = p)
  limit 1;
  if bad is not null then
    raise exception using errcode = '22023', message = 'invalid_permission',
      detail = format('%s is not in the permission catalogue.', bad);
  end if;
  select p into bad
  from unnest(api_key_permission_set.permissions) as p
  join public.permissions as c on c.id = p
  where c.owner_only or c.id = 'api_keys.manage'
  limit 1;
  if bad is not null then
    raise exception using errcode = '22023', message = 'invalid_permission',
      detail = format('An API key cannot hold %s.', bad);
  end if;
  return (
    select coalesce(array_agg(distinct x order by x), '{}'::text[])
    from (
      select unnest(api_key_permission_set.permissions) as x
      union
      select unnest(c.implies)
      from public.permissions as c
      where c.id = any (api_key_permission_set.permissions)
    ) as s
  );
end;
$$;

-- Looks the key up, counts the request and answers the key's principal (the claims the
-- pre-request hook sets). Raises api_key_invalid / api_key_revoked / api_key_expired and
-- api_key_rate_limited.
create or replace function private.authenticate_api_key(api_key text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  found_key private.api_keys;
  per_minute integer;
  this_minute timestamptz := date_trunc('minute', now());
  used integer;
begin
  select * into found_key
  from private.api_keys as k
  where k.secret_hash = sha256(convert_to(authenticate_api_key.api_key, 'UTF8'));
  if not found then
    raise exception using errcode = 'PT401', message = 'api_key_invalid',
      detail = 'No such API key.';
  end if;
  -- Neither answer names the workspace or the key.
  if found_key.revoked_at is not null then
    raise exception using errcode = 'PT401', message = 'api_key_revoked',
      detail = 'This API key has been revoked.';
  end if;
  if found_key.expires_at is not null and found_key.expires_at <= now() then
    raise exception using errcode = 'PT401', message = 'api_key_expired',
      detail = 'This API key has expired.';
  end if;

  select p.api_requests_per_minute into per_minute
  from public.workspaces as w
  join public.plans as p on p.id = w.plan
  where w.id = found_key.workspace_id;

  if current_setting('transaction_read_only') = 'off' then
    insert into private.api_key_usage as u (key_id, window_start, request_count, last_used_at, last_used_ip)
    values (found_key.id, this_minute, 1, now(), private.request_ip())
    on conflict (key_id) do update set
      request_count = case when u.window_start = excluded.window_start then u.request_count + 1 else 1 end,
      window_start = excluded.window_start,
      last_used_at = excluded.last_used_at,
      last_used_ip = excluded.last_used_ip
    returning u.request_count into used;
  else
    -- A read-only transaction (GET, HEAD) cannot count; it may still be refused.
    select case when u.window_start = this_minute then u.request_count else 0 end + 1 into used
    from private.api_key_usage as u
    where u.key_id = found_key.id;
  end if;
  -- A refused request rolls back with its transaction, so the count stops at the limit.
  if coalesce(used, 1) > per_minute then
    raise exception using errcode = 'PT429', message = 'api_key_rate_limited',
      detail = format('This API key may make %s requests a minute.', per_minute);
  end if;

  return jsonb_build_object(
    'role', 'authenticated',
    'aud', 'authenticated',
    'sub', found_key.id,
    'groundwork_api_key', jsonb_build_object(
      'id', found_key.id,
      'workspace_id', found_key.workspace_id,
      'permissions', to_jsonb(found_key.permissions)
    )
  );
end;
$$;

-- PostgREST's pre-request hook (db-pre-request). Security invoker: it switches the
-- transaction's role, which a security definer function may not. Its SET clause scopes only
-- search_path to the function; the settings it makes with set_config(…, true) hold for the
-- rest of the transaction.
create or replace function private.api_key_pre_request()
returns void
language plpgsql
set search_path = ''
as $$
declare
  api_key text := nullif(current_setting('request.headers', true), '')::jsonb ->> 'groundwork-api-key';
  principal jsonb;
  retry_after integer;
begin
  if api_key is null then
    return;
  end if;
  if current_user <> 'anon' then
    raise exception using errcode = 'PT400', message = 'api_key_with_session',
      detail = 'Send an API key with the publishable key only, not with a user session or the secret key.';
  end if;
  begin
    principal := private.authenticate_api_key(api_key);
  exception when sqlstate 'PT429' then
    -- The same error as a whole response, to add Retry-After (PostgREST's PGRST SQLSTATE: the
    -- message is the body, the detail the status and headers).
    retry_after := greatest(1, ceil(extract(epoch from date_trunc('minute', now()) + interval '1 minute' - clock_timestamp())))::integer;
    raise sqlstate 'PGRST' using
      message = json_build_object('code', 'PT429', 'message', sqlerrm, 'details', 'Too many requests for this API key; retry after the Retry-After seconds.', 'hint', null)::text,
      detail = json_build_object('status', 429, 'headers', json_build_object('Retry-After', retry_after::text))::text;
  end;
  perform pg_catalog.set_config('request.jwt.claims', principal::text, true);
  perform pg_catalog.set_config('role', 'authenticated', true);
end;
$$;

revoke execute on function private.current_api_key() from public;
revoke execute on function private.api_key_permission_set(text[]) from public;
revoke execute on function private.authenticate_api_key(text) from public;
revoke execute on function private.api_key_pre_request() from public;
grant execute on function private.current_api_key() to authenticated, service_role;
grant execute on function private.api_key_permission_set(text[]) to authenticated;
grant execute on function private.authenticate_api_key(text) to anon;
grant execute on function private.api_key_pre_request() to anon, authenticated, service_role;

-- The hook, read by PostgREST from the database on start and on `reload config`, here as on
-- hosted.
alter role authenticator set pgrst.db_pre_request = 'private.api_key_pre_request';
notify pgrst, 'reload config';

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

-- 20250102200000_audit_log.sql's audit trigger, naming an API key as the actor.
create or replace function private.audit_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  before_row jsonb := case when tg_op = 'INSERT' then '{}'::jsonb else to_jsonb(old) end;
  after_row jsonb := case when tg_op = 'DELETE' then '{}'::jsonb else to_jsonb(new) end;
  row_data jsonb := case when tg_op = 'DELETE' then before_row else after_row end;
  key_columns text[] := string_to_array(tg_argv[0], ',');
  skipped text[] := array['updated_at', 'search_vector']
    || coalesce(string_to_array(nullif(tg_argv[1], ''), ','), '{}'::text[]);
  target_workspace uuid := case when tg_table_name = 'workspaces' then (row_data ->> 'id')::uuid
    else (row_data ->> 'workspace_id')::uuid end;
  diff jsonb;
  claims_role text := nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role';
begin
  select coalesce(jsonb_object_agg(c.key,
      case
        when tg_op = 'INSERT' then jsonb_build_object('after', after_row -> c.key)
        when tg_op = 'DELETE' then jsonb_build_object('before', before_row -> c.key)
        else jsonb_build_object('before', before_row -> c.key, 'after', after_row -> c.key)
      end), '{}'::jsonb)
  into diff
  from jsonb_object_keys(row_data) as c (key)
  where c.key <> all (skipped)
    and (before_row -> c.key) is distinct from (after_row -> c.key)
    and not (tg_op <> 'UPDATE' and jsonb_typeof(row_data -> c.key) = 'null');

  if tg_op = 'UPDATE' and diff = '{}'::jsonb then
    return null;
  end if;
  if not exists (select 1 from public.workspaces as w where w.id = target_workspace) then
    return null;
  end if;

  insert into public.audit_log (workspace_id, actor_id, actor_type, action, target_table, target_id, changes, ip, user_agent)
  values (
    target_workspace,
    (select auth.uid()),
    case
      when private.current_api_key() is not null then 'api_key'
      when (select auth.uid()) is not null then 'user'
      when claims_role = 'service_role' then 'service_role'
      else 'system'
    end,
    lower(tg_op),
    tg_table_name,
    (select string_agg(row_data ->> k, '/' order by ordinality) from unnest(key_columns) with ordinality as k),
    diff,
    private.request_ip(),
    private.request_user_agent()
  );
  return null;
end;
$$;

create trigger api_keys_audit
  after insert or update or delete on private.api_keys
  for each row execute function private.audit_change('id', 'secret_hash');

-- ---------------------------------------------------------------------------
-- API functions
-- ---------------------------------------------------------------------------

-- Checks shared by the management RPCs: a person (not a key) who is a member holding
-- api_keys.manage. A non-member learns nothing about the workspace.
create or replace function private.require_api_key_manager(workspace_id uuid)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if (select auth.uid()) is null then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
  if not private.is_member(require_api_key_manager.workspace_id) then
    raise exception using errcode = 'PT404', message = 'workspace_not_found';
  end if;
  if private.current_api_key() is not null then
    raise exception using errcode = '42501', message = 'forbidden',
      detail = 'API keys are managed by people, not by API keys.';
  end if;
  if not private.has_permission(require_api_key_manager.workspace_id, 'api_keys.manage') then
    raise exception using errcode = '42501', message = 'forbidden', detail = 'Managing API keys needs api_keys.manage.';
  end if;
end;
$$;

revoke execute on function private.require_api_key_manager(uuid) from public;
grant execute on function private.require_api_key_manager(uuid) to authenticated;

-- One key as list_api_keys shows it (never the hash).
create or replace function private.api_key_json(api_key private.api_keys)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select jsonb_build_object(
      'id', api_key.id,
      'workspace_id', api_key.workspace_id,
      'name', api_key.name,
      'prefix', api_key.prefix,
      'permissions', to_jsonb(api_key.permissions),
      'created_by', api_key.created_by,
      'created_at', api_key.created_at,
      'expires_at', api_key.expires_at,
      'revoked_at', api_key.revoked_at,
      'last_used_at', u.last_used_at,
      'last_used_ip', u.last_used_ip
    )
    from (select 1) as one
    left join private.api_key_usage as u on u.key_id = api_key.id
  );
end;
$$;

revoke execute on function private.api_key_json(private.api_keys) from public;
grant execute on function private.api_key_json(private.api_keys) to authenticated;

create or replace function public.create_api_key(
  workspace_id uuid,
  name text,
  permissions text[],
  expires_at timestamptz default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  granted text[];
  secret text;
  new_key private.api_keys;
begin
  perform private.require_api_key_manager(create_api_key.workspace_id);
  if create_api_key.name is null or char_length(btrim(create_api_key.name)) not between 1 and 100 then
    raise exception using errcode = '22023', message = 'invalid_input',
      detail = 'A key''s name is 1 to 100 characters.';
  end if;
  if create_api_key.expires_at is not null and create_api_key.expires_at <= now() then
    raise exception using errcode = '22023', message = 'invalid_input',
      detail = 'expires_at must be in the future.';
  end if;
  granted := private.api_key_permission_set(create_api_key.permissions);
  -- Nobody grants more than they hold.
  if not granted <@ private.my_permissions(create_api_key.workspace_id) then
    raise exception using errcode = '42501', message = 'forbidden',
      detail = 'A key can hold only permissions you hold yourself.';
  end if;

  secret := 'gw_' || encode(extensions.gen_random_bytes(6), 'hex') || '_'
    || rtrim(translate(encode(extensions.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
  insert into private.api_keys (workspace_id, name, prefix, secret_hash, permissions, created_by, expires_at)
  values (
    create_api_key.workspace_id,
    btrim(create_api_key.name),
    left(secret, 15),
    sha256(convert_to(secret, 'UTF8')),
    granted,
    (select auth.uid()),
    create_api_key.expires_at
  )
  returning * into new_key;

  return private.api_key_json(new_key) || jsonb_build_object('key', secret);
end;
$$;

comment on function public.create_api_key(uuid, text, text[], timestamptz) is
  'Creates a workspace API key holding some of your permissions; the key is returned this once (needs api_keys.manage).';

create or replace function public.list_api_keys(workspace_id uuid)
returns setof jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform private.require_api_key_manager(list_api_keys.workspace_id);
  return query
    select private.api_key_json(k)
    from private.api_keys as k
    where k.workspace_id = list_api_keys.workspace_id
    order by k.created_at desc, k.id;
end;
$$;

comment on function public.list_api_keys(uuid) is
  'The workspace''s API keys, newest first: prefix, name, permissions, creator, last use, expiry (needs api_keys.manage).';

create or replace function public.revoke_api_key(key_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  target private.api_keys;
begin
  if (select auth.uid()) is null then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
  select * into target from private.api_keys as k where k.id = revoke_api_key.key_id;
  -- A key of a workspace one is not in is answered as a key that does not exist.
  if not found or not private.is_member(target.workspace_id) then
    raise exception using errcode = 'PT404', message = 'api_key_not_found';
  end if;
  perform private.require_api_key_manager(target.workspace_id);
  update private.api_keys as k
  set revoked_at = coalesce(k.revoked_at, now()), revoked_by = coalesce(k.revoked_by, (select auth.uid()))
  where k.id = target.id
  returning * into target;
  return private.api_key_json(target);
end;
$$;

comment on function public.revoke_api_key(uuid) is
  'Revokes an API key; its next request is refused (needs api_keys.manage).';

-- Who the calling key is: for machines to check their key, and for edge functions, which
-- verify a key by calling this with the caller's headers.
-- Volatile, so PostgREST runs it in a read-write transaction and the call is counted.
create or replace function public.current_api_key()
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  api_key jsonb := private.current_api_key();
begin
  if api_key is null then
    raise exception using errcode = 'PT401', message = 'api_key_invalid',
      detail = 'Call with an API key in the Groundwork-Api-Key header.';
  end if;
  return (
    select jsonb_build_object('id', k.id, 'workspace_id', k.workspace_id, 'name', k.name, 'prefix', k.prefix,
      'permissions', to_jsonb(k.permissions), 'expires_at', k.expires_at)
    from private.api_keys as k
    where k.id = (api_key ->> 'id')::uuid
  );
end;
$$;

comment on function public.current_api_key() is
  'The API key making the request: id, workspace, name, prefix, permissions, expiry.';

revoke execute on function public.create_api_key(uuid, text, text[], timestamptz) from public, anon;
revoke execute on function public.list_api_keys(uuid) from public, anon;
revoke execute on function public.revoke_api_key(uuid) from public, anon;
revoke execute on function public.current_api_key() from public, anon;
grant execute on function public.create_api_key(uuid, text, text[], timestamptz) to authenticated;
grant execute on function public.list_api_keys(uuid) to authenticated;
grant execute on function public.revoke_api_key(uuid) to authenticated;
grant execute on function public.current_api_key() to authenticated;
