-- Workspaces (tenants), their members and user profiles.
-- Error messages follow the contract at the top of 20250101000000_setup.sql.

-- ---------------------------------------------------------------------------
-- types
-- ---------------------------------------------------------------------------

-- Declared from least to most privileged so `role >= 'admin'` reads naturally.
create type public.workspace_role as enum ('viewer', 'member', 'admin', 'owner');

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

create table public.workspaces (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(btrim(name)) between 1 and 100),
  slug text not null check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$'),
  plan text not null default 'free' references public.plans (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint workspaces_slug_key unique (slug)
);

create index workspaces_plan_idx on public.workspaces (plan);

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  display_name text not null check (char_length(btrim(display_name)) between 1 and 100),
  -- Object path in the public `avatars` bucket, always under the user's own folder.
  avatar_path text check (avatar_path like id::text || '/_%' and char_length(avatar_path) <= 512),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.workspace_members (
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  -- Points at the profile (which follows its auth user) so the API can embed
  -- member names: workspace_members?select=role,profiles(display_name).
  user_id uuid not null references public.profiles (id) on delete cascade,
  role public.workspace_role not null default 'member',
  created_at timestamptz not null default now(),
  primary key (workspace_id, user_id),
  -- Serves the per-user membership lookups behind every policy, and is the
  -- target of the composite keys that keep assignees inside their workspace.
  constraint workspace_members_user_workspace_key unique (user_id, workspace_id)
);

alter table public.workspaces enable row level security;
alter table public.workspace_members enable row level security;
alter table public.profiles enable row level security;

-- Explicit grants: writes that bypass business rules (plan changes, direct
-- membership inserts) are left to RPCs and the service role.
revoke all on table public.workspaces, public.workspace_members, public.profiles from anon, authenticated;
grant select, delete on table public.workspaces to authenticated;
grant update (name, slug) on table public.workspaces to authenticated;
grant select, delete on table public.workspace_members to authenticated;
grant update (role) on table public.workspace_members to authenticated;
grant select on table public.profiles to authenticated;
grant update (display_name, avatar_path) on table public.profiles to authenticated;
grant all on table public.workspaces, public.workspace_members, public.profiles to service_role;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

create trigger workspaces_set_updated_at
  before update on public.workspaces
  for each row execute function private.set_updated_at();

create trigger profiles_set_updated_at
  before update on public.profiles
  for each row execute function private.set_updated_at();

-- Every auth user gets a profile; the display name comes from sign-up metadata
-- or, failing that, the local part of the email address.
create or replace function private.create_profile_for_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.profiles (id, display_name)
  values (
    new.id,
    left(
      coalesce(
        nullif(btrim(new.raw_user_meta_data ->> 'display_name'), ''),
        nullif(btrim(new.raw_user_meta_data ->> 'name'), ''),
        nullif(btrim(split_part(new.email, '@', 1)), ''),
        'user'
      ),
      100
    )
  )
  on conflict (id) do nothing;
  return new;
end;
$$;

revoke execute on function private.create_profile_for_new_user() from public;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function private.create_profile_for_new_user();

-- Users that existed before this migration (hosted projects) get one too.
insert into public.profiles (id, display_name)
select
  u.id,
  left(
    coalesce(
      nullif(btrim(u.raw_user_meta_data ->> 'display_name'), ''),
      nullif(btrim(u.raw_user_meta_data ->> 'name'), ''),
      nullif(btrim(split_part(u.email, '@', 1)), ''),
      'user'
    ),
    100
  )
from auth.users as u
on conflict (id) do nothing;

