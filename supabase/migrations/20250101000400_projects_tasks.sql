-- Projects, tasks and labels.
-- Every child row carries its workspace_id and points at its parent through a
-- composite foreign key (parent_id, workspace_id) → parent (id, workspace_id),
-- so no column can reference another tenant's rows, whoever writes them.
-- Error messages follow the contract at the top of 20250101000000_setup.sql.

-- ---------------------------------------------------------------------------
-- types
-- ---------------------------------------------------------------------------

create type public.task_status as enum ('todo', 'in_progress', 'done', 'canceled');
create type public.task_priority as enum ('none', 'low', 'medium', 'high', 'urgent');

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

create table public.projects (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  -- Short prefix of task keys (ENG-42); stored upper-cased by the insert trigger.
  key text not null check (key ~ '^[A-Z][A-Z0-9]{1,9}$'),
  description text not null default '' check (char_length(description) <= 10000),
  archived boolean not null default false,
  -- Next per-project task number; advanced only by the task insert trigger.
  next_task_number integer not null default 1,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint projects_workspace_key_key unique (workspace_id, key),
  constraint projects_id_workspace_key unique (id, workspace_id)
);

create table public.tasks (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  project_id uuid not null,
  -- Assigned by the insert trigger; the default only tells clients (and generated
  -- types) that they don't supply it.
  number integer not null default 0 check (number > 0),
  title text not null check (char_length(btrim(title)) between 1 and 500),
  description text not null default '' check (char_length(description) <= 50000),
  status public.task_status not null default 'todo',
  priority public.task_priority not null default 'none',
  assignee_id uuid,
  due_date date,
  -- Manual order within a status column (ascending). The default 'infinity'
  -- means "append": the insert trigger replaces it with a real position.
  position double precision not null default 'infinity',
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  search_vector tsvector generated always as (
    setweight(to_tsvector('english'::regconfig, title), 'A')
    || setweight(to_tsvector('english'::regconfig, description), 'B')
  ) stored,
  constraint tasks_project_number_key unique (project_id, number),
  constraint tasks_id_workspace_key unique (id, workspace_id),
  constraint tasks_position_finite check (position > '-infinity' and position < 'infinity'),
  constraint tasks_project_fkey foreign key (project_id, workspace_id)
    references public.projects (id, workspace_id) on delete cascade,
  -- Only members of the task's workspace can be assignees; a member who
  -- leaves is unassigned.
  constraint tasks_assignee_fkey foreign key (assignee_id, workspace_id)
    references public.workspace_members (user_id, workspace_id) on delete set null (assignee_id),
  -- Implied by the key above; declared so the API can embed the assignee:
  -- tasks?select=*,assignee:profiles(display_name).
  constraint tasks_assignee_profile_fkey foreign key (assignee_id)
    references public.profiles (id) on delete set null
);

-- Board reads (one project's column in order) and the project foreign key.
-- A project has a single workspace, so this orders like (project, status, position).
create index tasks_project_board_idx on public.tasks (project_id, workspace_id, status, position);
create index tasks_assignee_idx on public.tasks (assignee_id, workspace_id);
create index tasks_workspace_updated_idx on public.tasks (workspace_id, updated_at desc);
create index tasks_search_idx on public.tasks using gin (search_vector);

create table public.labels (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 50),
  color text not null default '#6b7280' check (color ~ '^#[0-9a-fA-F]{6}$'),
  created_at timestamptz not null default now(),
  constraint labels_id_workspace_key unique (id, workspace_id)
);

create unique index labels_workspace_name_key on public.labels (workspace_id, lower(name));

create table public.task_labels (
  task_id uuid not null,
  workspace_id uuid not null,
  label_id uuid not null,
  -- workspace_id sits in the key so the key also indexes the task foreign key.
  primary key (task_id, workspace_id, label_id),
  constraint task_labels_task_fkey foreign key (task_id, workspace_id)
    references public.tasks (id, workspace_id) on delete cascade,
  constraint task_labels_label_fkey foreign key (label_id, workspace_id)
    references public.labels (id, workspace_id) on delete cascade
);

create index task_labels_label_idx on public.task_labels (label_id, workspace_id);
-- RLS filters on workspace_id.
create index task_labels_workspace_idx on public.task_labels (workspace_id);

