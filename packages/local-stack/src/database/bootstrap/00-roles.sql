-- Platform roles, as a hosted Supabase project has them. supabase_admin is the cluster's
-- bootstrap superuser (initdb made it, as in Supabase's image) and the only superuser;
-- postgres, which migrations, seeds, psql and SUPABASE_DB_URL use, is an ordinary role
-- with exactly the attributes, memberships and grants hosted gives it.
--
-- Every statement converges: a role is created when missing and then altered to the
-- wanted attributes, so the bootstrap can be re-applied over an older version of itself.
-- All login roles use the password `postgres`, like `supabase start`.

do $roles$
declare
  wanted record;
begin
  for wanted in
    select * from (values
      -- API roles PostgREST switches to. Hosted flipped them to INHERIT in 2023.
      ('anon',                       'nologin inherit'),
      ('authenticated',              'nologin inherit'),
      ('service_role',               'nologin inherit bypassrls'),
      -- PostgREST logs in as authenticator and only ever acts through `set role`.
      ('authenticator',              'login noinherit password ''postgres'''),
      ('supabase_admin',             'login superuser createdb createrole replication bypassrls password ''postgres'''),
      -- Hosted demotes postgres after setup; these are the attributes it keeps.
      ('postgres',                   'login nosuperuser inherit createdb createrole replication bypassrls password ''postgres'''),
      -- Hosted revoked CREATEROLE from the auth admin in 2026; it only owns the auth schema.
      ('supabase_auth_admin',        'login noinherit nocreaterole noreplication password ''postgres'''),
      ('supabase_storage_admin',     'login noinherit createrole noreplication password ''postgres'''),
      ('supabase_realtime_admin',    'login noinherit createrole replication password ''postgres'''),
      ('supabase_replication_admin', 'login replication password ''postgres'''),
      ('supabase_etl_admin',         'login replication password ''postgres'''),
      ('supabase_read_only_user',    'login bypassrls password ''postgres'''),
      ('supabase_functions_admin',   'login noinherit createrole noreplication password ''postgres'''),
      ('pgbouncer',                  'login password ''postgres'''),
      ('dashboard_user',             'nologin createdb createrole replication')
    ) as role_spec (name, attributes)
  loop
    if not exists (select from pg_catalog.pg_roles where rolname = wanted.name) then
      execute format('create role %I', wanted.name);
    end if;
    execute format('alter role %I with %s', wanted.name, wanted.attributes);
  end loop;
end
$roles$;

-- Services that act on behalf of a request switch to the request's role.
grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to supabase_storage_admin;
grant anon, authenticated, service_role to supabase_realtime_admin;
grant pg_read_all_data to supabase_read_only_user, supabase_etl_admin;

-- postgres' memberships as hosted grants them. ADMIN on the API roles lets it manage them
-- (and create roles that join them) under PostgreSQL 16's CREATEROLE rules; it is not a
-- member of supabase_admin or of the auth, storage and realtime admins, so the platform's
-- own tables stay theirs ("must be owner of table users").
grant anon, authenticated, service_role, authenticator to postgres with admin option;
grant pg_read_all_data, pg_monitor, pg_signal_backend to postgres with admin option;
grant pg_create_subscription to postgres;
grant execute on function pg_catalog.pg_reload_conf() to postgres;

-- Superuser-only settings supautils lets postgres change on hosted (privileged_role_allowed_configs),
-- for those that exist in this server: `set session_replication_role = replica` in a seed, say.
grant set on parameter
  deadlock_timeout, log_lock_waits, log_min_duration_statement, log_min_messages,
  log_parameter_max_length, log_replication_commands, log_statement, log_temp_files,
  log_disconnections, log_duration, log_min_error_statement, log_recovery_conflict_waits,
  session_replication_role, track_io_timing, wal_compression
  to postgres;

-- supautils lists authenticator among the reserved roles whose settings postgres may still
-- change (`authenticator*`) and pgrst.* among privileged_role_allowed_configs, so a migration can
-- configure PostgREST in the database as hosted reads it:
-- `alter role authenticator set pgrst.db_pre_request = …` (workspace API keys).
grant set on parameter pgrst.db_pre_request to postgres;

-- Short timeouts on API roles keep one slow request from holding the database.
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';

-- search_path per role as hosted sets it; "$user" keeps its literal dollar sign.
alter role postgres set search_path = "$user", public, extensions;
alter role supabase_admin set search_path = "$user", public, auth, extensions;
alter role supabase_auth_admin set search_path = auth;
alter role supabase_storage_admin set search_path = storage;
alter role supabase_realtime_admin set search_path = public, extensions, realtime;

do $database_grants$
begin
  -- postgres owns the project's database, so it may create schemas, publications and
  -- trusted extensions there and `alter database … set`, and (as pg_database_owner) owns
  -- the public schema.
  execute format('alter database %I owner to postgres', current_database());
  execute format(
    'grant create on database %I to supabase_auth_admin, supabase_storage_admin, supabase_realtime_admin',
    current_database()
  );
  execute format('grant all on database %I to dashboard_user', current_database());
end
$database_grants$;
