-- Audit retention: every night the rows older than the workspace's plan keeps them
-- (plans.audit_retention_days; null keeps them for ever) are purged, by a pg_cron job.
-- Written as on hosted Supabase ("Supabase Cron"): the extension lives in pg_catalog, its
-- objects in the `cron` schema; the job runs as the role that applied this migration.

-- ---------------------------------------------------------------------------
-- setup
-- ---------------------------------------------------------------------------

create extension if not exists pg_cron with schema pg_catalog;

grant usage on schema cron to postgres;
grant all privileges on all tables in schema cron to postgres;

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

-- Returns how many rows went. Only the owner of the log may delete from it: no API role can
-- run this (nor delete rows any other way).
create or replace function private.purge_audit_log()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  purged integer;
begin
  delete from public.audit_log as a
  using public.workspaces as w
  join public.plans as p on p.id = w.plan
  where a.workspace_id = w.id
    and p.audit_retention_days is not null
    and a.occurred_at < now() - make_interval(days => p.audit_retention_days);
  get diagnostics purged = row_count;
  return purged;
end;
$$;

revoke execute on function private.purge_audit_log() from public;

-- ---------------------------------------------------------------------------
-- schedules
-- ---------------------------------------------------------------------------

-- Scheduling by name replaces a job of the same name, so re-applying is harmless.
select cron.schedule('purge-audit-log', '17 3 * * *', 'select private.purge_audit_log()');
