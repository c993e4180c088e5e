-- What a hosted project has before its first migration for Vault and Database Webhooks:
-- the supabase_vault extension (installed by default on hosted, in schema vault), and the
-- supabase_functions schema that webhook triggers call (`supabase start` creates it too).
-- pg_net and pg_cron are not pre-installed, as on hosted: a migration creates them.
-- The extensions' files are groundwork's own (src/database/extensions/), installed into
-- the server's extension folder before Postgres starts.

set local role supabase_admin;

-- Without WITH SCHEMA, Postgres creates the control file's schema (vault) with it.
create extension if not exists supabase_vault cascade;

create schema if not exists supabase_functions authorization supabase_admin;

grant usage on schema supabase_functions to postgres, anon, authenticated, service_role;
alter default privileges in schema supabase_functions
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges in schema supabase_functions
  grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges in schema supabase_functions
  grant all on sequences to postgres, anon, authenticated, service_role;

create table if not exists supabase_functions.migrations (
  version text primary key,
  inserted_at timestamptz not null default now()
);
insert into supabase_functions.migrations (version)
values ('initial'), ('20210809183423_update_grants')
on conflict do nothing;

create table if not exists supabase_functions.hooks (
  id bigserial primary key,
  hook_table_id integer not null,
  hook_name text not null,
  created_at timestamptz not null default now(),
  request_id bigint
);
create index if not exists supabase_functions_hooks_request_id_idx
  on supabase_functions.hooks using btree (request_id);
create index if not exists supabase_functions_hooks_h_table_id_h_name_idx
  on supabase_functions.hooks using btree (hook_table_id, hook_name);
comment on table supabase_functions.hooks is 'Supabase Functions Hooks: Audit trail for triggered hooks.';

-- The trigger function the dashboard's Database Webhooks attach:
--   supabase_functions.http_request(url, method, headers, params, timeout_ms)
-- POST sends {type, table, schema, record, old_record}; GET sends no body.
create or replace function supabase_functions.http_request()
returns trigger
language plpgsql
security definer
set search_path = supabase_functions
as $$
declare
  request_id bigint;
  payload jsonb;
  url text := TG_ARGV[0]::text;
  method text := TG_ARGV[1]::text;
  headers jsonb default '{}'::jsonb;
  params jsonb default '{}'::jsonb;
  timeout_ms integer default 1000;
begin
  if url is null or url = 'null' then
    raise exception 'url argument is missing';
  end if;
  if method is null or method = 'null' then
    raise exception 'method argument is missing';
  end if;

  headers := case when TG_ARGV[2] is null or TG_ARGV[2] = 'null'
                  then '{"Content-Type": "application/json"}'::jsonb else TG_ARGV[2]::jsonb end;
  params := case when TG_ARGV[3] is null or TG_ARGV[3] = 'null' then '{}'::jsonb else TG_ARGV[3]::jsonb end;
  timeout_ms := case when TG_ARGV[4] is null or TG_ARGV[4] = 'null' then 1000 else TG_ARGV[4]::integer end;

  case
    when method = 'GET' then
      select http_get into request_id from net.http_get(url, params, headers, timeout_ms);
    when method = 'POST' then
      payload := jsonb_build_object(
        'old_record', OLD,
        'record', NEW,
        'type', TG_OP,
        'table', TG_TABLE_NAME,
        'schema', TG_TABLE_SCHEMA
      );
      select http_post into request_id from net.http_post(url, payload, params, headers, timeout_ms);
    else
      raise exception 'method argument % is invalid', method;
  end case;

  insert into supabase_functions.hooks (hook_table_id, hook_name, request_id)
  values (TG_RELID, TG_NAME, request_id);

  return NEW;
end
$$;

grant all privileges on schema supabase_functions to supabase_functions_admin;
grant all privileges on all tables in schema supabase_functions to supabase_functions_admin;
grant all privileges on all sequences in schema supabase_functions to supabase_functions_admin;
alter table supabase_functions.migrations owner to supabase_functions_admin;
alter table supabase_functions.hooks owner to supabase_functions_admin;
alter function supabase_functions.http_request() owner to supabase_functions_admin;
revoke all on function supabase_functions.http_request() from public;
grant execute on function supabase_functions.http_request() to postgres, anon, authenticated, service_role;

reset role;

alter role supabase_functions_admin set search_path = supabase_functions;
grant supabase_functions_admin to postgres;
