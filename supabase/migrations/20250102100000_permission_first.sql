-- Permission first: no trigger reveals anything about a workspace to someone who may not see it.
--
-- BEFORE triggers run with elevated rights before RLS checks the new row, so the insert
-- triggers of the earlier migrations answered outsiders with real state: 409 already_member
-- or invitation_pending for someone else's workspace, plan-limit errors carrying its member,
-- project and storage counts, project_not_found versus forbidden, project_archived. Each is
-- redefined here to ask for the caller's permission before it looks at anything:
--
--   - a caller without the write permission gets exactly what RLS answers for a row of a
--     workspace that does not exist (the trigger steps aside and RLS refuses the row), or,
--     where the parent decides (a task's project, a comment's task), the parent's not-found
--     error unless they may read that parent;
--   - plan-limit details carry counts only for members (and the service role): an invitee
--     whose acceptance hits the seat limit learns which limit, with `max` and `current` null.
--
-- Same behaviour as before for everyone allowed to write. The service role (no auth.uid())
-- passes every permission check, as it bypasses RLS.

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

-- A count in a `plan_limit_reached` DETAIL: shown to members and the service role, null
-- (the same keys, no numbers) for anyone else.
create or replace function private.count_for_members(workspace_id uuid, value bigint)
returns bigint
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if (select auth.uid()) is not null and not private.is_member(count_for_members.workspace_id) then
    return null;
  end if;
  return value;
end;
$$;

revoke execute on function private.count_for_members(uuid, bigint) from public;

