-- GET and HEAD requests made with an API key now count toward the key's requests per minute
-- (and update its "last used"), as writes and POST RPCs always did.
--
-- PostgREST runs GET and HEAD in read-only transactions, and the pre-request hook runs inside
-- them, so the hook cannot write the counter there. What a read-only transaction may not do
-- rules out the usual tools: an unlogged table is still a write, a sequence's nextval() is
-- refused, pg_net queues its request by inserting a row (refused too, and would count only
-- later), a temporary table or a session setting is private to one of PostgREST's pooled
-- connections. What it may do is open a connection: dblink, which hosted Supabase ships as a
-- privileged extension (supautils creates it for `postgres`), writes through a second session
-- of its own that commits by itself. So in a read-only transaction the hook counts through a
-- dblink connection to this same database, logged in as a role that may do nothing but count.
--
-- - The connection is named and kept for the life of PostgREST's pooled session (dblink's named
--   connections outlive transactions), so a read costs one local round trip, not a login. Each
--   pooled connection that serves keyed reads holds one more backend (the pool size at most).
-- - A non-superuser's dblink must authenticate with a password, and the server must ask for it:
--   the role's password is random, made here and kept only in Vault (`api_key_request_counter`).
--   The local stack asks for scram-sha-256 on 127.0.0.1, where the connection goes by default.
--   Hosted trusts 127.0.0.1 without a password (supabase/postgres' pg_hba.conf), which dblink
--   refuses for a non-superuser, so there the connection must go through an address that asks:
--   the Vault secret `api_key_request_counter_conninfo` adds libpq settings after the defaults
--   (later ones win), e.g. the project's session pooler `host=… port=5432
--   user=groundwork_request_counter.<project-ref>` (docs/api-keys.md). Not tried on hosted.
-- - dblink's functions are owned by supabase_admin, who grants them to PUBLIC (here as on hosted;
--   `postgres` cannot take that back). The API cannot reach them: PostgREST exposes `public`,
--   not `extensions`, and no exposed function calls dblink but the hook's helper. And the
--   counting session can only count: its role holds nothing but execute on
--   private.count_api_key_request.
-- - Counting through the connection commits at once, so a refused read counts as a request too;
--   the window still resets each minute. If the connection cannot be made (no secret, the role
--   dropped, a server that does not ask for the password) the read is checked against the count
--   without adding to it, as before, and a warning is logged, rather than refusing every read;
--   that database session tries again a minute later.

-- ---------------------------------------------------------------------------
-- setup
-- ---------------------------------------------------------------------------

create extension if not exists dblink with schema extensions;

-- The role the counting connection logs in as, with a password nobody is shown.
do $$
declare
  password text := encode(extensions.gen_random_bytes(32), 'hex');
  existing uuid;
begin
  if exists (select 1 from pg_catalog.pg_roles where rolname = 'groundwork_request_counter') then
    execute format('alter role groundwork_request_counter with login noinherit password %L', password);
  else
    execute format('create role groundwork_request_counter with login noinherit password %L', password);
  end if;
  select s.id into existing from vault.secrets as s where s.name = 'api_key_request_counter';
  if existing is null then
    perform vault.create_secret(password, 'api_key_request_counter',
      'Password of groundwork_request_counter, the dblink session that counts API-key reads.');
  else
    perform vault.update_secret(existing, password);
  end if;
end;
$$;

grant usage on schema private to groundwork_request_counter;
-- Its commits need not wait for the WAL flush: a crash may forget the last counts of a
-- minute, which only lets a key make a few more requests in it; waiting would cost every read.
alter role groundwork_request_counter set synchronous_commit = off;

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

-- Counts one request of a key in the current minute and records its use; answers the
-- minute's count. The single place the counter is written.
create or replace function private.count_api_key_request(key_id uuid, ip inet)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  used integer;
begin
  insert into private.api_key_usage as u (key_id, window_start, request_count, last_used_at, last_used_ip)
  values (count_api_key_request.key_id, date_trunc('minute', now()), 1, now(), count_api_key_request.ip)
  on conflict on constraint api_key_usage_pkey do update set
    request_count = case when u.window_start = excluded.window_start then u.request_count + 1 else 1 end,
    window_start = excluded.window_start,
    last_used_at = excluded.last_used_at,
    last_used_ip = excluded.last_used_ip
  returning u.request_count into used;
  return used;
end;
$$;

revoke execute on function private.count_api_key_request(uuid, inet) from public;
grant execute on function private.count_api_key_request(uuid, inet) to groundwork_request_counter;

-- The same count from a read-only transaction, through the counter's own dblink session
-- (opened once per database session). Null when that session cannot be had.
create or replace function private.count_api_key_request_outside(key_id uuid, ip inet)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  connection_name constant text := 'groundwork_request_counter';
  password text;
  overrides text;
  used integer;
begin
  if not connection_name = any (coalesce(extensions.dblink_get_connections(), '{}'::text[])) then
    -- After a failed attempt this database session waits a minute before trying again, rather
    -- than trying (and logging) on every read. A session setting: allowed in a read-only
    -- transaction, and kept by the session, as the connection would be.
    if coalesce(nullif(current_setting('groundwork.request_counter_failed_at', true), ''), '-infinity')::timestamptz
        > clock_timestamp() - interval '1 minute' then
      return null;
    end if;
    select s.decrypted_secret into password from vault.decrypted_secrets as s
    where s.name = 'api_key_request_counter';
    if password is null then
      perform pg_catalog.set_config('groundwork.request_counter_failed_at', clock_timestamp()::text, false);
      raise warning 'API-key reads are not counted: the Vault secret api_key_request_counter is missing';
      return null;
    end if;
    select s.decrypted_secret into overrides from vault.decrypted_secrets as s
    where s.name = 'api_key_request_counter_conninfo';
    perform extensions.dblink_connect(connection_name, format(
      'host=127.0.0.1 port=%s dbname=%s user=groundwork_request_counter password=%s application_name=groundwork_request_counter %s',
      current_setting('port'), pg_catalog.quote_ident(current_database()), password, coalesce(overrides, '')));
  end if;
  select t.used into used
  from extensions.dblink(connection_name, format('select private.count_api_key_request(%L, %L)',
    count_api_key_request_outside.key_id, count_api_key_request_outside.ip)) as t (used integer);
  return used;
exception when others then
  -- A broken connection is dropped so the next request opens a fresh one.
  if connection_name = any (coalesce(extensions.dblink_get_connections(), '{}'::text[])) then
    perform extensions.dblink_disconnect(connection_name);
  end if;
  perform pg_catalog.set_config('groundwork.request_counter_failed_at', clock_timestamp()::text, false);
  raise warning 'API-key reads not counted for a minute on this connection: %', sqlerrm;
  return null;
end;
$$;

revoke execute on function private.count_api_key_request_outside(uuid, inet) from public;

-- 20250105000000_api_keys.sql's lookup, counting reads too.
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
    -- Counted in the request's own transaction: a refused request rolls back with it.
    used := private.count_api_key_request(found_key.id, private.request_ip());
  else
    -- GET and HEAD: counted outside the read-only transaction.
    used := private.count_api_key_request_outside(found_key.id, private.request_ip());
    if used is null then
      select case when u.window_start = this_minute then u.request_count else 0 end + 1 into used
      from private.api_key_usage as u
      where u.key_id = found_key.id;
    end if;
  end if;
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
