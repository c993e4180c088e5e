-- Schemas every hosted project starts with, the extensions hosted installs into
-- `extensions`, and hosted's grants and default privileges on `public`.

create schema if not exists extensions;
-- Hosted creates it as postgres (before postgres is demoted), so postgres owns it.
alter schema extensions owner to postgres;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
-- Installs without shared_preload_libraries; its views only answer once the
-- library is preloaded, which is how a migration that references it still applies.
create extension if not exists pg_stat_statements with schema extensions;

grant usage on schema extensions to postgres, anon, authenticated, service_role;
grant all on schema extensions to dashboard_user;
alter default privileges for role supabase_admin in schema extensions
  grant all on tables to postgres with grant option;
alter default privileges for role supabase_admin in schema extensions
  grant all on sequences to postgres with grant option;
alter default privileges for role supabase_admin in schema extensions
  grant all on functions to postgres with grant option;

-- Platform schemas are owned by supabase_admin; their admin roles own what is inside.
create schema if not exists auth authorization supabase_admin;
create schema if not exists storage authorization supabase_admin;
create schema if not exists realtime authorization supabase_admin;
create schema if not exists graphql_public authorization supabase_admin;

-- public: the API roles can use it, and whatever postgres or supabase_admin creates
-- there is granted to them, so RLS (not grants) decides what a request may touch.
grant usage on schema public to postgres, anon, authenticated, service_role;

alter default privileges for role postgres in schema public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on functions to postgres, anon, authenticated, service_role;

alter default privileges for role supabase_admin in schema public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
  grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
  grant all on functions to postgres, anon, authenticated, service_role;

-- graphql_public is exposed by PostgREST as on hosted (config.toml lists it).
grant usage on schema graphql_public to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema graphql_public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema graphql_public
  grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema graphql_public
  grant all on functions to postgres, anon, authenticated, service_role;

-- pg_graphql is not available locally. Hosted answers with this placeholder whenever
-- the extension is absent, so generated types and /graphql/v1 callers see the same shape.
set local role supabase_admin;

create or replace function graphql_public.graphql(
  "operationName" text default null,
  query text default null,
  variables jsonb default null,
  extensions jsonb default null
)
returns jsonb
language sql
as $$
  select jsonb_build_object(
    'errors',
    jsonb_build_array(jsonb_build_object('message', 'pg_graphql extension is not enabled.'))
  );
$$;

reset role;