alter table public.projects enable row level security;
alter table public.tasks enable row level security;
alter table public.labels enable row level security;
alter table public.task_labels enable row level security;

revoke all on table public.projects, public.tasks, public.labels, public.task_labels from anon, authenticated;
grant select, delete on table public.projects to authenticated;
grant insert (id, workspace_id, name, key, description, archived) on table public.projects to authenticated;
grant update (name, key, description, archived) on table public.projects to authenticated;
grant select, delete on table public.tasks to authenticated;
grant insert (id, workspace_id, project_id, title, description, status, priority, assignee_id, due_date, position)
  on table public.tasks to authenticated;
grant update (title, description, status, priority, assignee_id, due_date, position) on table public.tasks to authenticated;
grant select, delete on table public.labels to authenticated;
grant insert (id, workspace_id, name, color) on table public.labels to authenticated;
grant update (name, color) on table public.labels to authenticated;
grant select, delete on table public.task_labels to authenticated;
grant insert (task_id, workspace_id, label_id) on table public.task_labels to authenticated;
grant all on table public.projects, public.tasks, public.labels, public.task_labels to service_role;

-- Board changes stream to clients. Full replica identity lets Realtime filter
-- and authorize DELETE events by project and workspace, not only by id.
alter table public.tasks replica identity full;
alter publication supabase_realtime add table public.tasks;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

create trigger projects_set_updated_at
  before update on public.projects
  for each row execute function private.set_updated_at();

create trigger tasks_set_updated_at
  before update on public.tasks
  for each row execute function private.set_updated_at();

-- Active (unarchived) projects count against the plan, checked under a lock
-- on the workspace row so concurrent creations cannot overshoot.
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
  elsif new.key is distinct from old.key then
    new.key := upper(btrim(new.key));
  end if;

  if new.archived or (tg_op = 'UPDATE' and not old.archived) then
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
    and pr.id <> new.id;

  if active_projects >= max_projects then
    raise exception using
      errcode = 'PT402',
      message = 'plan_limit_reached',
      detail = json_build_object('limit', 'projects', 'max', max_projects, 'current', active_projects)::text,
      hint = 'Upgrade the workspace plan or archive a project.';
  end if;

  return new;
end;
$$;

revoke execute on function private.enforce_project_limit() from public;

create trigger projects_enforce_limit
  before insert or update of key, archived on public.projects
  for each row execute function private.enforce_project_limit();

-- Fills in the workspace from the project when the client leaves it out (a
-- given one is checked by the composite foreign key), takes the next
-- per-project number and places the task at the end of its column. The
-- counter row lock makes numbering gap-free under concurrency (a rolled-back
-- insert gives its number back).
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
  update public.projects as p
  set next_task_number = p.next_task_number + 1
  where p.id = new.project_id
    and p.workspace_id = coalesce(new.workspace_id, p.workspace_id)
  returning p.workspace_id, p.next_task_number - 1, p.archived
  into project_workspace_id, new.number, project_archived;

  if not found then
    raise exception using errcode = 'PT404', message = 'project_not_found';
  end if;
  new.workspace_id := project_workspace_id;
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

revoke execute on function private.prepare_task() from public;

create trigger tasks_prepare
  before insert on public.tasks
  for each row execute function private.prepare_task();

create or replace function private.prepare_task_label()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.workspace_id is null then
    select t.workspace_id into new.workspace_id from public.tasks as t where t.id = new.task_id;
    if not found then
      raise exception using errcode = 'PT404', message = 'task_not_found';
    end if;
  end if;
  return new;
end;
$$;

revoke execute on function private.prepare_task_label() from public;

create trigger task_labels_prepare
  before insert on public.task_labels
  for each row execute function private.prepare_task_label();

-- ---------------------------------------------------------------------------
-- policies
-- ---------------------------------------------------------------------------

create policy "Members can read projects of their workspaces"
  on public.projects for select
  to authenticated
  using (workspace_id = any ((select private.current_user_workspace_ids())::uuid[]));

create policy "Admins can create projects in their workspaces"
  on public.projects for insert
  to authenticated
  with check (workspace_id = any ((select private.current_user_workspace_ids('admin'))::uuid[]));

