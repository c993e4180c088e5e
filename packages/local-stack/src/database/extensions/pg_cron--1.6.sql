-- pg_cron 1.6 for the groundwork stack: the same schema, tables, functions (signatures and
-- defaults) and grants Supabase's pg_cron has, written in SQL and PL/pgSQL. There is no
-- background worker in the database: the stack's cron service reads cron.job (woken by the
-- cache-invalidation trigger's NOTIFY), runs each job in a new session as the job's user in
-- the job's database, and records every run in cron.job_run_details.
\echo Use "CREATE EXTENSION pg_cron" to load this file. \quit

-- As pg_cron: its worker reads the jobs of one database (cron.database_name = 'postgres').
do $database$
begin
  if pg_catalog.current_database() operator(pg_catalog.<>) 'postgres' then
    raise exception 'can only create extension in database postgres'
      using detail = 'Jobs must be scheduled from the database configured in cron.database_name, '
                     'since the pg_cron background worker reads job descriptions from this database.',
            hint = pg_catalog.format(
              'Add cron.database_name = ''%s'' in postgresql.conf to use the current database.',
              pg_catalog.current_database());
  end if;
end
$database$;

create schema cron;

create sequence cron.jobid_seq;
create sequence cron.runid_seq;

create table cron.job (
  jobid bigint primary key default pg_catalog.nextval('cron.jobid_seq'),
  schedule text not null,
  command text not null,
  nodename text not null default 'localhost',
  nodeport integer not null default pg_catalog.inet_server_port(),
  database text not null default pg_catalog.current_database(),
  username text not null default current_user,
  active boolean not null default true,
  jobname text,
  constraint jobname_username_uniq unique (jobname, username)
);

create table cron.job_run_details (
  jobid bigint,
  runid bigint primary key default pg_catalog.nextval('cron.runid_seq'),
  job_pid integer,
  database text,
  username text,
  command text,
  status text,
  return_message text,
  start_time timestamptz,
  end_time timestamptz
);

-- Users see (and may delete the history of) their own jobs only.
alter table cron.job enable row level security;
create policy cron_job_policy on cron.job
  using (username operator(pg_catalog.=) current_user);
alter table cron.job_run_details enable row level security;
create policy cron_job_run_details_policy on cron.job_run_details
  using (username operator(pg_catalog.=) current_user);

grant select on cron.job to public;
grant select, delete on cron.job_run_details to public;
grant select on sequence cron.jobid_seq, cron.runid_seq to public;

select pg_catalog.pg_extension_config_dump('cron.job', '');
select pg_catalog.pg_extension_config_dump('cron.job_run_details', '');
select pg_catalog.pg_extension_config_dump('cron.jobid_seq', '');
select pg_catalog.pg_extension_config_dump('cron.runid_seq', '');

-- pg_cron's trigger reloads its worker's job cache; here it wakes the stack's scheduler.
-- NOTIFY is delivered on commit, so a rolled-back schedule is never seen.
create function cron.job_cache_invalidate()
returns trigger
language plpgsql
as $$
begin
  perform pg_catalog.pg_notify('groundwork_cron', '');
  return null;
end
$$;

create trigger cron_job_cache_invalidate
  after insert or update or delete or truncate on cron.job
  for each statement execute function cron.job_cache_invalidate();

