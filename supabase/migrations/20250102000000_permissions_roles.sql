-- Permissions and roles. Every rule about who may do what in a workspace is a permission
-- named `resource.action` from one fixed catalogue; a role is a named set of them. The four
-- built-in roles (viewer, member, admin, owner) are such sets, shared by every workspace; a
-- workspace may add custom roles of its own. Policies and RPCs ask for a permission, never
-- for a role, and look it up in the database on every request, so changing someone's role
-- or removing them takes effect on their very next request (a JWT claim would go stale).
--
-- Membership alone lets you read the workspace, its members and its roles. Everything else
-- needs a permission. The owner role stays special: it holds every permission, including
-- the owner-only ones no custom role may hold, and a workspace always keeps an owner.
--
-- Nobody grants more than they hold: a role may be given, and a custom role written, only
-- by someone whose own permissions include all of that role's (owners: owners.manage).
--
-- Error messages follow the contract at the top of 20250101000000_setup.sql; this migration
-- adds role_not_found (PT404), role_in_use (PT409), role_builtin (PT409) and
-- invalid_permission (22023).

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

create table public.permissions (
  id text primary key check (id ~ '^[a-z_]+\.[a-z_]+$'),
  description text not null,
  -- Held only by the owner role; no custom role may include it.
  owner_only boolean not null default false,
  -- Permissions a role holding this one always holds too: writing a row through the API
  -- needs reading it (Postgres applies SELECT policies to UPDATE, DELETE and RETURNING).
  implies text[] not null default '{}'
);

comment on table public.permissions is 'The fixed catalogue of permissions (resource.action) roles are made of.';

insert into public.permissions (id, description, owner_only) values
  ('workspace.update', 'Rename the workspace (name and slug)', false),
  ('workspace.delete', 'Delete the workspace and everything in it', true),
  ('owners.manage', 'Make and unmake owners, transfer ownership, remove an owner', true),
  ('members.invite', 'Read, send, resend, revoke and change invitations and invite links', false),
  ('members.manage', 'Change the role of members and remove them (never beyond one''s own permissions)', false),
  ('roles.manage', 'Create, edit and delete custom roles (never beyond one''s own permissions)', false),
  ('domains.manage', 'Verify email domains and choose how people with such addresses join', false),
  ('audit.read', 'Read and export the audit log', false),
  ('activity.read', 'Read the activity feed', false),
  ('webhooks.manage', 'Manage outbound webhook endpoints and read their deliveries', false),
  ('api_keys.manage', 'Create, list and revoke workspace API keys', false),
  ('billing.manage', 'Manage the subscription, seats and billing details', false),
  ('projects.read', 'Read projects and use their realtime channels', false),
  ('projects.create', 'Create projects', false),
  ('projects.update', 'Rename projects, change their key and description', false),
  ('projects.archive', 'Archive and unarchive projects', false),
  ('projects.delete', 'Move projects to the trash and restore them', false),
  ('tasks.read', 'Read tasks and their labels', false),
  ('tasks.create', 'Create tasks', false),
  ('tasks.update', 'Edit, move, assign and label tasks', false),
  ('tasks.delete', 'Move tasks to the trash and restore them', false),
  ('comments.read', 'Read comments', false),
  ('comments.create', 'Write comments, and edit, delete and restore one''s own', false),
  ('comments.delete', 'Delete and restore anyone''s comments', false),
  ('labels.read', 'Read labels', false),
  ('labels.create', 'Create labels', false),
  ('labels.update', 'Rename and recolour labels', false),
  ('labels.delete', 'Delete labels', false),
  ('attachments.read', 'Download and list attachments', false),
  ('attachments.create', 'Upload attachments, and replace and delete one''s own', false),
  ('attachments.delete', 'Replace and delete anyone''s attachments', false),
  ('trash.purge', 'Delete projects, tasks and comments permanently, skipping or emptying the trash', false);

update public.permissions as p
set implies = array[split_part(p.id, '.', 1) || '.read']
where split_part(p.id, '.', 1) in ('projects', 'tasks', 'comments', 'labels', 'attachments')
  and split_part(p.id, '.', 2) <> 'read';

