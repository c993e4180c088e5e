-- Notifications and the realtime channels of Groundwork.
--
-- A notification is one row per recipient, written by triggers:
--   task_assigned  a task is assigned to you (on insert, or when the assignee changes)
--   comment_added  a comment lands on a task you're assigned to or created
--   mentioned      a comment mentions you as <@your-user-id> (on insert, and on edits
--                  that add the mention)
-- Nobody is notified of their own action, and one comment notifies each person once
-- (a mention wins over comment_added). Only members of the task's workspace are
-- notified; leaving a workspace drops your notifications from it.
--
-- Recipients read their notifications and mark them read (read_at); nobody else sees
-- them and nobody writes them directly. notifications, tasks and comments stream over
-- Realtime (supabase_realtime publication); RLS decides who receives a change.
--
-- Private Realtime channels "project:<project id>" (presence of who is viewing a board,
-- and broadcasts) are open to members of the project's workspace.

-- ---------------------------------------------------------------------------
-- types
-- ---------------------------------------------------------------------------

create type public.notification_type as enum ('task_assigned', 'comment_added', 'mentioned');

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

create table public.notifications (
  id uuid primary key default gen_random_uuid(),
  recipient_id uuid not null references public.profiles (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  type public.notification_type not null,
  task_id uuid not null,
  comment_id uuid references public.comments (id) on delete cascade,
  -- Who caused it; null for the service role or a deleted account.
  actor_id uuid references public.profiles (id) on delete set null,
  read_at timestamptz,
  created_at timestamptz not null default now(),
  constraint notifications_task_fkey foreign key (task_id, workspace_id)
    references public.tasks (id, workspace_id) on delete cascade,
  constraint notifications_comment_type check ((type = 'task_assigned') = (comment_id is null))
);

-- The inbox: newest first, and the unread badge.
create index notifications_recipient_created_idx on public.notifications (recipient_id, created_at desc);
create index notifications_recipient_unread_idx on public.notifications (recipient_id) where read_at is null;
create index notifications_task_idx on public.notifications (task_id, workspace_id);
create index notifications_comment_idx on public.notifications (comment_id);
create index notifications_actor_idx on public.notifications (actor_id);
create index notifications_workspace_recipient_idx on public.notifications (workspace_id, recipient_id);

alter table public.notifications enable row level security;

revoke all on table public.notifications from anon, authenticated;
grant select on table public.notifications to authenticated;
grant update (read_at) on table public.notifications to authenticated;
grant all on table public.notifications to service_role;

alter publication supabase_realtime add table public.notifications;

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

-- Writes notifications for the given recipients, skipping the actor and anyone who
-- is not (or no longer) a member of the workspace.
create or replace function private.notify(
  recipients uuid[],
  workspace_id uuid,
  type public.notification_type,
  task_id uuid,
  comment_id uuid default null
)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.notifications (recipient_id, workspace_id, type, task_id, comment_id, actor_id)
  select distinct m.user_id, notify.workspace_id, notify.type, notify.task_id, notify.comment_id,
    (select auth.uid())
  from unnest(notify.recipients) as r (user_id)
  join public.workspace_members as m
    on m.user_id = r.user_id and m.workspace_id = notify.workspace_id
  where r.user_id is distinct from (select auth.uid());
$$;

-- The users a comment body mentions as <@uuid>.
create or replace function private.mentioned_user_ids(body text)
returns uuid[]
language sql
immutable
set search_path = ''
as $$
  select coalesce(array_agg(distinct lower(m[1])::uuid), '{}'::uuid[])
  from regexp_matches(
    coalesce(body, ''),
    '<@([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})>',
    'gi'
  ) as m;
$$;

-- Whether the caller may use the private Realtime channel "project:<id>": members of
-- the project's workspace. A topic that isn't a project channel is simply "no".
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
    join public.workspace_members as m on m.workspace_id = p.workspace_id
    where p.id = channel_project_id
      and m.user_id = (select auth.uid())
  );
end;
$$;

