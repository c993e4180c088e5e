-- The trash. Projects, tasks and comments are deleted softly: `deleted_at` / `deleted_by` mark a
-- row as in the trash, where it is hidden from every read path of the API (REST, embeds, RPCs
-- such as search_tasks, Realtime changes, notifications, attachments, counts and plan limits),
-- restorable for 30 days by those who may delete it, then purged by a pg_cron job. Holders of
-- `trash.purge` delete permanently, from the trash or skipping it.
--
-- How a delete reaches the trash:
--   - the RPCs move_to_trash / restore_from_trash / delete_permanently / empty_trash / list_trash
--     (what the SDK uses: each answers the row or a stable error, never an empty success);
--   - a plain REST DELETE by a signed-in user (or the service role) of a row not yet in the trash:
--     a BEFORE DELETE trigger moves the row to the trash instead and skips the delete. PostgREST
--     then reports no deleted rows (the statement itself removed none), so the trigger adds the
--     response header `Groundwork-Trashed: <rows>`. The service role's DELETE of a row already in
--     the trash (only it can see those through REST) deletes it for good. Deletes by the database
--     owner — migrations, the purge job, delete_permanently, the cascade of a deleted workspace —
--     are real deletes.
--
-- Soft-delete UPDATEs never meet RLS: the trash is written by security definer functions after
-- they checked the caller's permission, so "new row violates row-level security policy" (the
-- known Supabase complaint when a SELECT policy hides deleted rows) cannot happen. Clients cannot
-- write the trash columns themselves (no column grant).
--
-- A project goes to the trash with its live tasks, and a task with its live comments
-- (`deleted_with_parent`); restoring the parent brings back exactly those. A child that went to
-- the trash with its parent, or on its own before it, cannot be restored while the parent is in
-- the trash (project_in_trash, task_in_trash). The trash keeps a project's key taken, so a
-- restore never collides.
--
-- Error messages follow the contract at the top of 20250101000000_setup.sql; this migration adds
-- comment_not_found (PT404), project_in_trash (PT409) and task_in_trash (PT409).

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

alter table public.projects
  add column deleted_at timestamptz,
  add column deleted_by uuid,
  add constraint projects_trash_state check (deleted_at is not null or deleted_by is null);

alter table public.tasks
  add column deleted_at timestamptz,
  add column deleted_by uuid,
  -- Went to the trash with its project (and comes back with it).
  add column deleted_with_parent boolean not null default false,
  add constraint tasks_trash_state check (deleted_at is not null or (deleted_by is null and not deleted_with_parent));

alter table public.comments
  add column deleted_at timestamptz,
  add column deleted_by uuid,
  -- Went to the trash with its task (and comes back with it).
  add column deleted_with_parent boolean not null default false,
  add constraint comments_trash_state check (deleted_at is not null or (deleted_by is null and not deleted_with_parent));

comment on column public.projects.deleted_at is 'When the project went to the trash; null while it is live.';
comment on column public.tasks.deleted_at is 'When the task went to the trash; null while it is live.';
comment on column public.comments.deleted_at is 'When the comment went to the trash; null while it is live.';

-- The trash listing and the purge read only rows in the trash.
create index projects_trash_idx on public.projects (workspace_id, deleted_at) where deleted_at is not null;
create index tasks_trash_idx on public.tasks (workspace_id, deleted_at) where deleted_at is not null;
create index comments_trash_idx on public.comments (workspace_id, deleted_at) where deleted_at is not null;