create table public.roles (
  id uuid primary key default gen_random_uuid(),
  -- null for the built-in roles, which every workspace shares.
  workspace_id uuid references public.workspaces (id) on delete cascade,
  builtin public.workspace_role,
  name text not null check (char_length(btrim(name)) between 1 and 60),
  description text not null default '' check (char_length(description) <= 500),
  -- Kept sorted and free of duplicates by the roles trigger.
  permissions text[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint roles_builtin_key unique (builtin),
  constraint roles_builtin_shared check ((workspace_id is null) = (builtin is not null)),
  constraint roles_custom_name_not_builtin
    check (builtin is not null or lower(btrim(name)) not in ('owner', 'admin', 'member', 'viewer'))
);

comment on table public.roles is
  'Named permission sets: the four built-in roles (workspace_id null) and custom roles of a workspace.';

create unique index roles_workspace_name_key on public.roles (workspace_id, lower(name));

-- Fixed ids, so the built-in roles are the same rows in every database.
insert into public.roles (id, builtin, name, description, permissions) values
  ('00000000-0000-4000-8000-0000000000a1', 'viewer', 'Viewer', 'Reads everything in the workspace',
    array['activity.read', 'attachments.read', 'comments.read', 'labels.read', 'projects.read', 'tasks.read']),
  ('00000000-0000-4000-8000-0000000000a2', 'member', 'Member', 'Works on tasks, labels, comments and attachments',
    array['activity.read', 'attachments.create', 'attachments.read', 'comments.create', 'comments.read',
      'labels.create', 'labels.delete', 'labels.read', 'labels.update', 'projects.read',
      'tasks.create', 'tasks.delete', 'tasks.read', 'tasks.update']),
  ('00000000-0000-4000-8000-0000000000a3', 'admin', 'Admin', 'Runs the workspace, except what only owners do',
    array['activity.read', 'api_keys.manage', 'attachments.create', 'attachments.delete', 'attachments.read',
      'audit.read', 'billing.manage', 'comments.create', 'comments.delete', 'comments.read',
      'domains.manage', 'labels.create', 'labels.delete', 'labels.read', 'labels.update',
      'members.invite', 'members.manage', 'projects.archive', 'projects.create', 'projects.delete',
      'projects.read', 'projects.update', 'roles.manage', 'tasks.create', 'tasks.delete', 'tasks.read',
      'tasks.update', 'trash.purge', 'webhooks.manage', 'workspace.update']),
  ('00000000-0000-4000-8000-0000000000a4', 'owner', 'Owner', 'Holds every permission; a workspace always keeps one',
    (select array_agg(p.id order by p.id) from public.permissions as p));

-- The member's role is role_id. `role` stays as it was for built-in roles (so existing
-- clients that read or write it keep working) and is null for a custom role.
alter table public.workspace_members add column role_id uuid references public.roles (id);
update public.workspace_members as m
set role_id = r.id
from public.roles as r
where r.builtin = m.role;
alter table public.workspace_members alter column role_id set not null;
alter table public.workspace_members alter column role drop not null;
alter table public.workspace_members alter column role drop default;

create index workspace_members_role_id_idx on public.workspace_members (role_id);

comment on column public.workspace_members.role is
  'The built-in role (viewer, member, admin, owner), or null when the member holds a custom role (role_id).';

alter table public.permissions enable row level security;
alter table public.roles enable row level security;

-- The catalogue changes only with a migration (the service role included: hosted's default
-- privileges give it every table in public).
revoke all on table public.permissions from anon, authenticated, service_role;
revoke all on table public.roles from anon, authenticated;
grant select on table public.permissions to authenticated, service_role;
grant select, delete on table public.roles to authenticated;
grant insert (id, workspace_id, name, description, permissions) on table public.roles to authenticated;
grant update (name, description, permissions) on table public.roles to authenticated;
grant all on table public.roles to service_role;
grant update (role_id) on table public.workspace_members to authenticated;

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

-- Policies wrap these in `(select ...)` so Postgres evaluates them once per statement
-- (an initPlan); the per-row test is then `workspace_id = any(array)`. PL/pgSQL keeps their
-- plans per connection (see 20250101300000_rls_helpers_cached_plans.sql).

-- The workspaces the caller holds `permission` in: the set form of has_permission.
create or replace function private.permitted_workspace_ids(permission text)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(m.workspace_id), '{}'::uuid[])
    from public.workspace_members as m
    join public.roles as r on r.id = m.role_id
    where m.user_id = (select auth.uid())
      and permitted_workspace_ids.permission = any (r.permissions)
  );
