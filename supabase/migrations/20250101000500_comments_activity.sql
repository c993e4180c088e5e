-- Comments on tasks, and the append-only activity log written by triggers.
-- Error messages follow the contract at the top of 20250101000000_setup.sql.

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

create table public.comments (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  task_id uuid not null,
  -- Null once the author's account is gone; the comment stays.
  author_id uuid default auth.uid() references public.profiles (id) on delete set null,
  body text not null check (char_length(btrim(body)) between 1 and 10000),
  edited_at timestamptz,
  created_at timestamptz not null default now(),
  constraint comments_task_fkey foreign key (task_id, workspace_id)
    references public.tasks (id, workspace_id) on delete cascade
);

create index comments_task_idx on public.comments (task_id, workspace_id, created_at);
create index comments_author_idx on public.comments (author_id);
-- RLS filters on workspace_id.
create index comments_workspace_idx on public.comments (workspace_id);

-- Who did what to which entity. entity_id is deliberately not a foreign key:
-- the log keeps describing things after they are deleted.
create table public.activity (
  id bigint generated always as identity primary key,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  actor_id uuid,
  entity_type text not null check (entity_type in ('workspace', 'member', 'invitation', 'project', 'task', 'comment')),
  entity_id uuid not null,
  action text not null check (action ~ '^[a-z_]{1,40}$'),
  payload jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);

create index activity_workspace_created_idx on public.activity (workspace_id, created_at desc);
create index activity_entity_idx on public.activity (entity_id);

alter table public.comments enable row level security;
alter table public.activity enable row level security;

revoke all on table public.comments, public.activity from anon, authenticated;
grant select, delete on table public.comments to authenticated;
grant insert (id, workspace_id, task_id, body) on table public.comments to authenticated;
grant update (body) on table public.comments to authenticated;
grant all on table public.comments to service_role;

-- Append-only: only the security definer triggers below write the log, so
-- no API role (not even the service role) may insert, update or delete it.
grant select on table public.activity to authenticated, service_role;
revoke insert, update, delete, truncate on table public.activity from service_role;

alter table public.comments replica identity full;
alter publication supabase_realtime add table public.comments;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

create or replace function private.prepare_comment()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    -- A given workspace_id is checked by the composite foreign key instead.
    if new.workspace_id is null then
      select t.workspace_id into new.workspace_id from public.tasks as t where t.id = new.task_id;
      if not found then
        raise exception using errcode = 'PT404', message = 'task_not_found';
      end if;
    end if;
  elsif new.body is distinct from old.body then
    new.edited_at := now();
  end if;
  return new;
end;
$$;

revoke execute on function private.prepare_comment() from public;

create trigger comments_prepare
  before insert or update on public.comments
  for each row execute function private.prepare_comment();

-- Writes one activity row. Skipped when the workspace is already gone, which
-- happens while a workspace delete cascades through its children.
create or replace function private.log_activity(
  workspace_id uuid,
  entity_type text,
  entity_id uuid,
  action text,
  payload jsonb default '{}'::jsonb
)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.activity (workspace_id, actor_id, entity_type, entity_id, action, payload)
  select log_activity.workspace_id, (select auth.uid()), log_activity.entity_type,
    log_activity.entity_id, log_activity.action, log_activity.payload
  where exists (select 1 from public.workspaces as w where w.id = log_activity.workspace_id);
$$;

revoke execute on function private.log_activity(uuid, text, uuid, text, jsonb) from public;

create or replace function private.log_workspace_activity()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.log_activity(new.id, 'workspace', new.id, 'created', jsonb_build_object('name', new.name));
  elsif new.name is distinct from old.name or new.slug is distinct from old.slug then
    perform private.log_activity(new.id, 'workspace', new.id, 'updated',
      jsonb_build_object('name', new.name, 'slug', new.slug));
  elsif new.plan is distinct from old.plan then
    perform private.log_activity(new.id, 'workspace', new.id, 'plan_changed',
      jsonb_build_object('from', old.plan, 'to', new.plan));
  end if;
  return null;
end;
$$;

create or replace function private.log_member_activity()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.log_activity(new.workspace_id, 'member', new.user_id, 'joined', jsonb_build_object('role', new.role));
  elsif tg_op = 'UPDATE' then
    if new.role is distinct from old.role then
      perform private.log_activity(new.workspace_id, 'member', new.user_id, 'role_changed',
        jsonb_build_object('from', old.role, 'to', new.role));
    end if;
  else
    perform private.log_activity(old.workspace_id, 'member', old.user_id,
      case when old.user_id = (select auth.uid()) then 'left' else 'removed' end,
      jsonb_build_object('role', old.role));
  end if;
  return null;