-- A workspace always keeps an owner. The workspace row is locked first so two
-- owners demoting or removing each other concurrently cannot both succeed.
-- Deleting the owner's account hands the workspace on instead of failing.
create or replace function private.protect_last_owner()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.role <> 'owner' or (tg_op = 'UPDATE' and new.role = 'owner') then
    return case when tg_op = 'DELETE' then old else new end;
  end if;

  perform 1 from public.workspaces as w where w.id = old.workspace_id for no key update;
  if not found then
    -- The workspace itself is being deleted and its members go with it.
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
    -- The owner's account is being deleted. Refusing would make account deletion
    -- fail, so the most senior remaining member (highest role, then longest
    -- membership) becomes owner. A workspace left with nobody stays behind with
    -- no members, visible to no one, for the service role to clean up.
    update public.workspace_members as m
    set role = 'owner'
    where m.workspace_id = old.workspace_id
      and m.user_id = (
        select s.user_id
        from public.workspace_members as s
        where s.workspace_id = old.workspace_id and s.user_id <> old.user_id
        order by s.role desc, s.created_at, s.user_id
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

revoke execute on function private.protect_last_owner() from public;

create trigger workspace_members_protect_last_owner
  before update of role or delete on public.workspace_members
  for each row execute function private.protect_last_owner();

-- Seats are counted under a lock on the workspace row, so concurrent joins
-- cannot overshoot the plan. Pending invitations already hold their seat
-- (see the invitations migration), so only members are counted here.
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
      detail = json_build_object('limit', 'members', 'max', max_members, 'current', current_members)::text,
      hint = 'Upgrade the workspace plan to add more members.';
  end if;

  return new;
end;
$$;

revoke execute on function private.enforce_member_limit() from public;

create trigger workspace_members_enforce_limit
  before insert on public.workspace_members
  for each row execute function private.enforce_member_limit();

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

-- Returns an array rather than testing one row at a time: policies wrap it in
-- `(select ...)`, so Postgres evaluates it once per statement (an initPlan)
-- and the per-row check becomes a cheap `= any(array)` that can even drive an
-- index scan. This is Supabase's RLS performance guidance applied to roles.
create or replace function private.current_user_workspace_ids(
  at_least public.workspace_role default 'viewer'
)
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(m.workspace_id), '{}'::uuid[])
  from public.workspace_members as m
  where m.user_id = (select auth.uid())
    and m.role >= at_least;
$$;

create or replace function private.has_role(
  workspace_id uuid,
  at_least public.workspace_role default 'viewer'
)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.workspace_members as m
    where m.workspace_id = has_role.workspace_id
      and m.user_id = (select auth.uid())
      and m.role >= has_role.at_least
  );
$$;

create or replace function private.is_member(workspace_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select private.has_role(is_member.workspace_id, 'viewer');
$$;

-- Everyone who shares at least one workspace with the current user, the user included.
create or replace function private.current_user_coworker_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(distinct other.user_id), '{}'::uuid[])
  from public.workspace_members as mine
  join public.workspace_members as other on other.workspace_id = mine.workspace_id
  where mine.user_id = (select auth.uid());
$$;

revoke execute on function private.current_user_workspace_ids(public.workspace_role) from public;
revoke execute on function private.has_role(uuid, public.workspace_role) from public;
revoke execute on function private.is_member(uuid) from public;
revoke execute on function private.current_user_coworker_ids() from public;
grant execute on function private.current_user_workspace_ids(public.workspace_role) to authenticated, service_role;
grant execute on function private.has_role(uuid, public.workspace_role) to authenticated, service_role;
grant execute on function private.is_member(uuid) to authenticated, service_role;
grant execute on function private.current_user_coworker_ids() to authenticated, service_role;

-- ---------------------------------------------------------------------------
-- policies
-- ---------------------------------------------------------------------------

create policy "Members can read their workspaces"
  on public.workspaces for select
  to authenticated
  using (id = any ((select private.current_user_workspace_ids())::uuid[]));

create policy "Admins can rename their workspaces"
  on public.workspaces for update
  to authenticated
  using (id = any ((select private.current_user_workspace_ids('admin'))::uuid[]))
  with check (id = any ((select private.current_user_workspace_ids('admin'))::uuid[]));

create policy "Owners can delete their workspaces"
  on public.workspaces for delete
  to authenticated
  using (id = any ((select private.current_user_workspace_ids('owner'))::uuid[]));

create policy "Members can read the members of their workspaces"
  on public.workspace_members for select
  to authenticated
  using (workspace_id = any ((select private.current_user_workspace_ids())::uuid[]));

