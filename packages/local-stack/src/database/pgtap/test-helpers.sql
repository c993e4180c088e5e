-- Helpers for pgTAP files run by `groundwork test db`, installed inside each file's
-- transaction (so they, the users they make and everything else roll back with it).
-- Named as in Basejump's supabase-test-helpers, so RLS tests written for them read the same.
-- They switch identity the way PostgREST does for a request: the role, and the verified
-- JWT's claims in `request.jwt.claims`, which auth.uid(), auth.jwt() and policies read.
-- @pgtap@ is replaced with the schema pgTAP is installed in.

create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------
-- users
-- ---------------------------------------------------------------------------

-- A confirmed email user, found again by `identifier` (kept in its user metadata).
create or replace function tests.create_supabase_user(
  identifier text,
  email text default null,
  phone text default null,
  metadata jsonb default null
) returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  user_id uuid := gen_random_uuid();
begin
  insert into auth.users (
    instance_id, id, aud, role, email, phone, email_confirmed_at,
    raw_app_meta_data, raw_user_meta_data, created_at, updated_at
  ) values (
    '00000000-0000-0000-0000-000000000000',
    user_id,
    'authenticated',
    'authenticated',
    coalesce(email, identifier || '@example.test'),
    phone,
    now(),
    '{"provider": "email", "providers": ["email"]}'::jsonb,
    coalesce(metadata, '{}'::jsonb) || jsonb_build_object('test_identifier', identifier),
    now(),
    now()
  );
  return user_id;
end;
$$;

-- The auth.users row of a test user as JSON (id, email, phone, metadata).
create or replace function tests.get_supabase_user(identifier text) returns json
language plpgsql
security definer
set search_path = ''
as $$
declare
  found json;
begin
  select json_build_object(
    'id', u.id, 'email', u.email, 'phone', u.phone,
    'raw_user_meta_data', u.raw_user_meta_data, 'raw_app_meta_data', u.raw_app_meta_data
  ) into found
  from auth.users u
  where u.raw_user_meta_data ->> 'test_identifier' = identifier;
  if found is null then
    raise exception 'tests: no test user "%" (make one with tests.create_supabase_user)', identifier;
  end if;
  return found;
end;
$$;

create or replace function tests.get_supabase_uid(identifier text) returns uuid
language sql
security definer
set search_path = ''
as $$ select (tests.get_supabase_user(identifier) ->> 'id')::uuid $$;

-- ---------------------------------------------------------------------------
-- acting as someone (not security definer: the role must change in the caller's transaction)
-- ---------------------------------------------------------------------------

-- As a request with this user's access token: role authenticated and its claims.
create or replace function tests.authenticate_as(identifier text) returns void
language plpgsql
set search_path = ''
as $$
declare
  test_user json := tests.get_supabase_user(identifier);
begin
  perform pg_catalog.set_config('role', 'authenticated', true);
  perform pg_catalog.set_config(
    'request.jwt.claims',
    json_build_object(
      'sub', test_user ->> 'id',
      'role', 'authenticated',
      'aud', 'authenticated',
      'email', test_user ->> 'email',
      'phone', coalesce(test_user ->> 'phone', ''),
      'aal', 'aal1',
      'session_id', gen_random_uuid(),
      'is_anonymous', false,
      'app_metadata', test_user -> 'raw_app_meta_data',
      'user_metadata', test_user -> 'raw_user_meta_data'
    )::text,
    true
  );
end;
$$;

-- As a request with the service_role key (which bypasses RLS).
create or replace function tests.authenticate_as_service_role() returns void
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('role', 'service_role', true);
  perform pg_catalog.set_config('request.jwt.claims', '{"role": "service_role"}', true);
end;
$$;

-- As a request with only the anon (publishable) key. `reset role` returns to postgres.
create or replace function tests.clear_authentication() returns void
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('role', 'anon', true);
  perform pg_catalog.set_config('request.jwt.claims', '{"role": "anon"}', true);
end;
$$;

-- ---------------------------------------------------------------------------
-- assertions
-- ---------------------------------------------------------------------------

-- One pgTAP test: every table in the schema has row-level security switched on.
create or replace function tests.rls_enabled(testing_schema text) returns text
language sql
set search_path = ''
as $$
  select @pgtap@.is(
    (select array_agg(tablename::text order by tablename) from pg_catalog.pg_tables
      where schemaname = testing_schema and not rowsecurity),
    null::text[],
    format('every table in schema %s has row-level security enabled', testing_schema)
  )
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;