end;
$$;

-- The workspaces the caller belongs to, whatever their role.
create or replace function private.member_workspace_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(m.workspace_id), '{}'::uuid[])
    from public.workspace_members as m
    where m.user_id = (select auth.uid())
  );
end;
$$;

create or replace function private.has_permission(workspace_id uuid, permission text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return exists (
    select 1
    from public.workspace_members as m
    join public.roles as r on r.id = m.role_id
    where m.workspace_id = has_permission.workspace_id
      and m.user_id = (select auth.uid())
      and has_permission.permission = any (r.permissions)
  );
end;
$$;

-- The caller's permissions in a workspace (empty when not a member).
create or replace function private.my_permissions(workspace_id uuid)
returns text[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return coalesce((
    select r.permissions
    from public.workspace_members as m
    join public.roles as r on r.id = m.role_id
    where m.workspace_id = my_permissions.workspace_id
      and m.user_id = (select auth.uid())
  ), '{}'::text[]);
end;
$$;

-- Whether the caller may give (or take away) the role `role_id` in the workspace: the
-- owner role needs owners.manage, any other role needs all of its permissions.
create or replace function private.can_assign_role(workspace_id uuid, role_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  target public.roles;
begin
  select * into target
  from public.roles as r
  where r.id = can_assign_role.role_id
    and (r.workspace_id is null or r.workspace_id = can_assign_role.workspace_id);
  if not found then
    return false;
  end if;
  if target.builtin = 'owner' then
    return private.has_permission(can_assign_role.workspace_id, 'owners.manage');
  end if;
  return target.permissions <@ private.my_permissions(can_assign_role.workspace_id);
end;
$$;

create or replace function private.holds_permissions(workspace_id uuid, permissions text[])
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return holds_permissions.permissions <@ private.my_permissions(holds_permissions.workspace_id);
end;
$$;

create or replace function private.builtin_role_id(role public.workspace_role)
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (select r.id from public.roles as r where r.builtin = builtin_role_id.role);
end;
$$;

revoke execute on function private.permitted_workspace_ids(text) from public;
revoke execute on function private.member_workspace_ids() from public;
revoke execute on function private.has_permission(uuid, text) from public;
revoke execute on function private.my_permissions(uuid) from public;
revoke execute on function private.can_assign_role(uuid, uuid) from public;
revoke execute on function private.holds_permissions(uuid, text[]) from public;
revoke execute on function private.builtin_role_id(public.workspace_role) from public;
grant execute on function private.permitted_workspace_ids(text) to authenticated, service_role;
grant execute on function private.member_workspace_ids() to authenticated, service_role;
grant execute on function private.has_permission(uuid, text) to authenticated, service_role;
grant execute on function private.my_permissions(uuid) to authenticated, service_role;
grant execute on function private.can_assign_role(uuid, uuid) to authenticated, service_role;
grant execute on function private.holds_permissions(uuid, text[]) to authenticated, service_role;
grant execute on function private.builtin_role_id(public.workspace_role) to authenticated, service_role;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

create trigger roles_set_updated_at
  before update on public.roles
  for each row execute function private.set_updated_at();

-- Built-in roles are fixed for the API (migrations may still change them); a custom role's
-- permissions must come from the catalogue and never be owner-only, and it holds what they
-- imply. Security invoker on
-- purpose: current_user is then the API role making the change (a migration runs as the
-- table owner, and so do the cascades of a workspace delete).
create or replace function private.prepare_role()
returns trigger
language plpgsql
security invoker
set search_path = ''
as $$
declare
  bad text;
begin
  if current_user in ('anon', 'authenticated', 'service_role')
     and (case when tg_op = 'DELETE' then old.builtin else coalesce(new.builtin, old.builtin) end) is not null then
    raise exception using errcode = 'PT409', message = 'role_builtin',
      detail = 'Built-in roles cannot be changed; create a custom role instead.';
  end if;

  if tg_op = 'DELETE' then
    -- While a workspace delete cascades, its members go too.
    if exists (select 1 from public.workspace_members as m where m.role_id = old.id)
       and exists (select 1 from public.workspaces as w where w.id = old.workspace_id) then
      raise exception using errcode = 'PT409', message = 'role_in_use',
        detail = 'Give its members another role first.';
    end if;
    return old;
  end if;

  if new.builtin is null then
    select p into bad
    from unnest(new.permissions) as p
    where not exists (select 1 from public.permissions as c where c.id = p and not c.owner_only)
    limit 1;
    if bad is not null then
      raise exception using errcode = '22023', message = 'invalid_permission',
        detail = format('%s is not a permission a custom role can hold.', bad);
    end if;
  end if;
  new.name := btrim(new.name);
  new.permissions := array(
    select distinct p
    from (
      select unnest(new.permissions) as p
      union all
      select unnest(c.implies) from public.permissions as c where c.id = any (new.permissions)
    ) as held
    order by p
  );
  return new;
end;
$$;

revoke execute on function private.prepare_role() from public;

create trigger roles_prepare
  before insert or update or delete on public.roles
  for each row execute function private.prepare_role();

-- Keeps `role` and role_id in step, whichever a client writes. Its name sorts before the
-- other BEFORE triggers of workspace_members (they fire in name order), so the limit and
-- last-owner checks see the final role.
create or replace function private.derive_member_role()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  chosen public.roles;
begin
  if tg_op = 'INSERT' then
    new.role_id := coalesce(new.role_id, private.builtin_role_id(coalesce(new.role, 'member')));
  elsif new.role_id is not distinct from old.role_id and new.role is distinct from old.role then
    if new.role is null then
      raise exception using errcode = '22023', message = 'invalid_input',
        detail = 'Set role_id to give someone a custom role.';
    end if;
    new.role_id := private.builtin_role_id(new.role);
  end if;

  select * into chosen
  from public.roles as r
  where r.id = new.role_id
    and (r.workspace_id is null or r.workspace_id = new.workspace_id);
  if not found then
    raise exception using errcode = 'PT404', message = 'role_not_found';
  end if;
  if new.role is distinct from chosen.builtin
     and (tg_op = 'INSERT' and new.role is not null or tg_op = 'UPDATE' and new.role is distinct from old.role) then
    raise exception using errcode = '22023', message = 'invalid_input',
      detail = 'role and role_id name different roles.';
  end if;
  new.role := chosen.builtin;
  return new;
end;
$$;

revoke execute on function private.derive_member_role() from public;

create trigger workspace_members_derive_role
  before insert or update of role, role_id on public.workspace_members
  for each row execute function private.derive_member_role();

-- The last-owner rule of 20250101000200_workspaces.sql, now also for role_id changes and
-- for members holding a custom role (whose `role` is null).
create or replace function private.protect_last_owner()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.role is distinct from 'owner' or (tg_op = 'UPDATE' and new.role is not distinct from 'owner') then
    return case when tg_op = 'DELETE' then old else new end;
  end if;

  perform 1 from public.workspaces as w where w.id = old.workspace_id for no key update;
  if not found then
    return old;
  end if;

  if exists (
    select 1
    from public.workspace_members as m
    where m.workspace_id = old.workspace_id
      and m.role = 'owner'
      and m.user_id <> old.user_id
  ) then
    return case when tg_op = 'DELETE' then old else new end;
  end if;

  if tg_op = 'DELETE' and not exists (select 1 from public.profiles as p where p.id = old.user_id) then
    -- The owner's account is being deleted: the most senior remaining member (built-in
    -- role rank, custom roles last, then longest membership) becomes owner.
    update public.workspace_members as m
    set role = 'owner'
    where m.workspace_id = old.workspace_id
      and m.user_id = (
        select s.user_id
        from public.workspace_members as s
        where s.workspace_id = old.workspace_id and s.user_id <> old.user_id
        order by s.role desc nulls last, s.created_at, s.user_id
        limit 1
      );
    return old;
  end if;

  raise exception using
    errcode = 'PT409',
    message = 'last_owner',
    detail = 'A workspace must keep at least one owner.',
    hint = 'Transfer ownership to another member first.';
end;
$$;

drop trigger workspace_members_protect_last_owner on public.workspace_members;
create trigger workspace_members_protect_last_owner
  before update of role, role_id or delete on public.workspace_members
  for each row execute function private.protect_last_owner();

-- Renaming a project and archiving it are different permissions; a policy cannot tell
-- which columns an UPDATE changes, so this trigger does.
create or replace function private.check_project_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if (select auth.uid()) is null then
    return new;
  end if;
  if (new.name, new.key, new.description) is distinct from (old.name, old.key, old.description)
     and not private.has_permission(new.workspace_id, 'projects.update') then
    raise exception using errcode = '42501', message = 'forbidden',
      detail = 'Renaming a project needs projects.update.';
  end if;
  if new.archived is distinct from old.archived
     and not private.has_permission(new.workspace_id, 'projects.archive') then
    raise exception using errcode = '42501', message = 'forbidden',
      detail = 'Archiving a project needs projects.archive.';
  end if;
  return new;
end;
$$;

revoke execute on function private.check_project_update() from public;

create trigger projects_check_update
  before update on public.projects
  for each row execute function private.check_project_update();

-- Role changes of custom roles are logged too (role stays null for them), with role names.
create or replace function private.log_member_activity()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.log_activity(new.workspace_id, 'member', new.user_id, 'joined',
      jsonb_build_object('role', (select coalesce(r.builtin::text, r.name) from public.roles as r where r.id = new.role_id)));
  elsif tg_op = 'UPDATE' then
    if new.role_id is distinct from old.role_id then
      perform private.log_activity(new.workspace_id, 'member', new.user_id, 'role_changed',
        jsonb_build_object(
          'from', (select coalesce(r.builtin::text, r.name) from public.roles as r where r.id = old.role_id),
          'to', (select coalesce(r.builtin::text, r.name) from public.roles as r where r.id = new.role_id)
        ));
    end if;
  else
    perform private.log_activity(old.workspace_id, 'member', old.user_id,
      case when old.user_id = (select auth.uid()) then 'left' else 'removed' end,
      jsonb_build_object('role', (select coalesce(r.builtin::text, r.name) from public.roles as r where r.id = old.role_id)));
  end if;
  return null;
end;
$$;

-- Private Realtime channels "project:<id>": for those who may read the project.
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
      and private.has_permission(p.workspace_id, 'projects.read')
  );
end;
$$;

-- ---------------------------------------------------------------------------
-- policies
-- ---------------------------------------------------------------------------
-- Every policy of the earlier migrations is replaced by one that asks for a permission.

create policy "Signed-in users can read the permission catalogue"
  on public.permissions for select
  to authenticated
  using (true);

create policy "Members can read the built-in roles and the roles of their workspaces"
  on public.roles for select
  to authenticated
  using (workspace_id is null or workspace_id = any ((select private.member_workspace_ids())::uuid[]));

create policy "Role managers can create roles within their own permissions"
  on public.roles for insert
  to authenticated
  with check (
    workspace_id = any ((select private.permitted_workspace_ids('roles.manage'))::uuid[])
    and private.holds_permissions(workspace_id, permissions)
  );

create policy "Role managers can edit roles within their own permissions"
  on public.roles for update
  to authenticated
  using (
    workspace_id = any ((select private.permitted_workspace_ids('roles.manage'))::uuid[])
    and private.holds_permissions(workspace_id, permissions)
  )
  with check (
    workspace_id = any ((select private.permitted_workspace_ids('roles.manage'))::uuid[])
    and private.holds_permissions(workspace_id, permissions)
  );

create policy "Role managers can delete roles within their own permissions"
  on public.roles for delete
  to authenticated
  using (
    workspace_id = any ((select private.permitted_workspace_ids('roles.manage'))::uuid[])
    and private.holds_permissions(workspace_id, permissions)
  );

-- workspaces
drop policy "Members can read their workspaces" on public.workspaces;
drop policy "Admins can rename their workspaces" on public.workspaces;
drop policy "Owners can delete their workspaces" on public.workspaces;

create policy "Members can read their workspaces"
  on public.workspaces for select
  to authenticated
  using (id = any ((select private.member_workspace_ids())::uuid[]));

create policy "Holders of workspace.update can rename the workspace"
  on public.workspaces for update
  to authenticated
  using (id = any ((select private.permitted_workspace_ids('workspace.update'))::uuid[]))
  with check (id = any ((select private.permitted_workspace_ids('workspace.update'))::uuid[]));

create policy "Holders of workspace.delete can delete the workspace"
  on public.workspaces for delete
  to authenticated
  using (id = any ((select private.permitted_workspace_ids('workspace.delete'))::uuid[]));

-- workspace_members
drop policy "Members can read the members of their workspaces" on public.workspace_members;
drop policy "Admins can change roles of non-owners and owners of anyone" on public.workspace_members;
drop policy "Members can leave, admins and owners can remove members" on public.workspace_members;

create policy "Members can read the members of their workspaces"
  on public.workspace_members for select
  to authenticated
  using (workspace_id = any ((select private.member_workspace_ids())::uuid[]));

-- USING sees the member's current role, WITH CHECK the new one: the caller must be able
-- to give both.
create policy "Member managers can change roles they could give"
  on public.workspace_members for update
  to authenticated
  using (
    workspace_id = any ((select private.permitted_workspace_ids('members.manage'))::uuid[])
    and private.can_assign_role(workspace_id, role_id)
  )
  with check (
    workspace_id = any ((select private.permitted_workspace_ids('members.manage'))::uuid[])
    and private.can_assign_role(workspace_id, role_id)
  );

create policy "Members can leave, member managers can remove members whose role they could give"
  on public.workspace_members for delete
  to authenticated
  using (
    user_id = (select auth.uid())
    or (
      workspace_id = any ((select private.permitted_workspace_ids('members.manage'))::uuid[])
      and private.can_assign_role(workspace_id, role_id)
    )
  );

-- invitations
drop policy "Admins can read invitations of their workspaces" on public.invitations;
drop policy "Admins can invite people to their workspaces" on public.invitations;
drop policy "Admins can revoke invitations of their workspaces" on public.invitations;
drop policy "Admins can delete invitations of their workspaces" on public.invitations;

create policy "Inviters can read invitations"
  on public.invitations for select
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('members.invite'))::uuid[]));

