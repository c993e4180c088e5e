-- supautils' policy_grants and drop_trigger_grants, as Supabase's image configures them:
-- postgres may create, alter and drop policies on, and drop triggers from, these platform
-- tables although it does not own them (so `create policy … on storage.objects` and
-- `drop trigger if exists … on auth.users` apply on hosted). Every other change to them
-- still needs their owner, e.g. `alter table auth.users add column …` fails with
-- "must be owner of table users".
--
-- supautils does this in C, inside the ownership check. Here an event trigger lends
-- postgres the owning admin roles for the one command (at ddl_command_start), then checks
-- at ddl_command_end / sql_drop that the command touched only a listed table, raising
-- Postgres' own ownership error otherwise, and takes the roles back. The loan lives in
-- the command's transaction: if the command fails, it is rolled back with it.

create schema if not exists groundwork;
revoke all on schema groundwork from public;

create table if not exists groundwork.policy_grant_tables (
  table_name regclass primary key
);
alter table groundwork.policy_grant_tables enable row level security;

insert into groundwork.policy_grant_tables (table_name)
select to_regclass(name)
from unnest(array[
  'auth.audit_log_entries', 'auth.identities', 'auth.refresh_tokens', 'auth.sessions', 'auth.users',
  'realtime.messages',
  'storage.buckets', 'storage.migrations', 'storage.objects',
  'storage.s3_multipart_uploads', 'storage.s3_multipart_uploads_parts'
]) as name
where to_regclass(name) is not null
on conflict do nothing;

-- The roles lent: the owners of the listed tables.
create or replace function groundwork.policy_grant_owners() returns text[]
language sql stable security definer set search_path = ''
as $$
  select coalesce(array_agg(distinct pg_catalog.pg_get_userbyid(c.relowner)::text), '{}')
  from groundwork.policy_grant_tables t
  join pg_catalog.pg_class c on c.oid = t.table_name
  join pg_catalog.pg_roles r on r.oid = c.relowner
  where not r.rolsuper
$$;

-- postgres acting as itself: supautils' privileged role is postgres, not whoever it SET ROLEs to.
create or replace function groundwork.is_privileged_role() returns boolean
language sql stable set search_path = ''
as $$
  select session_user = 'postgres'
     and pg_catalog.current_setting('role') in ('none', 'postgres')
$$;

create or replace function groundwork.lend_policy_owners() returns event_trigger
language plpgsql security definer set search_path = ''
as $$
declare
  owner text;
  lent text[] := '{}';
begin
  if not groundwork.is_privileged_role() then
    return;
  end if;
  foreach owner in array groundwork.policy_grant_owners() loop
    if not exists (
      select from pg_catalog.pg_auth_members m
      where m.roleid = owner::regrole and m.member = 'postgres'::regrole
    ) then
      execute pg_catalog.format('grant %I to postgres', owner);
      lent := lent || owner;
    end if;
  end loop;
  perform pg_catalog.set_config('groundwork.lent_owners', pg_catalog.array_to_string(lent, ','), true);
end
$$;

create or replace function groundwork.take_back_policy_owners() returns event_trigger
language plpgsql security definer set search_path = ''
as $$
declare
  owner text;
  command record;
begin
  if coalesce(pg_catalog.current_setting('groundwork.lent_owners', true), '') = '' then
    return;
  end if;
  -- Created and altered policies name their table; a policy or trigger on any other
  -- table owned by a lent role gets the error Postgres would have raised.
  for command in
    select p.polrelid
    from pg_catalog.pg_event_trigger_ddl_commands() d
    join pg_catalog.pg_policy p on p.oid = d.objid
    where d.classid = 'pg_catalog.pg_policy'::regclass
  loop
    perform groundwork.assert_policy_grant_table(command.polrelid);
  end loop;
  foreach owner in array pg_catalog.string_to_array(pg_catalog.current_setting('groundwork.lent_owners'), ',') loop
    execute pg_catalog.format('revoke %I from postgres', owner);
  end loop;
  perform pg_catalog.set_config('groundwork.lent_owners', '', true);
end
$$;

create or replace function groundwork.check_dropped_policy_objects() returns event_trigger
language plpgsql security definer set search_path = ''
as $$
declare
  dropped record;
begin
  if coalesce(pg_catalog.current_setting('groundwork.lent_owners', true), '') = '' then
    return;
  end if;
  for dropped in
    select address_names from pg_catalog.pg_event_trigger_dropped_objects()
    where object_type in ('policy', 'trigger') and original
  loop
    -- address_names is {schema, table, name} for both.
    perform groundwork.assert_policy_grant_table(
      pg_catalog.format('%I.%I', dropped.address_names[1], dropped.address_names[2])::regclass
    );
  end loop;
end
$$;

create or replace function groundwork.assert_policy_grant_table(target regclass) returns void
language plpgsql stable security definer set search_path = ''
as $$
declare
  owner_is_lent boolean;
begin
  if exists (select from groundwork.policy_grant_tables where table_name = target) then
    return;
  end if;
  select pg_catalog.pg_get_userbyid(c.relowner)::text = any (
    pg_catalog.string_to_array(pg_catalog.current_setting('groundwork.lent_owners'), ',')
  )
  into owner_is_lent
  from pg_catalog.pg_class c where c.oid = target;
  if owner_is_lent then
    raise exception 'must be owner of table %', (select relname from pg_catalog.pg_class where oid = target)
      using errcode = '42501';
  end if;
end
$$;

revoke all on function groundwork.policy_grant_owners(), groundwork.is_privileged_role(),
  groundwork.lend_policy_owners(),
  groundwork.take_back_policy_owners(), groundwork.check_dropped_policy_objects(),
  groundwork.assert_policy_grant_table(regclass) from public;

do $event_triggers$
begin
  if not exists (select from pg_catalog.pg_event_trigger where evtname = 'groundwork_lend_policy_owners') then
    create event trigger groundwork_lend_policy_owners on ddl_command_start
      when tag in ('CREATE POLICY', 'ALTER POLICY', 'DROP POLICY', 'DROP TRIGGER')
      execute function groundwork.lend_policy_owners();
  end if;
  if not exists (select from pg_catalog.pg_event_trigger where evtname = 'groundwork_check_dropped_policy_objects') then
    create event trigger groundwork_check_dropped_policy_objects on sql_drop
      when tag in ('DROP POLICY', 'DROP TRIGGER')
      execute function groundwork.check_dropped_policy_objects();
  end if;
  if not exists (select from pg_catalog.pg_event_trigger where evtname = 'groundwork_take_back_policy_owners') then
    create event trigger groundwork_take_back_policy_owners on ddl_command_end
      when tag in ('CREATE POLICY', 'ALTER POLICY', 'DROP POLICY', 'DROP TRIGGER')
      execute function groundwork.take_back_policy_owners();
  end if;
end
$event_triggers$;