-- Admins manage everyone but owners; only owners touch (or grant) the owner role.
create policy "Admins can change roles of non-owners and owners of anyone"
  on public.workspace_members for update
  to authenticated
  using (
    workspace_id = any ((select private.current_user_workspace_ids('admin'))::uuid[])
    and (role <> 'owner' or workspace_id = any ((select private.current_user_workspace_ids('owner'))::uuid[]))
  )
  with check (
    workspace_id = any ((select private.current_user_workspace_ids('admin'))::uuid[])
    and (role <> 'owner' or workspace_id = any ((select private.current_user_workspace_ids('owner'))::uuid[]))
  );

create policy "Members can leave, admins and owners can remove members"
  on public.workspace_members for delete
  to authenticated
  using (
    user_id = (select auth.uid())
    or (
      workspace_id = any ((select private.current_user_workspace_ids('admin'))::uuid[])
      and (role <> 'owner' or workspace_id = any ((select private.current_user_workspace_ids('owner'))::uuid[]))
    )
  );

create policy "Users can read their own and their coworkers' profiles"
  on public.profiles for select
  to authenticated
  using (id = (select auth.uid()) or id = any ((select private.current_user_coworker_ids())::uuid[]));

create policy "Users can update their own profile"
  on public.profiles for update
  to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

-- ---------------------------------------------------------------------------
-- API functions
-- ---------------------------------------------------------------------------
-- RPCs that need elevated rights are implemented as security definer
-- functions in `private` and exposed through thin security invoker wrappers
-- in `public`, so no security definer function sits in an API schema.

create or replace function private.create_workspace(name text, slug text)
returns public.workspaces
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  created public.workspaces;
begin
  if caller is null then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;

  begin
    insert into public.workspaces (name, slug)
    values (btrim(create_workspace.name), lower(btrim(create_workspace.slug)))
    returning * into created;
  exception when unique_violation then
    raise exception using
      errcode = '23505',
      message = 'slug_taken',
      detail = format('The slug %s is already in use.', lower(btrim(create_workspace.slug)));
  end;

  insert into public.workspace_members (workspace_id, user_id, role)
  values (created.id, caller, 'owner');

  return created;
end;
$$;

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
  if not private.has_role(transfer_ownership.workspace_id, 'owner') then
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

create or replace function private.leave_workspace(workspace_id uuid)
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

  delete from public.workspace_members as m
  where m.workspace_id = leave_workspace.workspace_id
    and m.user_id = caller;
  if not found then
    raise exception using errcode = 'PT404', message = 'workspace_not_found';
  end if;
end;
$$;

revoke execute on function private.create_workspace(text, text) from public;
revoke execute on function private.transfer_ownership(uuid, uuid) from public;
revoke execute on function private.leave_workspace(uuid) from public;
grant execute on function private.create_workspace(text, text) to authenticated, service_role;
grant execute on function private.transfer_ownership(uuid, uuid) to authenticated, service_role;
grant execute on function private.leave_workspace(uuid) to authenticated, service_role;

create or replace function public.create_workspace(name text, slug text)
returns public.workspaces
language sql
security invoker
set search_path = ''
as $$
  select * from private.create_workspace(name, slug);
$$;

comment on function public.create_workspace(text, text) is
  'Creates a workspace on the free plan with the caller as its owner.';

create or replace function public.transfer_ownership(workspace_id uuid, new_owner_id uuid)
returns void
language sql
security invoker
set search_path = ''
as $$
  select private.transfer_ownership(workspace_id, new_owner_id);
$$;

comment on function public.transfer_ownership(uuid, uuid) is
  'Makes another member the owner; the calling owner becomes an admin.';

create or replace function public.leave_workspace(workspace_id uuid)
returns void
language sql
security invoker
set search_path = ''
as $$
  select private.leave_workspace(workspace_id);
$$;

comment on function public.leave_workspace(uuid) is
  'Removes the caller from the workspace; the last owner cannot leave.';

revoke execute on function public.create_workspace(text, text) from public, anon;
revoke execute on function public.transfer_ownership(uuid, uuid) from public, anon;
revoke execute on function public.leave_workspace(uuid) from public, anon;
grant execute on function public.create_workspace(text, text) to authenticated, service_role;
grant execute on function public.transfer_ownership(uuid, uuid) to authenticated, service_role;
grant execute on function public.leave_workspace(uuid) to authenticated, service_role;