create policy "Inviters can invite people as roles they could give"
  on public.invitations for insert
  to authenticated
  with check (
    workspace_id = any ((select private.permitted_workspace_ids('members.invite'))::uuid[])
    and private.can_assign_role(workspace_id, private.builtin_role_id(role))
  );

create policy "Inviters can revoke invitations"
  on public.invitations for update
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('members.invite'))::uuid[]))
  with check (workspace_id = any ((select private.permitted_workspace_ids('members.invite'))::uuid[]));

create policy "Inviters can delete invitations"
  on public.invitations for delete
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('members.invite'))::uuid[]));

-- projects
drop policy "Members can read projects of their workspaces" on public.projects;
drop policy "Admins can create projects in their workspaces" on public.projects;
drop policy "Admins can update projects of their workspaces" on public.projects;
drop policy "Admins can delete projects of their workspaces" on public.projects;

create policy "Holders of projects.read can read projects"
  on public.projects for select
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('projects.read'))::uuid[]));

create policy "Holders of projects.create can create projects"
  on public.projects for insert
  to authenticated
  with check (workspace_id = any ((select private.permitted_workspace_ids('projects.create'))::uuid[]));

-- Which of the two a change needs is checked by the projects_check_update trigger.
create policy "Holders of projects.update or projects.archive can change projects"
  on public.projects for update
  to authenticated
  using (
    workspace_id = any ((select private.permitted_workspace_ids('projects.update'))::uuid[])
    or workspace_id = any ((select private.permitted_workspace_ids('projects.archive'))::uuid[])
  )
  with check (
    workspace_id = any ((select private.permitted_workspace_ids('projects.update'))::uuid[])
    or workspace_id = any ((select private.permitted_workspace_ids('projects.archive'))::uuid[])
  );