-- One entry of the trash, as the trash RPCs answer it.
create type public.trash_entry as (
  kind text,
  id uuid,
  workspace_id uuid,
  -- The project of a task or comment (a project's own id for a project).
  project_id uuid,
  -- The task of a comment (a task's own id for a task; null for a project).
  task_id uuid,
  -- A project's name, a task's title, the start of a comment's body.
  title text,
  deleted_at timestamptz,
  deleted_by uuid,
  -- When the purge job deletes it for good (null while live).
  purge_after timestamptz
);

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

create or replace function private.trash_retention()
returns interval
language sql
immutable
set search_path = ''
as $$
  select interval '30 days';
$$;

-- The row behind (kind, id), whatever its state; no row when there is none.
create or replace function private.trash_target(kind text, target uuid)
returns table (workspace_id uuid, author_id uuid, deleted_at timestamptz, deleted_with_parent boolean, parent_in_trash boolean)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if kind = 'project' then
    return query select p.workspace_id, null::uuid, p.deleted_at, false, false
      from public.projects as p where p.id = target;
  elsif kind = 'task' then
    return query select t.workspace_id, null::uuid, t.deleted_at, t.deleted_with_parent, p.deleted_at is not null
      from public.tasks as t join public.projects as p on p.id = t.project_id where t.id = target;
  elsif kind = 'comment' then
    return query select c.workspace_id, c.author_id, c.deleted_at, c.deleted_with_parent, t.deleted_at is not null
      from public.comments as c join public.tasks as t on t.id = c.task_id where c.id = target;
  else
    raise exception using errcode = '22023', message = 'invalid_input',
      detail = 'kind must be project, task or comment.';
  end if;
end;
$$;

create or replace function private.raise_trash_not_found(kind text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if kind = 'project' then
    raise exception using errcode = 'PT404', message = 'project_not_found';
  elsif kind = 'task' then
    raise exception using errcode = 'PT404', message = 'task_not_found';
  end if;
  raise exception using errcode = 'PT404', message = 'comment_not_found';
end;
$$;

-- Whether the caller may move this row to the trash and back: projects.delete, tasks.delete;
-- a comment's author with comments.create, or anyone with comments.delete (the rules of the
-- DELETE policies). The service role may.
create or replace function private.may_trash(kind text, workspace_id uuid, author_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if kind = 'comment' then
    return private.caller_may(may_trash.workspace_id, 'comments.delete')
      or (may_trash.author_id = (select auth.uid()) and private.has_permission(may_trash.workspace_id, 'comments.create'));
  end if;
  return private.caller_may(may_trash.workspace_id, kind || 's.delete');
end;
$$;

-- Whether the caller may see this entry in the trash: those who may restore it, and holders of
-- trash.purge who may read that kind of row.
create or replace function private.may_see_in_trash(kind text, workspace_id uuid, author_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return private.may_trash(kind, may_see_in_trash.workspace_id, may_see_in_trash.author_id)
    or (private.caller_may(may_see_in_trash.workspace_id, 'trash.purge')
        and private.caller_may(may_see_in_trash.workspace_id, kind || 's.read'));
end;
$$;

create or replace function private.trash_entry_of(kind text, target uuid)
returns public.trash_entry
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  entry public.trash_entry;
begin
  if kind = 'project' then
    select 'project', p.id, p.workspace_id, p.id, null::uuid, p.name, p.deleted_at, p.deleted_by,
      p.deleted_at + private.trash_retention()
    into entry from public.projects as p where p.id = target;
  elsif kind = 'task' then
    select 'task', t.id, t.workspace_id, t.project_id, t.id, t.title, t.deleted_at, t.deleted_by,
      t.deleted_at + private.trash_retention()
    into entry from public.tasks as t where t.id = target;
  else
    select 'comment', c.id, c.workspace_id, t.project_id, c.task_id, left(c.body, 200), c.deleted_at, c.deleted_by,
      c.deleted_at + private.trash_retention()
    into entry from public.comments as c join public.tasks as t on t.id = c.task_id where c.id = target;
  end if;
  return entry;
end;
$$;

-- Marks a live row, and its live children, as in the trash. Checks the caller's permission
-- itself, although every path here has checked it already.
create or replace function private.put_in_trash(kind text, target uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  actor uuid := (select auth.uid());
  found_row record;
begin
  select * into found_row from private.trash_target(kind, target);
  if found_row.workspace_id is null or not private.may_trash(kind, found_row.workspace_id, found_row.author_id) then
    raise exception using errcode = '42501', message = 'forbidden',
      detail = 'Moving this to the trash needs its delete permission.';
  end if;
  if kind = 'project' then
    update public.projects as p set deleted_at = now(), deleted_by = actor
    where p.id = target and p.deleted_at is null;
    with trashed as (
      update public.tasks as t set deleted_at = now(), deleted_by = actor, deleted_with_parent = true
      where t.project_id = target and t.deleted_at is null
      returning t.id
    )
    update public.comments as c set deleted_at = now(), deleted_by = actor, deleted_with_parent = true
    where c.task_id in (select trashed.id from trashed) and c.deleted_at is null;
  elsif kind = 'task' then
    update public.tasks as t set deleted_at = now(), deleted_by = actor
    where t.id = target and t.deleted_at is null;
    update public.comments as c set deleted_at = now(), deleted_by = actor, deleted_with_parent = true
    where c.task_id = target and c.deleted_at is null;
  else
    update public.comments as c set deleted_at = now(), deleted_by = actor
    where c.id = target and c.deleted_at is null;
  end if;
end;
$$;

-- Brings a row back from the trash with the children that went there with it.
create or replace function private.take_out_of_trash(kind text, target uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if kind = 'project' then
    update public.projects as p set deleted_at = null, deleted_by = null where p.id = target;
    with restored as (
      update public.tasks as t set deleted_at = null, deleted_by = null, deleted_with_parent = false
      where t.project_id = target and t.deleted_with_parent
      returning t.id
    )
    update public.comments as c set deleted_at = null, deleted_by = null, deleted_with_parent = false
    where c.task_id in (select restored.id from restored) and c.deleted_with_parent;
  elsif kind = 'task' then
    update public.tasks as t set deleted_at = null, deleted_by = null, deleted_with_parent = false where t.id = target;
    update public.comments as c set deleted_at = null, deleted_by = null, deleted_with_parent = false
    where c.task_id = target and c.deleted_with_parent;
  else
    update public.comments as c set deleted_at = null, deleted_by = null, deleted_with_parent = false where c.id = target;
  end if;
end;
$$;

-- A REST DELETE that went to the trash answers no deleted rows; this header says what happened.
create or replace function private.note_trashed_in_response()
returns void
language plpgsql
set search_path = ''
as $$
declare
  so_far integer := coalesce(nullif(current_setting('groundwork.trashed_rows', true), '')::integer, 0) + 1;
begin
  perform set_config('groundwork.trashed_rows', so_far::text, true);
  perform set_config('response.headers',
    json_build_array(json_build_object('Groundwork-Trashed', so_far::text))::text, true);
end;
$$;

-- Rows a comment or task label may not be put on: a task in the trash is, for those who may
-- write there or read it, a task that does not exist. Anyone else is refused by RLS next, as
-- for any task.
create or replace function private.refuse_task_in_trash(task_id uuid, workspace_id uuid, permission text)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if exists (
    select 1 from public.tasks as t
    where t.id = refuse_task_in_trash.task_id
      and t.workspace_id = refuse_task_in_trash.workspace_id
      and t.deleted_at is not null
  ) and (private.caller_may(refuse_task_in_trash.workspace_id, refuse_task_in_trash.permission)
         or private.caller_may(refuse_task_in_trash.workspace_id, 'tasks.read')) then
    raise exception using errcode = 'PT404', message = 'task_not_found';
  end if;
end;
$$;

-- Whether a notification's task and comment are live (notifications of trashed ones are hidden);
-- one about no task (a workspace notice, such as billing's plan_over_limit) always is.
create or replace function private.notification_is_live(task_id uuid, comment_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (notification_is_live.task_id is null
      or exists (select 1 from public.tasks as t where t.id = notification_is_live.task_id and t.deleted_at is null))
    and (notification_is_live.comment_id is null
         or exists (select 1 from public.comments as c where c.id = notification_is_live.comment_id and c.deleted_at is null));
end;
$$;

create or replace function private.task_is_live(task_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return exists (select 1 from public.tasks as t where t.id = task_is_live.task_id and t.deleted_at is null);
end;
$$;

-- As in 20250101300000_rls_helpers_cached_plans.sql, and the task must be live: nothing is
-- uploaded into, or read from, the folder of a task in the trash.
create or replace function private.is_attachment_path(name text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return coalesce(array_length(storage.foldername(name), 1) = 2, false)
    and exists (
      select 1
      from public.tasks as t
      where t.id = private.uuid_or_null((storage.foldername(name))[2])
        and t.workspace_id = private.uuid_or_null((storage.foldername(name))[1])
        and t.deleted_at is null
    );
end;
$$;

-- As in 20250102000000_permissions_roles.sql, for live projects only.
create or replace function private.can_use_project_channel(topic text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  channel_project_id uuid;
begin
  if topic is null or topic !~* '^project:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return false;
  end if;
  channel_project_id := substring(topic from 9)::uuid;
  return exists (
    select 1
    from public.projects as p
    where p.id = channel_project_id
      and p.deleted_at is null
      and private.has_permission(p.workspace_id, 'projects.read')
  );
end;
$$;

-- The scheduled purge: everything in the trash for longer than the retention. Returns how many
-- rows went (children first, so each is counted once).
create or replace function private.purge_trash()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  cutoff timestamptz := now() - private.trash_retention();
  purged integer;
  total integer := 0;
begin
  delete from public.comments as c where c.deleted_at < cutoff;
  get diagnostics purged = row_count;
  total := total + purged;
  delete from public.tasks as t where t.deleted_at < cutoff;
  get diagnostics purged = row_count;
  total := total + purged;
  delete from public.projects as p where p.deleted_at < cutoff;
  get diagnostics purged = row_count;
  return total + purged;
end;
$$;

revoke execute on function private.trash_retention() from public;
revoke execute on function private.trash_target(text, uuid) from public;
revoke execute on function private.raise_trash_not_found(text) from public;
revoke execute on function private.may_trash(text, uuid, uuid) from public;
revoke execute on function private.may_see_in_trash(text, uuid, uuid) from public;
revoke execute on function private.trash_entry_of(text, uuid) from public;
revoke execute on function private.put_in_trash(text, uuid) from public;
revoke execute on function private.take_out_of_trash(text, uuid) from public;
revoke execute on function private.note_trashed_in_response() from public;
revoke execute on function private.refuse_task_in_trash(uuid, uuid, text) from public;
revoke execute on function private.notification_is_live(uuid, uuid) from public;
revoke execute on function private.task_is_live(uuid) from public;
revoke execute on function private.purge_trash() from public;
-- The DELETE trigger runs as the API role (it must know who deletes), so that role calls these.
grant execute on function private.put_in_trash(text, uuid) to authenticated, service_role;
grant execute on function private.note_trashed_in_response() to authenticated, service_role;
-- Policies call these.
grant execute on function private.notification_is_live(uuid, uuid) to authenticated, service_role;
grant execute on function private.task_is_live(uuid) to authenticated, service_role;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

-- A REST DELETE moves the row to the trash. Security invoker on purpose: current_user is then
-- the API role making the request; the database owner (migrations, the purge job,
-- delete_permanently, the cascade of a deleted workspace or project) really deletes. RLS has
-- already decided the caller may delete this row.
create or replace function private.delete_into_trash()
returns trigger
language plpgsql
security invoker
set search_path = ''
as $$
begin
  if current_user not in ('authenticated', 'service_role') or old.deleted_at is not null then
    return old;
  end if;
  perform private.put_in_trash(tg_argv[0], old.id);
  perform private.note_trashed_in_response();
  return null;
end;
$$;

revoke execute on function private.delete_into_trash() from public;

create trigger projects_delete_into_trash
  before delete on public.projects
  for each row execute function private.delete_into_trash('project');

create trigger tasks_delete_into_trash
  before delete on public.tasks
  for each row execute function private.delete_into_trash('task');

create trigger comments_delete_into_trash
  before delete on public.comments
  for each row execute function private.delete_into_trash('comment');

-- The audit log names moves in and out of the trash `trash` and `restore` (a permanent delete
-- stays `delete`); the generic trigger leaves the trash columns to this one.
create or replace function private.audit_trash_move()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  claims_role text := nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role';
begin
  if new.deleted_at is not distinct from old.deleted_at then
    return null;
  end if;
  insert into public.audit_log (workspace_id, actor_id, actor_type, action, target_table, target_id, changes, ip, user_agent)
  values (
    new.workspace_id,
    (select auth.uid()),
    case
      when (select auth.uid()) is not null then 'user'
      when claims_role = 'service_role' then 'service_role'
      else 'system'
    end,
    case when new.deleted_at is null then 'restore' else 'trash' end,
    tg_table_name,
    new.id::text,
    jsonb_build_object(
      'deleted_at', jsonb_build_object('before', old.deleted_at, 'after', new.deleted_at),
      'deleted_by', jsonb_build_object('before', old.deleted_by, 'after', new.deleted_by)
    ) || case when tg_table_name = 'projects' then '{}'::jsonb else jsonb_build_object(
      'deleted_with_parent', jsonb_build_object('before', to_jsonb(old) -> 'deleted_with_parent',
        'after', to_jsonb(new) -> 'deleted_with_parent')) end,
    private.request_ip(),
    private.request_user_agent()
  );
  return null;
end;
$$;

revoke execute on function private.audit_trash_move() from public;

drop trigger projects_audit on public.projects;
create trigger projects_audit
  after insert or update or delete on public.projects
  for each row execute function private.audit_change('id', 'next_task_number,deleted_at,deleted_by');

drop trigger tasks_audit on public.tasks;
create trigger tasks_audit
  after insert or update or delete on public.tasks
  for each row execute function private.audit_change('id', 'position,deleted_at,deleted_by,deleted_with_parent');

drop trigger comments_audit on public.comments;
create trigger comments_audit
  after insert or update or delete on public.comments
  for each row execute function private.audit_change('id', 'deleted_at,deleted_by,deleted_with_parent');

create trigger projects_audit_trash
  after update of deleted_at on public.projects
  for each row execute function private.audit_trash_move();

create trigger tasks_audit_trash
  after update of deleted_at on public.tasks
  for each row execute function private.audit_trash_move();

create trigger comments_audit_trash
  after update of deleted_at on public.comments
  for each row execute function private.audit_trash_move();

-- The activity feed says `deleted` when something goes to the trash, `restored` when it comes
-- back and `purged` when it is deleted for good. Children that go or come with their parent are
-- covered by the parent's entry.
create or replace function private.log_project_activity()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.log_activity(new.workspace_id, 'project', new.id, 'created',
      jsonb_build_object('name', new.name, 'key', new.key));
  elsif tg_op = 'UPDATE' then
    if new.deleted_at is distinct from old.deleted_at then
      perform private.log_activity(new.workspace_id, 'project', new.id,
        case when new.deleted_at is null then 'restored' else 'deleted' end,
        jsonb_build_object('name', new.name, 'key', new.key));
    end if;
    if new.archived is distinct from old.archived then
      perform private.log_activity(new.workspace_id, 'project', new.id,
        case when new.archived then 'archived' else 'unarchived' end, '{}'::jsonb);
    end if;
    if new.name is distinct from old.name or new.key is distinct from old.key then
      perform private.log_activity(new.workspace_id, 'project', new.id, 'updated',
        jsonb_build_object('name', new.name, 'key', new.key));
    end if;
  else
    perform private.log_activity(old.workspace_id, 'project', old.id, 'purged',
      jsonb_build_object('name', old.name, 'key', old.key));
  end if;
  return null;
end;
$$;

create or replace function private.log_task_activity()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  changed text[];
begin
  if tg_op = 'INSERT' then
    perform private.log_activity(new.workspace_id, 'task', new.id, 'created',
      jsonb_build_object('project_id', new.project_id, 'number', new.number, 'title', new.title));
  elsif tg_op = 'UPDATE' then
    if new.deleted_at is distinct from old.deleted_at then
      if not (new.deleted_with_parent or old.deleted_with_parent) then
        perform private.log_activity(new.workspace_id, 'task', new.id,
          case when new.deleted_at is null then 'restored' else 'deleted' end,
          jsonb_build_object('project_id', new.project_id, 'number', new.number, 'title', new.title));
      end if;
      return null;
    end if;
    if new.status is distinct from old.status then
      perform private.log_activity(new.workspace_id, 'task', new.id, 'status_changed',
        jsonb_build_object('from', old.status, 'to', new.status));
    end if;
    if new.assignee_id is distinct from old.assignee_id then
      perform private.log_activity(new.workspace_id, 'task', new.id, 'assigned',
        jsonb_build_object('from', old.assignee_id, 'to', new.assignee_id));
    end if;
    changed := array_remove(array[
      case when new.title is distinct from old.title then 'title' end,
      case when new.description is distinct from old.description then 'description' end,
      case when new.priority is distinct from old.priority then 'priority' end,
      case when new.due_date is distinct from old.due_date then 'due_date' end
    ], null);
    if cardinality(changed) > 0 then
      perform private.log_activity(new.workspace_id, 'task', new.id, 'updated', jsonb_build_object('fields', changed));
    end if;
  elsif exists (select 1 from public.projects as p where p.id = old.project_id) then
    -- Tasks removed with their project are covered by the project's entry.
    perform private.log_activity(old.workspace_id, 'task', old.id, 'purged',
      jsonb_build_object('project_id', old.project_id, 'number', old.number, 'title', old.title));
  end if;
  return null;
end;
$$;

create or replace function private.log_comment_activity()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.log_activity(new.workspace_id, 'comment', new.id, 'created', jsonb_build_object('task_id', new.task_id));
  elsif tg_op = 'UPDATE' then
    if new.deleted_at is distinct from old.deleted_at then
      if not (new.deleted_with_parent or old.deleted_with_parent) then
        perform private.log_activity(new.workspace_id, 'comment', new.id,
          case when new.deleted_at is null then 'restored' else 'deleted' end, jsonb_build_object('task_id', new.task_id));
      end if;
    elsif new.body is distinct from old.body then
      perform private.log_activity(new.workspace_id, 'comment', new.id, 'edited', jsonb_build_object('task_id', new.task_id));
    end if;
  elsif exists (select 1 from public.tasks as t where t.id = old.task_id) then
    perform private.log_activity(old.workspace_id, 'comment', old.id, 'purged', jsonb_build_object('task_id', old.task_id));
  end if;
  return null;
end;
$$;

-- Plan limits count live, unarchived projects; restoring one is like unarchiving it. As in
-- 20250102100000_permission_first.sql otherwise.
create or replace function private.enforce_project_limit()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  max_projects integer;
  active_projects integer;
begin
  if tg_op = 'INSERT' then
    new.key := upper(btrim(new.key));
    if not private.caller_may(new.workspace_id, 'projects.create') then
      return new;
    end if;
  elsif new.key is distinct from old.key then
    new.key := upper(btrim(new.key));
  end if;

  -- Only a project becoming active (created, unarchived or restored) can go over the limit.
  if new.archived or new.deleted_at is not null
     or (tg_op = 'UPDATE' and not old.archived and old.deleted_at is null) then
    return new;
  end if;

  select p.max_projects into max_projects
  from public.workspaces as w
  join public.plans as p on p.id = w.plan
  where w.id = new.workspace_id
  for no key update of w;

  if max_projects is null then
    return new;
  end if;

  select count(*) into active_projects
  from public.projects as pr
  where pr.workspace_id = new.workspace_id
    and not pr.archived
    and pr.deleted_at is null
    and pr.id <> new.id;

  if active_projects >= max_projects then
    raise exception using
      errcode = 'PT402',
      message = 'plan_limit_reached',
      detail = json_build_object('limit', 'projects',
        'max', private.count_for_members(new.workspace_id, max_projects),
        'current', private.count_for_members(new.workspace_id, active_projects))::text,
      hint = 'Upgrade the workspace plan or archive a project.';
  end if;

  return new;
end;
$$;

drop trigger projects_enforce_limit on public.projects;
create trigger projects_enforce_limit
  before insert or update of key, archived, deleted_at on public.projects
  for each row execute function private.enforce_project_limit();

-- As in 20250102100000_permission_first.sql; a project in the trash is project_not_found.
create or replace function private.prepare_task()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  project_workspace_id uuid;
  project_archived boolean;
begin
  select p.workspace_id into project_workspace_id
  from public.projects as p
  where p.id = new.project_id
    and p.workspace_id = coalesce(new.workspace_id, p.workspace_id)
    and p.deleted_at is null;

  if project_workspace_id is null
     or not (private.caller_may(project_workspace_id, 'tasks.create')
             or private.caller_may(project_workspace_id, 'projects.read')) then
    raise exception using errcode = 'PT404', message = 'project_not_found';
  end if;
  new.workspace_id := project_workspace_id;
  if not private.caller_may(project_workspace_id, 'tasks.create') then
    return new;
  end if;

  update public.projects as p
  set next_task_number = p.next_task_number + 1
  where p.id = new.project_id
  returning p.next_task_number - 1, p.archived
  into new.number, project_archived;

  if project_archived then
    raise exception using errcode = 'PT409', message = 'project_archived',
      detail = 'Unarchive the project before adding tasks.';
  end if;

  if new.position = 'infinity' then
    select coalesce(max(t.position), 0) + 1024 into new.position
    from public.tasks as t
    where t.project_id = new.project_id
      and t.workspace_id = new.workspace_id
      and t.status = new.status;
  end if;

  return new;
end;
$$;

-- As in 20250102100000_permission_first.sql; a task in the trash is task_not_found.
create or replace function private.task_workspace_for(task_id uuid, permission text)
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  found_workspace_id uuid;
begin
  select t.workspace_id into found_workspace_id
  from public.tasks as t
  where t.id = task_workspace_for.task_id and t.deleted_at is null;
  if found_workspace_id is null
     or not (private.caller_may(found_workspace_id, task_workspace_for.permission)
             or private.caller_may(found_workspace_id, 'tasks.read')) then
    raise exception using errcode = 'PT404', message = 'task_not_found';
  end if;
  return found_workspace_id;
end;
$$;

create or replace function private.prepare_comment()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    -- A given workspace_id is checked by RLS and the composite foreign key instead.
    if new.workspace_id is null then
      new.workspace_id := private.task_workspace_for(new.task_id, 'comments.create');
    else
      perform private.refuse_task_in_trash(new.task_id, new.workspace_id, 'comments.create');
    end if;
  elsif new.body is distinct from old.body then
    new.edited_at := now();
  end if;
  return new;
end;
$$;

create or replace function private.prepare_task_label()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.workspace_id is null then
    new.workspace_id := private.task_workspace_for(new.task_id, 'tasks.update');
  else
    perform private.refuse_task_in_trash(new.task_id, new.workspace_id, 'tasks.update');
  end if;
  return new;
end;
$$;

-- ---------------------------------------------------------------------------
-- policies
-- ---------------------------------------------------------------------------
-- Restrictive: they narrow every permissive SELECT policy (and so UPDATE and DELETE, which
-- read the rows they change) without restating them.

create policy "Projects in the trash are hidden from reads"
  on public.projects as restrictive for select
  to authenticated
  using (deleted_at is null);

create policy "Tasks in the trash are hidden from reads"
  on public.tasks as restrictive for select
  to authenticated
  using (deleted_at is null);

create policy "Comments in the trash are hidden from reads"
  on public.comments as restrictive for select
  to authenticated
  using (deleted_at is null);

create policy "Notifications about things in the trash are hidden"
  on public.notifications as restrictive for select
  to authenticated
  using (private.notification_is_live(task_id, comment_id));

create policy "Attachment records of tasks in the trash are hidden"
  on public.attachments as restrictive for select
  to authenticated
  using (private.task_is_live(task_id));

create policy "Attachments of tasks in the trash are hidden"
  on storage.objects as restrictive for select
  to authenticated
  using (bucket_id <> 'attachments' or private.is_attachment_path(name));

-- ---------------------------------------------------------------------------
-- API functions
-- ---------------------------------------------------------------------------

-- Every trash RPC asks for permission before it says anything: a row the caller may not read
-- (or that does not exist) is <kind>_not_found, one they may read but not delete is forbidden.

create or replace function private.require_caller()
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if (select auth.uid()) is null and (select auth.role()) is distinct from 'service_role' then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
end;
$$;

revoke execute on function private.require_caller() from public;

create or replace function private.move_to_trash(kind text, id uuid)
returns public.trash_entry
language plpgsql
security definer
set search_path = ''
as $$
declare
  target record;
begin
  perform private.require_caller();
  select * into target from private.trash_target(move_to_trash.kind, move_to_trash.id);
  if target.workspace_id is null or not private.caller_may(target.workspace_id, kind || 's.read') then
    perform private.raise_trash_not_found(kind);
  end if;
  if not private.may_trash(kind, target.workspace_id, target.author_id) then
    raise exception using errcode = '42501', message = 'forbidden',
      detail = case kind when 'comment' then 'Deleting someone else''s comment needs comments.delete.'
        else format('Moving a %s to the trash needs %ss.delete.', kind, kind) end;
  end if;
  -- Already in the trash: nothing to do, and saying so is harmless.
  if target.deleted_at is null then
    perform private.put_in_trash(kind, move_to_trash.id);
  end if;
  return private.trash_entry_of(kind, move_to_trash.id);
end;
$$;

create or replace function private.restore_from_trash(kind text, id uuid)
returns public.trash_entry
language plpgsql
security definer
set search_path = ''
as $$
declare
  target record;
begin
  perform private.require_caller();
  select * into target from private.trash_target(restore_from_trash.kind, restore_from_trash.id);
  -- Past the retention a row is as good as purged (the job takes it within the hour).
  if target.workspace_id is null
     or not private.caller_may(target.workspace_id, kind || 's.read')
     or target.deleted_at < now() - private.trash_retention() then
    perform private.raise_trash_not_found(kind);
  end if;
  if not private.may_trash(kind, target.workspace_id, target.author_id) then
    raise exception using errcode = '42501', message = 'forbidden',
      detail = case kind when 'comment' then 'Restoring someone else''s comment needs comments.delete.'
        else format('Restoring a %s needs %ss.delete.', kind, kind) end;
  end if;
  if target.deleted_at is null then
    return private.trash_entry_of(kind, restore_from_trash.id);
  end if;
  if target.parent_in_trash then
    if kind = 'task' then
      raise exception using errcode = 'PT409', message = 'project_in_trash',
        detail = 'The task''s project is in the trash: restore the project first.';
    end if;
    raise exception using errcode = 'PT409', message = 'task_in_trash',
      detail = 'The comment''s task is in the trash: restore the task first.';
  end if;
  perform private.take_out_of_trash(kind, restore_from_trash.id);
  return private.trash_entry_of(kind, restore_from_trash.id);
end;
$$;

create or replace function private.delete_permanently(kind text, id uuid)
returns public.trash_entry
language plpgsql
security definer
set search_path = ''
as $$
declare
  target record;
  entry public.trash_entry;
begin
  perform private.require_caller();
  select * into target from private.trash_target(delete_permanently.kind, delete_permanently.id);
  if target.workspace_id is null or not private.caller_may(target.workspace_id, kind || 's.read') then
    perform private.raise_trash_not_found(kind);
  end if;
  if not private.caller_may(target.workspace_id, 'trash.purge') then
    raise exception using errcode = '42501', message = 'forbidden',
      detail = 'Deleting permanently needs trash.purge.';
  end if;
  entry := private.trash_entry_of(kind, delete_permanently.id);
  -- As the owner of the tables: a real delete, with the children the foreign keys cascade to.
  if kind = 'project' then
    delete from public.projects as p where p.id = delete_permanently.id;
  elsif kind = 'task' then
    delete from public.tasks as t where t.id = delete_permanently.id;
  else
    delete from public.comments as c where c.id = delete_permanently.id;
  end if;
  return entry;
end;
$$;

create or replace function private.list_trash(workspace_id uuid)
returns setof public.trash_entry
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  cutoff timestamptz := now() - private.trash_retention();
begin
  perform private.require_caller();
  if (select auth.uid()) is not null and not private.is_member(list_trash.workspace_id) then
    raise exception using errcode = 'PT404', message = 'workspace_not_found';
  end if;
  return query
  select entries.*
  from (
    select 'project'::text, p.id, p.workspace_id, p.id, null::uuid, p.name, p.deleted_at, p.deleted_by,
      p.deleted_at + private.trash_retention()
    from public.projects as p
    where p.workspace_id = list_trash.workspace_id and p.deleted_at > cutoff
      and private.may_see_in_trash('project', p.workspace_id, null)
    union all
    select 'task'::text, t.id, t.workspace_id, t.project_id, t.id, t.title, t.deleted_at, t.deleted_by,
      t.deleted_at + private.trash_retention()
    from public.tasks as t
    where t.workspace_id = list_trash.workspace_id and t.deleted_at > cutoff and not t.deleted_with_parent
      and private.may_see_in_trash('task', t.workspace_id, null)
    union all
    select 'comment'::text, c.id, c.workspace_id, t.project_id, c.task_id, left(c.body, 200), c.deleted_at, c.deleted_by,
      c.deleted_at + private.trash_retention()
    from public.comments as c
    join public.tasks as t on t.id = c.task_id
    where c.workspace_id = list_trash.workspace_id and c.deleted_at > cutoff and not c.deleted_with_parent
      and private.may_see_in_trash('comment', c.workspace_id, c.author_id)
  ) as entries (kind, id, workspace_id, project_id, task_id, title, deleted_at, deleted_by, purge_after)
  order by entries.deleted_at desc, entries.id;
end;
$$;

create or replace function private.empty_trash(workspace_id uuid)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  purged integer;
  total integer := 0;
begin
  perform private.require_caller();
  if (select auth.uid()) is not null and not private.is_member(empty_trash.workspace_id) then
    raise exception using errcode = 'PT404', message = 'workspace_not_found';
  end if;
  if not private.caller_may(empty_trash.workspace_id, 'trash.purge') then
    raise exception using errcode = '42501', message = 'forbidden', detail = 'Emptying the trash needs trash.purge.';
  end if;
  delete from public.comments as c where c.workspace_id = empty_trash.workspace_id and c.deleted_at is not null;
  get diagnostics purged = row_count;
  total := total + purged;
  delete from public.tasks as t where t.workspace_id = empty_trash.workspace_id and t.deleted_at is not null;
  get diagnostics purged = row_count;
  total := total + purged;
  delete from public.projects as p where p.workspace_id = empty_trash.workspace_id and p.deleted_at is not null;
  get diagnostics purged = row_count;
  return total + purged;
end;
$$;

revoke execute on function private.move_to_trash(text, uuid) from public;
revoke execute on function private.restore_from_trash(text, uuid) from public;
revoke execute on function private.delete_permanently(text, uuid) from public;
revoke execute on function private.list_trash(uuid) from public;
revoke execute on function private.empty_trash(uuid) from public;
grant execute on function private.move_to_trash(text, uuid) to authenticated, service_role;
grant execute on function private.restore_from_trash(text, uuid) to authenticated, service_role;
grant execute on function private.delete_permanently(text, uuid) to authenticated, service_role;
grant execute on function private.list_trash(uuid) to authenticated, service_role;
grant execute on function private.empty_trash(uuid) to authenticated, service_role;

create or replace function public.move_to_trash(kind text, id uuid)
returns public.trash_entry
language sql
security invoker
set search_path = ''
as $$
  select * from private.move_to_trash(kind, id);
$$;

create or replace function public.restore_from_trash(kind text, id uuid)
returns public.trash_entry
language sql
security invoker
set search_path = ''
as $$
  select * from private.restore_from_trash(kind, id);
$$;

create or replace function public.delete_permanently(kind text, id uuid)
returns public.trash_entry
language sql
security invoker
set search_path = ''
as $$
  select * from private.delete_permanently(kind, id);
$$;

create or replace function public.list_trash(workspace_id uuid)
returns setof public.trash_entry
language sql
stable
security invoker
set search_path = ''
as $$
  select * from private.list_trash(workspace_id);
$$;

create or replace function public.empty_trash(workspace_id uuid)
returns integer
language sql
security invoker
set search_path = ''
as $$
  select private.empty_trash(workspace_id);
$$;

comment on function public.move_to_trash(text, uuid) is
  'Moves a project (with its tasks), task (with its comments) or comment to the trash.';
comment on function public.restore_from_trash(text, uuid) is
  'Brings a project, task or comment back from the trash within 30 days, with what went there with it.';
comment on function public.delete_permanently(text, uuid) is
  'Deletes a project, task or comment for good, in the trash or not (trash.purge).';
comment on function public.list_trash(uuid) is
  'What is in a workspace''s trash that you may restore or purge, most recently deleted first.';
comment on function public.empty_trash(uuid) is
  'Deletes everything in a workspace''s trash for good (trash.purge); answers how many rows went.';

revoke execute on function public.move_to_trash(text, uuid) from public, anon;
revoke execute on function public.restore_from_trash(text, uuid) from public, anon;
revoke execute on function public.delete_permanently(text, uuid) from public, anon;
revoke execute on function public.list_trash(uuid) from public, anon;
revoke execute on function public.empty_trash(uuid) from public, anon;
grant execute on function public.move_to_trash(text, uuid) to authenticated, service_role;
grant execute on function public.restore_from_trash(text, uuid) to authenticated, service_role;
grant execute on function public.delete_permanently(text, uuid) to authenticated, service_role;
grant execute on function public.list_trash(uuid) to authenticated, service_role;
grant execute on function public.empty_trash(uuid) to authenticated, service_role;

-- search_tasks runs as the caller, so RLS hides the trash; the service role bypasses RLS, so
-- the function says it too.
create or replace function public.search_tasks(workspace_id uuid, query text, max_results integer default 50)
returns setof public.tasks
language sql
stable
security invoker
set search_path = ''
as $$
  select t.*
  from public.tasks as t,
    websearch_to_tsquery('english'::regconfig, search_tasks.query) as q
  where t.workspace_id = search_tasks.workspace_id
    and t.deleted_at is null
    and t.search_vector @@ q
  order by ts_rank_cd(t.search_vector, q) desc, t.updated_at desc, t.id
  limit least(greatest(coalesce(search_tasks.max_results, 50), 1), 200);
$$;

-- As in 20250103000000_seats.sql; `projects` counts live, unarchived ones (as the plan does).
create or replace function private.workspace_usage(workspace_id uuid)
returns table (
  plan text,
  members integer,
  pending_invitations integer,
  projects integer,
  max_members integer,
  max_projects integer,
  storage_limit_bytes bigint
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  -- Back-office tools call this with the service role key.
  is_service_role boolean := (select auth.role()) = 'service_role';
  member_count integer;
begin
  if (select auth.uid()) is null and not is_service_role then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
  if not is_service_role and not private.is_member(workspace_usage.workspace_id) then
    raise exception using errcode = 'PT404', message = 'workspace_not_found';
  end if;

  select count(*)::integer into member_count
  from public.workspace_members as m
  where m.workspace_id = workspace_usage.workspace_id;

  return query
  select
    p.id,
    member_count,
    private.workspace_seats_used(w.id) - member_count,
    (
      select count(*)::integer
      from public.projects as pr
      where pr.workspace_id = w.id and not pr.archived and pr.deleted_at is null
    ),
    p.max_members,
    p.max_projects,
    p.storage_limit_bytes
  from public.workspaces as w
  join public.plans as p on p.id = w.plan
  where w.id = workspace_usage.workspace_id;

  if not found then
    raise exception using errcode = 'PT404', message = 'workspace_not_found';
  end if;
end;
$$;

-- ---------------------------------------------------------------------------
-- schedules
-- ---------------------------------------------------------------------------

-- pg_cron is enabled by 20250102300000_audit_retention_schedule.sql. Hourly, so nothing stays
-- in the trash much longer than its 30 days; scheduling by name replaces the job on re-apply.
select cron.schedule('purge-trash', '41 * * * *', 'select private.purge_trash()');