end;
$$;

create or replace function private.log_invitation_activity()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.log_activity(new.workspace_id, 'invitation', new.id, 'created',
      jsonb_build_object('email', new.email, 'role', new.role));
  elsif new.accepted_at is not null and old.accepted_at is null then
    perform private.log_activity(new.workspace_id, 'invitation', new.id, 'accepted',
      jsonb_build_object('email', new.email, 'role', new.role));
  elsif new.revoked_at is not null and old.revoked_at is null then
    perform private.log_activity(new.workspace_id, 'invitation', new.id,
      case when old.expires_at <= now() then 'expired' else 'revoked' end,
      jsonb_build_object('email', new.email));
  end if;
  return null;
end;
$$;

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
    if new.archived is distinct from old.archived then
      perform private.log_activity(new.workspace_id, 'project', new.id,
        case when new.archived then 'archived' else 'unarchived' end, '{}'::jsonb);
    end if;
    if new.name is distinct from old.name or new.key is distinct from old.key then
      perform private.log_activity(new.workspace_id, 'project', new.id, 'updated',
        jsonb_build_object('name', new.name, 'key', new.key));
    end if;
  else
    perform private.log_activity(old.workspace_id, 'project', old.id, 'deleted',
      jsonb_build_object('name', old.name, 'key', old.key));
  end if;
  return null;
end;
$$;

-- Position-only updates (reordering) are not logged: they are frequent and
-- carry no meaning for the team.
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
    perform private.log_activity(old.workspace_id, 'task', old.id, 'deleted',
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
    if new.body is distinct from old.body then
      perform private.log_activity(new.workspace_id, 'comment', new.id, 'edited', jsonb_build_object('task_id', new.task_id));
    end if;
  elsif exists (select 1 from public.tasks as t where t.id = old.task_id) then
    perform private.log_activity(old.workspace_id, 'comment', old.id, 'deleted', jsonb_build_object('task_id', old.task_id));
  end if;
  return null;
end;
$$;

revoke execute on function private.log_workspace_activity() from public;
revoke execute on function private.log_member_activity() from public;
revoke execute on function private.log_invitation_activity() from public;
revoke execute on function private.log_project_activity() from public;
revoke execute on function private.log_task_activity() from public;
revoke execute on function private.log_comment_activity() from public;

create trigger workspaces_log_activity
  after insert or update on public.workspaces
  for each row execute function private.log_workspace_activity();

create trigger workspace_members_log_activity
  after insert or update or delete on public.workspace_members
  for each row execute function private.log_member_activity();

create trigger invitations_log_activity
  after insert or update on public.invitations
  for each row execute function private.log_invitation_activity();

create trigger projects_log_activity
  after insert or update or delete on public.projects
  for each row execute function private.log_project_activity();

create trigger tasks_log_activity
  after insert or update or delete on public.tasks
  for each row execute function private.log_task_activity();

create trigger comments_log_activity
  after insert or update or delete on public.comments
  for each row execute function private.log_comment_activity();

-- ---------------------------------------------------------------------------
-- policies
-- ---------------------------------------------------------------------------

create policy "Members can read comments of their workspaces"
  on public.comments for select
  to authenticated
  using (workspace_id = any ((select private.current_user_workspace_ids())::uuid[]));

create policy "Members can comment in their workspaces as themselves"
  on public.comments for insert
  to authenticated
  with check (
    workspace_id = any ((select private.current_user_workspace_ids('member'))::uuid[])
    and author_id = (select auth.uid())
  );

create policy "Members can edit their own comments"
  on public.comments for update
  to authenticated
  using (
    author_id = (select auth.uid())
    and workspace_id = any ((select private.current_user_workspace_ids('member'))::uuid[])
  )
  with check (
    author_id = (select auth.uid())
    and workspace_id = any ((select private.current_user_workspace_ids('member'))::uuid[])
  );

create policy "Members can delete their own comments and admins any comment"
  on public.comments for delete
  to authenticated
  using (
    (
      author_id = (select auth.uid())
      and workspace_id = any ((select private.current_user_workspace_ids('member'))::uuid[])
    )
    or workspace_id = any ((select private.current_user_workspace_ids('admin'))::uuid[])
  );

create policy "Members can read the activity of their workspaces"
  on public.activity for select
  to authenticated
  using (workspace_id = any ((select private.current_user_workspace_ids())::uuid[]));