create policy "Holders of projects.delete can delete projects"
  on public.projects for delete
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('projects.delete'))::uuid[]));

-- tasks
drop policy "Members can read tasks of their workspaces" on public.tasks;
drop policy "Members can create tasks in their workspaces" on public.tasks;
drop policy "Members can update tasks of their workspaces" on public.tasks;
drop policy "Members can delete tasks of their workspaces" on public.tasks;

create policy "Holders of tasks.read can read tasks"
  on public.tasks for select
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('tasks.read'))::uuid[]));

create policy "Holders of tasks.create can create tasks"
  on public.tasks for insert
  to authenticated
  with check (workspace_id = any ((select private.permitted_workspace_ids('tasks.create'))::uuid[]));

create policy "Holders of tasks.update can change tasks"
  on public.tasks for update
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('tasks.update'))::uuid[]))
  with check (workspace_id = any ((select private.permitted_workspace_ids('tasks.update'))::uuid[]));

create policy "Holders of tasks.delete can delete tasks"
  on public.tasks for delete
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('tasks.delete'))::uuid[]));

-- labels
drop policy "Members can read labels of their workspaces" on public.labels;
drop policy "Members can create labels in their workspaces" on public.labels;
drop policy "Members can update labels of their workspaces" on public.labels;
drop policy "Members can delete labels of their workspaces" on public.labels;