-- Whether an insert trigger may look at the target workspace for this caller: the service
-- role always, a user when they hold the permission the insert needs.
create or replace function private.caller_may(workspace_id uuid, permission text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (select auth.uid()) is null or private.has_permission(caller_may.workspace_id, caller_may.permission);
end;
$$;

revoke execute on function private.caller_may(uuid, text) from public;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

create or replace function private.prepare_invitation()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  max_members integer;
  seats_taken integer;
begin
  new.email := lower(btrim(new.email));
  if not private.caller_may(new.workspace_id, 'members.invite') then
    -- RLS refuses the row next, as for a workspace that does not exist.
    return new;
  end if;

  select p.max_members into max_members
  from public.workspaces as w
  join public.plans as p on p.id = w.plan
  where w.id = new.workspace_id
  for no key update of w;

  if exists (
    select 1
    from public.workspace_members as m
    join auth.users as u on u.id = m.user_id
    where m.workspace_id = new.workspace_id
      and lower(u.email) = new.email
  ) then
    raise exception using errcode = 'PT409', message = 'already_member',
      detail = format('%s is already a member of this workspace.', new.email);
  end if;

  -- An expired invitation no longer blocks inviting the same address again.
  update public.invitations as i
  set revoked_at = now()
  where i.workspace_id = new.workspace_id
    and i.email = new.email
    and i.accepted_at is null
    and i.revoked_at is null
    and i.expires_at <= now();

  if exists (
    select 1
    from public.invitations as i
    where i.workspace_id = new.workspace_id
      and i.email = new.email
      and i.accepted_at is null
      and i.revoked_at is null
  ) then
    raise exception using errcode = 'PT409', message = 'invitation_pending',
      detail = format('%s already has an open invitation.', new.email),
      hint = 'Revoke the open invitation before sending a new one.';
  end if;

  if max_members is not null then
    select
      (select count(*) from public.workspace_members as m where m.workspace_id = new.workspace_id)
      + (
        select count(*)
        from public.invitations as i
        where i.workspace_id = new.workspace_id
          and i.accepted_at is null
          and i.revoked_at is null
          and i.expires_at > now()
      )
    into seats_taken;

    if seats_taken >= max_members then
      raise exception using
        errcode = 'PT402',
        message = 'plan_limit_reached',
        detail = json_build_object('limit', 'members',
          'max', private.count_for_members(new.workspace_id, max_members),
          'current', private.count_for_members(new.workspace_id, seats_taken))::text,
        hint = 'Upgrade the workspace plan or revoke open invitations.';
    end if;
  end if;

  return new;
end;
$$;

-- Members are inserted by the service role and by RPCs (accept_invitation), never through
-- RLS; what changes is only who sees the counts.
create or replace function private.enforce_member_limit()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  max_members integer;
  current_members integer;
begin
  select p.max_members into max_members
  from public.workspaces as w
  join public.plans as p on p.id = w.plan
  where w.id = new.workspace_id
  for no key update of w;

  if max_members is null then
    return new;
  end if;

  select count(*) into current_members
  from public.workspace_members as m
  where m.workspace_id = new.workspace_id;

  if current_members >= max_members then
    raise exception using
      errcode = 'PT402',
      message = 'plan_limit_reached',
      detail = json_build_object('limit', 'members',
        'max', private.count_for_members(new.workspace_id, max_members),
        'current', private.count_for_members(new.workspace_id, current_members))::text,
      hint = 'Upgrade the workspace plan to add more members.';
  end if;

  return new;
end;
$$;

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
      detail = json_build_object('limit', 'projects',
        'max', private.count_for_members(new.workspace_id, max_projects),
        'current', private.count_for_members(new.workspace_id, active_projects))::text,
      hint = 'Upgrade the workspace plan or archive a project.';
  end if;

  return new;
end;
$$;

-- A project the caller cannot read answers project_not_found, whether it exists or not;
-- one they can read but not add tasks to is refused by RLS (forbidden). Only those who may
-- add tasks learn that it is archived, and only their insert takes a number.
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
    and p.workspace_id = coalesce(new.workspace_id, p.workspace_id);

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

-- The workspace of a comment or task label left out by the client comes from its task, but
-- only for callers who may read that task; for anyone else it is task_not_found, as for a
-- task that does not exist.
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
  select t.workspace_id into found_workspace_id from public.tasks as t where t.id = task_workspace_for.task_id;
  if found_workspace_id is null
     or not (private.caller_may(found_workspace_id, task_workspace_for.permission)
             or private.caller_may(found_workspace_id, 'tasks.read')) then
    raise exception using errcode = 'PT404', message = 'task_not_found';
  end if;
  return found_workspace_id;
end;
$$;

revoke execute on function private.task_workspace_for(uuid, text) from public;

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
  end if;
  return new;
end;
$$;

-- The quota is checked only for callers who may put files into that workspace; for anyone
-- else RLS refuses the object next, whatever size they announce.
create or replace function private.enforce_storage_quota()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  target_workspace uuid := private.uuid_or_null((storage.foldername(new.name))[1]);
  new_size bigint := coalesce((new.metadata ->> 'size')::bigint, 0);
  max_bytes bigint;
  used_bytes bigint;
begin
  if new.bucket_id <> 'attachments' or target_workspace is null or new_size = 0 then
    return new;
  end if;
  if not (private.caller_may(target_workspace, 'attachments.create')
          or private.caller_may(target_workspace, 'attachments.delete')) then
    return new;
  end if;

  select p.storage_limit_bytes into max_bytes
  from public.workspaces as w
  join public.plans as p on p.id = w.plan
  where w.id = target_workspace
  for no key update of w;

  if max_bytes is null then
    return new;
  end if;

  select coalesce(sum(a.size_bytes), 0) into used_bytes
  from public.attachments as a
  where a.workspace_id = target_workspace
    and a.object_id <> new.id
    and a.object_path <> new.name;

  if used_bytes + new_size > max_bytes then
    raise exception using
      errcode = '42501',
      message = 'plan_limit_reached',
      detail = json_build_object('limit', 'storage',
        'max', private.count_for_members(target_workspace, max_bytes),
        'current', private.count_for_members(target_workspace, used_bytes),
        'requested', new_size)::text,
      hint = 'Upgrade the workspace plan or delete attachments to free space.';
  end if;

  return new;
end;
$$;