-- The role a call acts for. The scheduling functions below run as their owner (they
-- write cron.job, which callers may only read, as pg_cron's C functions do); the caller
-- is the role set with SET ROLE (PostgREST's request role) or else the session's user.
create function cron._caller()
returns text
language sql
stable
set search_path = ''
as $$
  select coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user::text)
$$;

create function cron._is_superuser(role_name text)
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce((select rolsuper from pg_catalog.pg_roles where rolname operator(pg_catalog.=) role_name), false)
$$;

-- One value of a cron field: a number in the field's range, or a month or weekday name.
create function cron._schedule_value(token text, field_index integer)
returns integer
language plpgsql
immutable
set search_path = ''
as $$
declare
  lows constant integer[] := array[0, 0, 1, 1, 0];
  highs constant integer[] := array[59, 23, 31, 12, 7];
  months constant text[] := array['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
  weekdays constant text[] := array['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
  value integer;
begin
  if token operator(pg_catalog.~) '^[0-9]{1,3}$' then
    value := token::integer;
  elsif field_index operator(pg_catalog.=) 4 then
    value := pg_catalog.array_position(months, token);
  elsif field_index operator(pg_catalog.=) 5 then
    value := pg_catalog.array_position(weekdays, token) operator(pg_catalog.-) 1;
  end if;
  if value is null or value operator(pg_catalog.<) lows[field_index]
     or value operator(pg_catalog.>) highs[field_index] then
    return null;
  end if;
  return value;
end
$$;

-- What pg_cron accepts: five cron fields (numbers, names, *, ranges, lists, steps, and $
-- for the last day of the month), an @-nickname, or '[1-59] seconds'. Always UTC.
create function cron._schedule_is_valid(schedule text)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
declare
  spec constant text := pg_catalog.lower(pg_catalog.btrim(schedule));
  fields text[];
  field_index integer;
  item text;
  parts text[];
  bounds text[];
  low integer;
  high integer;
begin
  if spec is null then
    return false;
  end if;
  if spec operator(pg_catalog.~) '^[0-9]+\s*seconds?$' then
    return pg_catalog.substring(spec, '^[0-9]+')::numeric between 1 and 59;
  end if;
  if spec operator(pg_catalog.=) any (array['@yearly', '@annually', '@monthly', '@weekly', '@daily',
                                            '@midnight', '@hourly', '@reboot']) then
    return true;
  end if;
  fields := pg_catalog.regexp_split_to_array(spec, '\s+');
  if pg_catalog.cardinality(fields) operator(pg_catalog.<>) 5 then
    return false;
  end if;
  for field_index in 1..5 loop
    foreach item in array pg_catalog.string_to_array(fields[field_index], ',') loop
      continue when field_index operator(pg_catalog.=) 3 and item operator(pg_catalog.=) '$';
      parts := pg_catalog.regexp_match(item, '^([^/]+)(?:/([0-9]{1,3}))?$');
      if parts is null or parts[2]::integer operator(pg_catalog.=) 0 then
        return false;
      end if;
      continue when parts[1] operator(pg_catalog.=) '*';
      bounds := pg_catalog.regexp_match(parts[1], '^([a-z0-9]+)(?:-([a-z0-9]+))?$');
      -- A step needs a range to step through (5/10 is not cron syntax; 5-59/10 is).
      if bounds is null or (bounds[2] is null and parts[2] is not null) then
        return false;
      end if;
      low := cron._schedule_value(bounds[1], field_index);
      high := coalesce(cron._schedule_value(bounds[2], field_index), low);
      if low is null or (bounds[2] is not null and cron._schedule_value(bounds[2], field_index) is null)
         or low operator(pg_catalog.>) high then
        return false;
      end if;
    end loop;
  end loop;
  return true;
end
$$;

create function cron._check_schedule(schedule text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if not cron._schedule_is_valid(schedule) then
    raise exception using
      errcode = 'invalid_parameter_value',
      message = pg_catalog.format('invalid schedule: %s', schedule),
      hint = 'Use cron format (e.g. 5 4 * * *), or interval format ''[1-59] seconds''';
  end if;
end
$$;

create function cron._check_database(database_name text, role_name text)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if not exists (select from pg_catalog.pg_database where datname operator(pg_catalog.=) database_name) then
    raise exception using errcode = 'invalid_catalog_name',
      message = pg_catalog.format('database "%s" does not exist', database_name);
  end if;
  if not pg_catalog.has_database_privilege(role_name, database_name, 'CONNECT') then
    raise exception using errcode = 'insufficient_privilege',
      message = pg_catalog.format('permission denied for database %s', database_name);
  end if;
end
$$;

-- Adds a job, or (same name, same user) replaces its schedule, command, database and state.
create function cron._schedule(
  job_name text,
  schedule text,
  command text,
  database text,
  username text,
  active boolean
)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller constant text := cron._caller();
  job_user constant text := coalesce(username, caller);
  job_database constant text := coalesce(database, pg_catalog.current_database());
  new_jobid bigint;
begin
  if schedule is null then
    raise exception 'schedule can not be NULL';
  end if;
  if command is null then
    raise exception 'command can not be NULL';
  end if;
  perform cron._check_schedule(schedule);
  if job_user operator(pg_catalog.<>) caller and not cron._is_superuser(caller) then
    raise exception using errcode = 'insufficient_privilege',
      message = 'must be superuser to create a job for another role';
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname operator(pg_catalog.=) job_user) then
    raise exception using errcode = 'undefined_object',
      message = pg_catalog.format('role "%s" does not exist', job_user);
  end if;
  if database is not null then
    perform cron._check_database(job_database, job_user);
  end if;
  insert into cron.job as existing (jobname, schedule, command, nodename, nodeport, database, username, active)
  values (
    job_name, schedule, command, 'localhost',
    coalesce(pg_catalog.inet_server_port(), pg_catalog.current_setting('port')::integer),
    job_database, job_user, coalesce(active, true)
  )
  on conflict on constraint jobname_username_uniq do update
    set schedule = excluded.schedule,
        command = excluded.command,
        database = excluded.database,
        active = excluded.active
  returning existing.jobid into new_jobid;
  return new_jobid;
end
$$;

create function cron.schedule(schedule text, command text)
returns bigint
language sql
strict
security definer
set search_path = ''
as $$
  select cron._schedule(null, schedule, command, null, null, true)
$$;
comment on function cron.schedule(text, text) is 'schedule a pg_cron job';

create function cron.schedule(job_name text, schedule text, command text)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  if job_name is null then
    raise exception 'job_name can not be NULL';
  end if;
  return cron._schedule(job_name, schedule, command, null, null, true);
end
$$;
comment on function cron.schedule(text, text, text) is 'schedule a pg_cron job';

create function cron.schedule_in_database(
  job_name text,
  schedule text,
  command text,
  database text,
  username text default null,
  active boolean default 'true'
)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  if job_name is null then
    raise exception 'job_name can not be NULL';
  end if;
  if database is null then
    raise exception 'database can not be NULL';
  end if;
  return cron._schedule(job_name, schedule, command, database, username, active);
end
$$;
comment on function cron.schedule_in_database(text, text, text, text, text, boolean) is 'schedule a pg_cron job';

create function cron.unschedule(job_id bigint)
returns boolean
language plpgsql
strict
security definer
set search_path = ''
as $$
declare
  caller constant text := cron._caller();
  owner text;
begin
  select job.username into owner from cron.job where job.jobid operator(pg_catalog.=) job_id;
  if not found then
    raise exception using errcode = 'invalid_parameter_value',
      message = pg_catalog.format('could not find valid entry for job %s', job_id);
  end if;
  if owner operator(pg_catalog.<>) caller and not cron._is_superuser(caller)
     and not pg_catalog.has_table_privilege(caller, 'cron.job', 'DELETE') then
    raise exception using errcode = 'insufficient_privilege', message = 'permission denied for table job';
  end if;
  delete from cron.job where job.jobid operator(pg_catalog.=) job_id;
  return true;
end
$$;
comment on function cron.unschedule(bigint) is 'unschedule a pg_cron job';

create function cron.unschedule(job_name text)
returns boolean
language plpgsql
strict
security definer
set search_path = ''
as $$
begin
  delete from cron.job
   where job.jobname operator(pg_catalog.=) job_name
     and job.username operator(pg_catalog.=) cron._caller();
  if not found then
    raise exception using errcode = 'invalid_parameter_value',
      message = pg_catalog.format('could not find valid entry for job ''%s''', job_name);
  end if;
  return true;
end
$$;
comment on function cron.unschedule(text) is 'unschedule a pg_cron job';

create function cron.alter_job(
  job_id bigint,
  schedule text default null,
  command text default null,
  database text default null,
  username text default null,
  active boolean default null
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller constant text := cron._caller();
  caller_is_superuser constant boolean := cron._is_superuser(caller);
  current_job cron.job;
begin
  select * into current_job from cron.job where job.jobid operator(pg_catalog.=) job_id;
  -- Someone else's job is as invisible here as it is in cron.job.
  if not found or (current_job.username operator(pg_catalog.<>) caller and not caller_is_superuser) then
    raise exception using errcode = 'invalid_parameter_value',
      message = pg_catalog.format('could not find valid entry for job %s', job_id);
  end if;
  if username is not null and username operator(pg_catalog.<>) current_job.username and not caller_is_superuser then
    raise exception using errcode = 'insufficient_privilege',
      message = 'must be superuser to alter username';
  end if;
  if username is not null
     and not exists (select from pg_catalog.pg_roles where rolname operator(pg_catalog.=) username) then
    raise exception using errcode = 'undefined_object',
      message = pg_catalog.format('role "%s" does not exist', username);
  end if;
  if schedule is not null then
    perform cron._check_schedule(schedule);
  end if;
  if database is not null then
    perform cron._check_database(database, coalesce(username, current_job.username));
  end if;
  update cron.job
     set schedule = coalesce(alter_job.schedule, job.schedule),
         command = coalesce(alter_job.command, job.command),
         database = coalesce(alter_job.database, job.database),
         username = coalesce(alter_job.username, job.username),
         active = coalesce(alter_job.active, job.active)
   where job.jobid operator(pg_catalog.=) job_id;
end
$$;
comment on function cron.alter_job(bigint, text, text, text, text, boolean)
  is 'Alter the job identified by job_id. Any option left as NULL will not be modified.';

-- Private helpers are for the functions above only.
revoke all on function cron._caller(), cron._is_superuser(text), cron._schedule_value(text, integer),
  cron._schedule_is_valid(text), cron._check_schedule(text), cron._check_database(text, text),
  cron._schedule(text, text, text, text, text, boolean) from public;
-- As pg_cron: an administrator decides who may schedule in other databases or alter jobs.
revoke all on function cron.schedule_in_database(text, text, text, text, text, boolean) from public;
revoke all on function cron.alter_job(bigint, text, text, text, text, boolean) from public;

-- What Supabase grants postgres after creating pg_cron (supautils' after-create script).
grant usage on schema cron to postgres with grant option;
grant all on function cron.schedule(text, text), cron.schedule(text, text, text),
  cron.schedule_in_database(text, text, text, text, text, boolean), cron.unschedule(bigint),
  cron.unschedule(text), cron.alter_job(bigint, text, text, text, text, boolean),
  cron.job_cache_invalidate() to postgres with grant option;
grant all privileges on all tables in schema cron to postgres with grant option;
revoke all on table cron.job from postgres;
grant select on table cron.job to postgres with grant option;