create policy "Admins can update projects of their workspaces"
  on public.projects for update
  to authenticated
  using (workspace_id = any ((select private.current_user_workspace_ids('admin'))::uuid[]))
  with check (workspace_id = any ((select private.current_user_workspace_ids('admin'))::uuid[]));

create policy "Admins can delete projects of their workspaces"
  on public.projects for delete
  to authenticated
  using (workspace_id = any ((select private.current_user_workspace_ids('admin'))::uuid[]));

create policy "Members can read tasks of their workspaces"
  on public.tasks for select
  to authenticated
  using (workspace_id = any ((select private.current_user_workspace_ids())::uuid[]));

create policy "Members can create tasks in their workspaces"
  on public.tasks for insert
  to authenticated
  with check (workspace_id = any ((select private.current_user_workspace_ids('member'))::uuid[]));

create policy "Members can update tasks of their workspaces"
  on public.tasks for update
  to authenticated
  using (workspace_id = any ((select private.current_user_workspace_ids('member'))::uuid[]))
  with check (workspace_id = any ((select private.current_user_workspace_ids('member'))::uuid[]));

create policy "Members can delete tasks of their workspaces"
  on public.tasks for delete
  to authenticated
  using (workspace_id = any ((select private.current_user_workspace_ids('member'))::uuid[]));

create policy "Members can read labels of their workspaces"
  on public.labels for select
  to authenticated
  using (workspace_id = any ((select private.current_user_workspace_ids())::uuid[]));

create policy "Members can create labels in their workspaces"
  on public.labels for insert
  to authenticated
  with check (workspace_id = any ((select private.current_user_workspace_ids('member'))::uuid[]));

create policy "Members can update labels of their workspaces"
  on public.labels for update
  to authenticated
  using (workspace_id = any ((select private.current_user_workspace_ids('member'))::uuid[]))
  with check (workspace_id = any ((select private.current_user_workspace_ids('member'))::uuid[]));

create policy "Members can delete labels of their workspaces"
  on public.labels for delete
  to authenticated
  using (workspace_id = any ((select private.current_user_workspace_ids('member'))::uuid[]));

create policy "Members can read task labels of their workspaces"
  on public.task_labels for select
  to authenticated
  using (workspace_id = any ((select private.current_user_workspace_ids())::uuid[]));

create policy "Members can label tasks of their workspaces"
  on public.task_labels for insert
  to authenticated
  with check (workspace_id = any ((select private.current_user_workspace_ids('member'))::uuid[]));

create policy "Members can unlabel tasks of their workspaces"
  on public.task_labels for delete
  to authenticated
  using (workspace_id = any ((select private.current_user_workspace_ids('member'))::uuid[]));

-- ---------------------------------------------------------------------------
-- API functions
-- ---------------------------------------------------------------------------

-- Computed field: `select=*,key` on tasks returns e.g. "ENG-42". Derived rather
-- than stored so renaming a project's key renames its tasks' keys.
create or replace function public.key(task public.tasks)
returns text
language sql
stable
security invoker
set search_path = ''
as $$
  select p.key || '-' || task.number
  from public.projects as p
  where p.id = task.project_id;
$$;

comment on function public.key(public.tasks) is 'The task''s human key, <project key>-<number>.';

-- Moves a task to a status column and/or between two neighbours in one call.
-- Runs as the caller, so RLS decides what may be read and written. Positions
-- are halved between neighbours; when doubles run out of room the column is
-- renumbered with wide gaps and the move retried.
create or replace function public.move_task(
  task_id uuid,
  status public.task_status default null,
  after_task_id uuid default null,
  before_task_id uuid default null
)
returns public.tasks
language plpgsql
security invoker
set search_path = ''
as $$
declare
  moving public.tasks;
  target_status public.task_status;
  lower_bound double precision;
  upper_bound double precision;
  new_position double precision;
  renumbered boolean := false;
