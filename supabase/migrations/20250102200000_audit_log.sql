-- The audit log: who changed what, when, from where — one row per changed row, written by
-- triggers in the same transaction as the change (a rolled-back change leaves no trace), with
-- the changed columns' values before and after. Append-only: no API role may insert, update or
-- delete a row, the service role included; only the retention purge (a later migration,
-- scheduled with pg_cron) removes rows past the plan's retention. Readable by holders of
-- `audit.read`, filterable through the API on actor, action, target and time.
--
-- The activity feed (public.activity) stays a table of its own rather than a view over this
-- log: it is for everyone with activity.read (viewers included), carries meaningful events
-- (status_changed, assigned) rather than raw column diffs, and must not show what only
-- auditors may see (invitation addresses, role permission sets, before/after values). A view
-- showing viewers a filtered projection would have to bypass the log's RLS (a security definer
-- view, which the Supabase advisors flag as an error). See docs/data-model.md.
--
-- IP and user agent come from the `request.headers` setting PostgREST fills for each request
-- (hosted's API gateway puts the client's address first in X-Forwarded-For).

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

create table public.audit_log (
  id bigint generated always as identity primary key,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  occurred_at timestamptz not null default now(),
  -- The signed-in user; null for the service role and for the database itself.
  actor_id uuid,
  actor_type text not null check (actor_type in ('user', 'service_role', 'system')),
  action text not null check (action ~ '^[a-z_]{1,40}$'),
  target_table text not null,
  -- The row's key as text (composite keys joined with '/'): the log outlives the row.
  target_id text not null,
  -- {column: {"before": …, "after": …}}; inserts carry only "after", deletes only "before".
  changes jsonb not null default '{}'::jsonb,
  ip inet,
  user_agent text
);

comment on table public.audit_log is
  'Append-only record of every change to a workspace: actor, action, target, changed columns before/after, time, IP, user agent.';

create index audit_log_workspace_time_idx on public.audit_log (workspace_id, occurred_at desc, id desc);
create index audit_log_actor_idx on public.audit_log (workspace_id, actor_id, occurred_at desc);
create index audit_log_target_idx on public.audit_log (workspace_id, target_table, target_id, occurred_at desc);

alter table public.audit_log enable row level security;

revoke all on table public.audit_log from anon, authenticated, service_role;
grant select on table public.audit_log to authenticated, service_role;

-- How long a plan keeps its audit log (null: for ever).
alter table public.plans add column audit_retention_days integer check (audit_retention_days > 0);
update public.plans set audit_retention_days = 30 where id = 'free';
update public.plans set audit_retention_days = 365 where id = 'pro';

-- Exports of the log (the audit-export edge function), one folder per workspace.
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('audit-exports', 'audit-exports', false, null, array['text/csv', 'application/json'])
on conflict (id) do update set
  public = excluded.public,
  allowed_mime_types = excluded.allowed_mime_types;

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

-- The first address of X-Forwarded-For (else X-Real-IP) in PostgREST's request headers;
-- null outside a request or when it is not an address.
create or replace function private.request_ip()
returns inet
language plpgsql
stable
set search_path = ''
as $$
declare
  headers jsonb := nullif(current_setting('request.headers', true), '')::jsonb;
  candidate text := btrim(split_part(coalesce(headers ->> 'x-forwarded-for', headers ->> 'x-real-ip', ''), ',', 1));
begin
  if candidate !~ '^[0-9a-fA-F:.]{2,45}$' then
    return null;
  end if;
  return candidate::inet;
exception when others then
  return null;
end;
$$;

create or replace function private.request_user_agent()
returns text
language plpgsql
stable
set search_path = ''
as $$
begin
  return left(nullif(current_setting('request.headers', true), '')::jsonb ->> 'user-agent', 500);
exception when others then
  return null;
end;
$$;

revoke execute on function private.request_ip() from public;
revoke execute on function private.request_user_agent() from public;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

-- One trigger function for every audited table. Arguments: the key column(s) (comma-separated)
-- and, optionally, columns to leave out — bookkeeping that changes on its own (updated_at,
-- search_vector, a project's task counter, a task's position among its neighbours) and secrets
-- (an invitation's token hash). An update that changes only such columns is not logged.
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
  -- While a workspace delete cascades through its rows, the workspace (and its log) is gone.
  if not exists (select 1 from public.workspaces as w where w.id = target_workspace) then
    return null;
  end if;

  insert into public.audit_log (workspace_id, actor_id, actor_type, action, target_table, target_id, changes, ip, user_agent)
  values (
    target_workspace,
    (select auth.uid()),
    case
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

revoke execute on function private.audit_change() from public;

create trigger workspaces_audit
  after insert or update or delete on public.workspaces
  for each row execute function private.audit_change('id');

create trigger workspace_members_audit
  after insert or update or delete on public.workspace_members
  for each row execute function private.audit_change('user_id');

create trigger roles_audit
  after insert or update or delete on public.roles
  for each row execute function private.audit_change('id');

create trigger invitations_audit
  after insert or update or delete on public.invitations
  for each row execute function private.audit_change('id', 'token_hash');

create trigger projects_audit
  after insert or update or delete on public.projects
  for each row execute function private.audit_change('id', 'next_task_number');

create trigger tasks_audit
  after insert or update or delete on public.tasks
  for each row execute function private.audit_change('id', 'position');

create trigger labels_audit
  after insert or update or delete on public.labels
  for each row execute function private.audit_change('id');

create trigger task_labels_audit
  after insert or update or delete on public.task_labels
  for each row execute function private.audit_change('task_id,label_id');

create trigger comments_audit
  after insert or update or delete on public.comments
  for each row execute function private.audit_change('id');

create trigger attachments_audit
  after insert or update or delete on public.attachments
  for each row execute function private.audit_change('id');

-- ---------------------------------------------------------------------------
-- policies
-- ---------------------------------------------------------------------------

create policy "Holders of audit.read can read the audit log"
  on public.audit_log for select
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('audit.read'))::uuid[]));

-- The export function writes as the caller, who reads the file back through a signed URL.
create policy "Holders of audit.read can read audit exports"
  on storage.objects for select
  to authenticated
  using (
    bucket_id = 'audit-exports'
    and (storage.foldername(name))[1] = any ((select private.permitted_workspace_ids('audit.read'))::text[])
  );

create policy "Holders of audit.read can write audit exports"
  on storage.objects for insert
  to authenticated
  with check (
    bucket_id = 'audit-exports'
    and (storage.foldername(name))[1] = any ((select private.permitted_workspace_ids('audit.read'))::text[])
    and array_length(storage.foldername(name), 1) = 1
  );