create policy "Holders of labels.read can read labels"
  on public.labels for select
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('labels.read'))::uuid[]));

create policy "Holders of labels.create can create labels"
  on public.labels for insert
  to authenticated
  with check (workspace_id = any ((select private.permitted_workspace_ids('labels.create'))::uuid[]));

create policy "Holders of labels.update can change labels"
  on public.labels for update
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('labels.update'))::uuid[]))
  with check (workspace_id = any ((select private.permitted_workspace_ids('labels.update'))::uuid[]));

create policy "Holders of labels.delete can delete labels"
  on public.labels for delete
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('labels.delete'))::uuid[]));

-- task_labels: part of a task
drop policy "Members can read task labels of their workspaces" on public.task_labels;
drop policy "Members can label tasks of their workspaces" on public.task_labels;
drop policy "Members can unlabel tasks of their workspaces" on public.task_labels;

create policy "Holders of tasks.read can read task labels"
  on public.task_labels for select
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('tasks.read'))::uuid[]));

create policy "Holders of tasks.update can label tasks"
  on public.task_labels for insert
  to authenticated
  with check (workspace_id = any ((select private.permitted_workspace_ids('tasks.update'))::uuid[]));

create policy "Holders of tasks.update can unlabel tasks"
  on public.task_labels for delete
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('tasks.update'))::uuid[]));