begin
  if (select auth.uid()) is null then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;

  select * into moving from public.tasks as t where t.id = move_task.task_id;
  if not found then
    raise exception using errcode = 'PT404', message = 'task_not_found';
  end if;
  if not private.has_role(moving.workspace_id, 'member') then
    raise exception using errcode = '42501', message = 'forbidden', detail = 'Viewers cannot move tasks.';
  end if;
  if after_task_id = moving.id or before_task_id = moving.id then
    raise exception using errcode = '22023', message = 'invalid_move', detail = 'A task cannot be its own neighbour.';
  end if;

  target_status := coalesce(move_task.status, moving.status);

  loop
    lower_bound := null;
    upper_bound := null;

    if after_task_id is not null then
      select t.position into lower_bound
      from public.tasks as t
      where t.id = after_task_id and t.project_id = moving.project_id and t.status = target_status;
      if not found then
        raise exception using errcode = '22023', message = 'invalid_move',
          detail = 'after_task_id is not in the target column.';
      end if;
    end if;

    if before_task_id is not null then
      select t.position into upper_bound
      from public.tasks as t
      where t.id = before_task_id and t.project_id = moving.project_id and t.status = target_status;
      if not found then
        raise exception using errcode = '22023', message = 'invalid_move',
          detail = 'before_task_id is not in the target column.';
      end if;
    end if;

    if after_task_id is null and before_task_id is null then
      -- No neighbours given: append to the column.
      select max(t.position) into lower_bound
      from public.tasks as t
      where t.project_id = moving.project_id and t.status = target_status and t.id <> moving.id;
    elsif before_task_id is null then
      select min(t.position) into upper_bound
      from public.tasks as t
      where t.project_id = moving.project_id and t.status = target_status
        and t.id <> moving.id and t.position > lower_bound;
    elsif after_task_id is null then
      select max(t.position) into lower_bound
      from public.tasks as t
      where t.project_id = moving.project_id and t.status = target_status
        and t.id <> moving.id and t.position < upper_bound;
    elsif lower_bound > upper_bound then
      raise exception using errcode = '22023', message = 'invalid_move',
        detail = 'after_task_id must come before before_task_id.';
    end if;

    new_position := case
      when lower_bound is null and upper_bound is null then 1024
      when lower_bound is null then upper_bound - 1024
      when upper_bound is null then lower_bound + 1024
      else lower_bound + (upper_bound - lower_bound) / 2
    end;

    exit when (lower_bound is null or new_position > lower_bound)
      and (upper_bound is null or new_position < upper_bound);

    if renumbered then
      raise exception using errcode = '22023', message = 'invalid_move', detail = 'No room between the neighbours.';
    end if;

    with ordered as (
      select t.id, row_number() over (order by t.position, t.created_at, t.id) as rn
      from public.tasks as t
      where t.project_id = moving.project_id and t.status = target_status and t.id <> moving.id
    )
    update public.tasks as t
    set position = ordered.rn * 1024
    from ordered
    where t.id = ordered.id;
    renumbered := true;
  end loop;

  update public.tasks as t
  set status = target_status, position = new_position
  where t.id = moving.id
  returning * into moving;

  return moving;
end;
$$;

comment on function public.move_task(uuid, public.task_status, uuid, uuid) is
  'Moves a task into a status column (default: its own) between after_task_id and before_task_id; with neither, to the end.';

-- Ranked full-text search over task titles (weighted higher) and descriptions,
-- within one workspace and through RLS. Accepts web-search syntax
-- ("quoted phrases", -exclusions, or).
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
    and t.search_vector @@ q
  order by ts_rank_cd(t.search_vector, q) desc, t.updated_at desc, t.id
  limit least(greatest(coalesce(search_tasks.max_results, 50), 1), 200);
$$;

comment on function public.search_tasks(uuid, text, integer) is
  'Full-text search over tasks of a workspace, best matches first (at most 200).';

revoke execute on function public.key(public.tasks) from public, anon;
revoke execute on function public.move_task(uuid, public.task_status, uuid, uuid) from public, anon;
revoke execute on function public.search_tasks(uuid, text, integer) from public, anon;
grant execute on function public.key(public.tasks) to authenticated, service_role;
grant execute on function public.move_task(uuid, public.task_status, uuid, uuid) to authenticated, service_role;
grant execute on function public.search_tasks(uuid, text, integer) to authenticated, service_role;
