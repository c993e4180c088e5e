-- Platform roles, as a hosted Supabase project has them.
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

-- Hosted `postgres` is not a superuser but holds these; locally it stays superuser,
-- which the attributes below do not change.
alter role postgres with login createrole createdb replication bypassrls password 'postgres';

-- Services that act on behalf of a request switch to the request's role.
grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to supabase_storage_admin;
grant anon, authenticated, service_role to supabase_realtime_admin;
grant pg_read_all_data to supabase_read_only_user;

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
  execute format(
    'grant create on database %I to supabase_auth_admin, supabase_storage_admin, supabase_realtime_admin',
    current_database()
  );
  execute format('grant all on database %I to dashboard_user', current_database());
end
$database_grants$;