-- comments
drop policy "Members can read comments of their workspaces" on public.comments;
drop policy "Members can comment in their workspaces as themselves" on public.comments;
drop policy "Members can edit their own comments" on public.comments;
drop policy "Members can delete their own comments and admins any comment" on public.comments;

create policy "Holders of comments.read can read comments"
  on public.comments for select
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('comments.read'))::uuid[]));

create policy "Holders of comments.create can comment as themselves"
  on public.comments for insert
  to authenticated
  with check (
    workspace_id = any ((select private.permitted_workspace_ids('comments.create'))::uuid[])
    and author_id = (select auth.uid())
  );

create policy "Holders of comments.create can edit their own comments"
  on public.comments for update
  to authenticated
  using (
    author_id = (select auth.uid())
    and workspace_id = any ((select private.permitted_workspace_ids('comments.create'))::uuid[])
  )
  with check (
    author_id = (select auth.uid())
    and workspace_id = any ((select private.permitted_workspace_ids('comments.create'))::uuid[])
  );

create policy "Authors can delete their own comments, holders of comments.delete any"
  on public.comments for delete
  to authenticated
  using (
    (
      author_id = (select auth.uid())
      and workspace_id = any ((select private.permitted_workspace_ids('comments.create'))::uuid[])
    )
    or workspace_id = any ((select private.permitted_workspace_ids('comments.delete'))::uuid[])
  );

-- activity
drop policy "Members can read the activity of their workspaces" on public.activity;

create policy "Holders of activity.read can read the activity feed"
  on public.activity for select
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('activity.read'))::uuid[]));

-- attachments (records and the bucket)
drop policy "Members can read attachment records of their workspaces" on public.attachments;

-- The records follow the bucket (storage triggers write them); 20250101100000 meant the
-- service role to read them only, but hosted's default privileges had given it writes too.
revoke insert, update, delete, truncate on table public.attachments from service_role;

create policy "Holders of attachments.read can read attachment records"
  on public.attachments for select
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('attachments.read'))::uuid[]));

drop policy "Members can read the attachments of their workspaces" on storage.objects;
drop policy "Members can attach files to tasks of their workspaces" on storage.objects;
drop policy "Uploaders and admins can replace attachments" on storage.objects;
drop policy "Uploaders and admins can delete attachments" on storage.objects;

create policy "Holders of attachments.read can read attachments"
  on storage.objects for select
  to authenticated
  using (
    bucket_id = 'attachments'
    and (storage.foldername(name))[1] = any ((select private.permitted_workspace_ids('attachments.read'))::text[])
  );

create policy "Holders of attachments.create can attach files to tasks"
  on storage.objects for insert
  to authenticated
  with check (
    bucket_id = 'attachments'
    and (storage.foldername(name))[1] = any ((select private.permitted_workspace_ids('attachments.create'))::text[])
    and private.is_attachment_path(name)
  );