revoke execute on function private.notify(uuid[], uuid, public.notification_type, uuid, uuid) from public;
revoke execute on function private.mentioned_user_ids(text) from public;
revoke execute on function private.can_use_project_channel(text) from public;
grant execute on function private.can_use_project_channel(text) to authenticated;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

create or replace function private.notify_task_assignment()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.assignee_id is not null
     and (tg_op = 'INSERT' or new.assignee_id is distinct from old.assignee_id) then
    perform private.notify(array[new.assignee_id], new.workspace_id, 'task_assigned', new.id);
  end if;
  return null;
end;
$$;

create or replace function private.notify_comment()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  mentioned uuid[] := private.mentioned_user_ids(new.body);
  task_people uuid[];
begin
  if tg_op = 'UPDATE' then
    -- Edits notify only people newly mentioned.
    mentioned := array(
      select unnest(mentioned)
      except
      select unnest(private.mentioned_user_ids(old.body))
    );
    perform private.notify(mentioned, new.workspace_id, 'mentioned', new.task_id, new.id);
    return null;
  end if;

  perform private.notify(mentioned, new.workspace_id, 'mentioned', new.task_id, new.id);
  select array_remove(array[t.assignee_id, t.created_by], null) into task_people
  from public.tasks as t
  where t.id = new.task_id and t.workspace_id = new.workspace_id;
  perform private.notify(
    array(select unnest(task_people) except select unnest(mentioned)),
    new.workspace_id, 'comment_added', new.task_id, new.id
  );
  return null;
end;
$$;

-- Leaving (or being removed from) a workspace drops your notifications from it.
create or replace function private.drop_notifications_of_former_member()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from public.notifications as n
  where n.workspace_id = old.workspace_id and n.recipient_id = old.user_id;
  return null;
end;
$$;

revoke execute on function private.notify_task_assignment() from public;
revoke execute on function private.notify_comment() from public;
revoke execute on function private.drop_notifications_of_former_member() from public;

create trigger tasks_notify_assignment
  after insert or update of assignee_id on public.tasks
  for each row execute function private.notify_task_assignment();

create trigger comments_notify
  after insert or update of body on public.comments
  for each row execute function private.notify_comment();

create trigger workspace_members_drop_notifications
  after delete on public.workspace_members
  for each row execute function private.drop_notifications_of_former_member();

-- ---------------------------------------------------------------------------
-- policies
-- ---------------------------------------------------------------------------

create policy "Recipients can read their notifications"
  on public.notifications for select
  to authenticated
  using (recipient_id = (select auth.uid()));

create policy "Recipients can mark their notifications read"
  on public.notifications for update
  to authenticated
  using (recipient_id = (select auth.uid()))
  with check (recipient_id = (select auth.uid()));

create policy "Members can receive on their projects' channels"
  on realtime.messages for select
  to authenticated
  using (
    extension in ('broadcast', 'presence')
    and (select private.can_use_project_channel(realtime.topic()))
  );

create policy "Members can send on their projects' channels"
  on realtime.messages for insert
  to authenticated
  with check (
    extension in ('broadcast', 'presence')
    and (select private.can_use_project_channel(realtime.topic()))
  );

-- ---------------------------------------------------------------------------
-- API functions
-- ---------------------------------------------------------------------------

-- Marks the caller's notifications read: the given ones, or all when ids is null.
-- Returns how many changed. Runs as the caller, so RLS keeps it to their own rows.
create or replace function public.mark_notifications_read(ids uuid[] default null)
returns integer
language plpgsql
security invoker
set search_path = ''
as $$
declare
  changed integer;
begin
  if (select auth.uid()) is null then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
  update public.notifications as n
  set read_at = now()
  where n.recipient_id = (select auth.uid())
    and n.read_at is null
    and (ids is null or n.id = any (ids));
  get diagnostics changed = row_count;
  return changed;
end;
$$;

revoke execute on function public.mark_notifications_read(uuid[]) from public, anon;
grant execute on function public.mark_notifications_read(uuid[]) to authenticated;