create policy "Uploaders and holders of attachments.delete can replace attachments"
  on storage.objects for update
  to authenticated
  using (
    bucket_id = 'attachments'
    and (
      (
        owner_id = (select auth.uid())::text
        and (storage.foldername(name))[1] = any ((select private.permitted_workspace_ids('attachments.create'))::text[])
      )
      or (storage.foldername(name))[1] = any ((select private.permitted_workspace_ids('attachments.delete'))::text[])
    )
  )
  with check (
    bucket_id = 'attachments'
    and (storage.foldername(name))[1] = any ((select private.permitted_workspace_ids('attachments.create'))::text[])
    and private.is_attachment_path(name)
  );

create policy "Uploaders and holders of attachments.delete can delete attachments"
  on storage.objects for delete
  to authenticated
  using (
    bucket_id = 'attachments'
    and (
      (
        owner_id = (select auth.uid())::text
        and (storage.foldername(name))[1] = any ((select private.permitted_workspace_ids('attachments.create'))::text[])
      )
      or (storage.foldername(name))[1] = any ((select private.permitted_workspace_ids('attachments.delete'))::text[])
    )
  );

-- ---------------------------------------------------------------------------
-- API functions
-- ---------------------------------------------------------------------------

create or replace function private.transfer_ownership(workspace_id uuid, new_owner_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
begin
  if caller is null then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
  if not private.is_member(transfer_ownership.workspace_id) then
    raise exception using errcode = 'PT404', message = 'workspace_not_found';
  end if;
  if not private.has_permission(transfer_ownership.workspace_id, 'owners.manage') then
    raise exception using errcode = '42501', message = 'forbidden', detail = 'Only owners can transfer ownership.';
  end if;
  if new_owner_id = caller then
    raise exception using errcode = '22023', message = 'invalid_input', detail = 'You already own this workspace.';
  end if;

  update public.workspace_members as m
  set role = 'owner'
  where m.workspace_id = transfer_ownership.workspace_id
    and m.user_id = transfer_ownership.new_owner_id;
  if not found then
    raise exception using errcode = 'PT404', message = 'member_not_found';
  end if;

  -- The previous owner stays on as an admin.
  update public.workspace_members as m
  set role = 'admin'
  where m.workspace_id = transfer_ownership.workspace_id
    and m.user_id = caller;
end;
$$;

-- is_member counts every membership, custom roles included.
create or replace function private.is_member(workspace_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return exists (
    select 1
    from public.workspace_members as m
    where m.workspace_id = is_member.workspace_id
      and m.user_id = (select auth.uid())
  );
end;
$$;

-- The same as 20250101000400_projects_tasks.sql, deciding by tasks.update.
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
  if not private.has_permission(moving.workspace_id, 'tasks.update') then
    raise exception using errcode = '42501', message = 'forbidden', detail = 'Moving a task needs tasks.update.';
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

-- Whether the caller holds a permission in a workspace. False for workspaces the caller is
-- not in, exactly as for ids that do not exist.
create or replace function public.has_permission(workspace_id uuid, permission text)
returns boolean
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  if (select auth.uid()) is null then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
  if not exists (select 1 from public.permissions as p where p.id = has_permission.permission) then
    raise exception using errcode = '22023', message = 'invalid_permission',
      detail = format('%s is not in the permission catalogue.', has_permission.permission);
  end if;
  return private.has_permission(has_permission.workspace_id, has_permission.permission);
end;
$$;

comment on function public.has_permission(uuid, text) is
  'Whether the signed-in user holds a permission in a workspace (false when not a member).';

-- The caller's permissions in a workspace, sorted.
create or replace function public.my_permissions(workspace_id uuid)
returns text[]
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  if (select auth.uid()) is null then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
  if not private.is_member(my_permissions.workspace_id) then
    raise exception using errcode = 'PT404', message = 'workspace_not_found';
  end if;
  return private.my_permissions(my_permissions.workspace_id);
end;
$$;

comment on function public.my_permissions(uuid) is
  'The permissions the signed-in user holds in a workspace, sorted.';

revoke execute on function public.has_permission(uuid, text) from public, anon;
revoke execute on function public.my_permissions(uuid) from public, anon;
grant execute on function public.has_permission(uuid, text) to authenticated, service_role;
grant execute on function public.my_permissions(uuid) to authenticated, service_role;
