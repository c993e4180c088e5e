-- Workspace setting "members must use MFA" (issue 20): `workspaces.require_mfa`. While it is
-- on, a person whose session is below `aal2` (the `aal` claim Auth puts in the access token:
-- aal1 after a password, OTP or OAuth sign-in, aal2 once a second factor was verified) reads
-- nothing of the workspace's data and may write nothing — but still reads the workspace row
-- itself, so an app can see `require_mfa` and say "set up two-factor authentication".
--
-- One place decides: the permission helpers every policy, RPC and trigger asks
-- (permitted_workspace_ids, member_workspace_ids, has_permission, my_permissions, is_member,
-- current_user_coworker_ids) treat such a workspace as one the caller holds nothing in. The
-- set forms (what policies use) leave it out silently, so a REST read answers [] and a REST
-- update or delete touches no row, exactly as for a workspace one isn't in. The row forms
-- (what RPCs and the permission-first insert triggers use) raise `mfa_required` instead of
-- answering, so RPCs and REST inserts say why. The rule itself is private.mfa_allows.
--
-- API keys are machines: they have no second factor and are not subject to the setting (the
-- helpers answer for a key before looking at memberships). A key cannot change the setting
-- either, so a machine can never lower it.
--
-- Changing the setting needs workspace.update and a session at aal2, whichever way it is
-- changed (set_workspace_require_mfa or a REST PATCH): turning it on at aal1 would lock the
-- caller out at once (GitHub and Slack ask for the caller's own second factor first), and
-- turning it off at aal1 is impossible anyway, since the workspace refuses such a caller.
-- The service role may change it (support tooling). Changes are audited like every other
-- column of `workspaces` (audit_change writes {require_mfa: {before, after}}).
--
-- Error codes (the vocabulary, supabase/functions/_shared/error-vocabulary.ts): mfa_required
-- (42501, so PostgREST answers 403 and hosted Storage passes it on rather than answering 500).

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

alter table public.workspaces add column require_mfa boolean not null default false;

comment on column public.workspaces.require_mfa is
  'Members must use MFA: while on, people whose session is below aal2 read and write nothing of the workspace but this row.';

grant update (require_mfa) on table public.workspaces to authenticated;

-- What workspace_mfa_status and set_workspace_require_mfa answer.
create type public.workspace_mfa as (
  workspace_id uuid,
  require_mfa boolean,
  -- The caller's session's `aal` claim (aal1, aal2); null for an API key.
  session_aal text,
  -- Whether the caller may use the workspace now: the setting is off, the session is at
  -- aal2, or the caller is an API key.
  mfa_satisfied boolean
);

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

-- The rule: a workspace requiring MFA admits only sessions at aal2. Keys never reach it (the
-- helpers answer for them first).
create or replace function private.mfa_allows(require_mfa boolean)
returns boolean
language sql
stable
set search_path = ''
as $$
  select not mfa_allows.require_mfa or coalesce((select auth.jwt()) ->> 'aal', '') = 'aal2';
$$;

-- The workspaces the signed-in person belongs to but may not use until their session is at
-- aal2. Empty for keys, the service role and anon.
create or replace function private.mfa_locked_workspace_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if private.current_api_key() is not null then
    return '{}'::uuid[];
  end if;
  return (
    select coalesce(array_agg(m.workspace_id), '{}'::uuid[])
    from public.workspace_members as m
    join public.workspaces as w on w.id = m.workspace_id
    where m.user_id = (select auth.uid())
      and not private.mfa_allows(w.require_mfa)
  );
end;
$$;

-- Whether the caller is in the workspace (a key: it is the key's), whatever the workspace's
-- MFA requirement: for what a member below aal2 may still learn, and never an error.
create or replace function private.is_in_workspace(workspace_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  api_key jsonb := private.current_api_key();
begin
  if api_key is not null then
    return (api_key ->> 'workspace_id')::uuid = is_in_workspace.workspace_id;
  end if;
  return exists (
    select 1
    from public.workspace_members as m
    where m.workspace_id = is_in_workspace.workspace_id
      and m.user_id = (select auth.uid())
  );
end;
$$;

-- Raised wherever a row-form helper meets a workspace the caller may not use yet.
create or replace function private.raise_mfa_required()
returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception using errcode = '42501', message = 'mfa_required',
    detail = 'This workspace requires multi-factor authentication: verify a second factor (aal2) first.';
end;
$$;

-- The helpers of 20250105000000_api_keys.sql, now also leaving out (set forms) or refusing
-- (row forms) workspaces whose MFA requirement the session does not meet.
create or replace function private.permitted_workspace_ids(permission text)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  api_key jsonb := private.current_api_key();
begin
  if api_key is not null then
    return case when api_key -> 'permissions' ? permitted_workspace_ids.permission
      then array[(api_key ->> 'workspace_id')::uuid] else '{}'::uuid[] end;
  end if;
  return (
    select coalesce(array_agg(m.workspace_id), '{}'::uuid[])
    from public.workspace_members as m
    join public.roles as r on r.id = m.role_id
    join public.workspaces as w on w.id = m.workspace_id
    where m.user_id = (select auth.uid())
      and permitted_workspace_ids.permission = any (r.permissions)
      and private.mfa_allows(w.require_mfa)
  );
end;
$$;

create or replace function private.member_workspace_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  api_key jsonb := private.current_api_key();
begin
  if api_key is not null then
    return array[(api_key ->> 'workspace_id')::uuid];
  end if;
  return (
    select coalesce(array_agg(m.workspace_id), '{}'::uuid[])
    from public.workspace_members as m
    join public.workspaces as w on w.id = m.workspace_id
    where m.user_id = (select auth.uid())
      and private.mfa_allows(w.require_mfa)
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
declare
  api_key jsonb := private.current_api_key();
  held text[];
  required boolean;
begin
  if api_key is not null then
    return (api_key ->> 'workspace_id')::uuid = has_permission.workspace_id
      and api_key -> 'permissions' ? has_permission.permission;
  end if;
  select r.permissions, w.require_mfa into held, required
  from public.workspace_members as m
  join public.roles as r on r.id = m.role_id
  join public.workspaces as w on w.id = m.workspace_id
  where m.workspace_id = has_permission.workspace_id
    and m.user_id = (select auth.uid());
  if not found then
    return false;
  end if;
  if not private.mfa_allows(required) then
    perform private.raise_mfa_required();
  end if;
  return has_permission.permission = any (held);
end;
$$;

-- Stays an answer, never an error: the roles and members policies call it row by row.
create or replace function private.my_permissions(workspace_id uuid)
returns text[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  api_key jsonb := private.current_api_key();
begin
  if api_key is not null then
    if (api_key ->> 'workspace_id')::uuid is distinct from my_permissions.workspace_id then
      return '{}'::text[];
    end if;
    return array(select jsonb_array_elements_text(api_key -> 'permissions') order by 1);
  end if;
  return coalesce((
    select r.permissions
    from public.workspace_members as m
    join public.roles as r on r.id = m.role_id
    join public.workspaces as w on w.id = m.workspace_id
    where m.workspace_id = my_permissions.workspace_id
      and m.user_id = (select auth.uid())
      and private.mfa_allows(w.require_mfa)
  ), '{}'::text[]);
end;
$$;

-- RPCs ask this first ("not a member: workspace_not_found"), so every one of them answers
-- mfa_required to a member below aal2 and nothing new to anyone else.
create or replace function private.is_member(workspace_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  api_key jsonb := private.current_api_key();
  required boolean;
begin
  if api_key is not null then
    return (api_key ->> 'workspace_id')::uuid = is_member.workspace_id;
  end if;
  select w.require_mfa into required
  from public.workspace_members as m
  join public.workspaces as w on w.id = m.workspace_id
  where m.workspace_id = is_member.workspace_id
    and m.user_id = (select auth.uid());
  if not found then
    return false;
  end if;
  if not private.mfa_allows(required) then
    perform private.raise_mfa_required();
  end if;
  return true;
end;
$$;

-- Coworkers met only in a workspace one may not use yet stay hidden.
create or replace function private.current_user_coworker_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  api_key jsonb := private.current_api_key();
begin
  if api_key is not null then
    return (
      select coalesce(array_agg(m.user_id), '{}'::uuid[])
      from public.workspace_members as m
      where m.workspace_id = (api_key ->> 'workspace_id')::uuid
    );
  end if;
  return (
    select coalesce(array_agg(distinct other.user_id), '{}'::uuid[])
    from public.workspace_members as mine
    join public.workspaces as w on w.id = mine.workspace_id
    join public.workspace_members as other on other.workspace_id = mine.workspace_id
    where mine.user_id = (select auth.uid())
      and private.mfa_allows(w.require_mfa)
  );
end;
$$;

-- 20250102000000_permissions_roles.sql's, asking my_permissions for owners.manage too: the
-- members policies call it row by row, where has_permission's mfa_required would fail a
-- whole statement for one row of a locked workspace.
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
    return 'owners.manage' = any (private.my_permissions(can_assign_role.workspace_id));
  end if;
  return target.permissions <@ private.my_permissions(can_assign_role.workspace_id);
end;
$$;

-- 20250103000300_workspace_domains.sql's, without is_member (which now raises for a
-- workspace the caller is in but may not use yet): never suggest a workspace one is in.
create or replace function private.suggested_workspaces()
returns table (workspace_id uuid, name text, slug text, domain text, can_join boolean)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  my_domain text := private.confirmed_email_domain();
begin
  if (select auth.uid()) is null then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
  return query
  select w.id, w.name, w.slug, d.domain,
    d.join_role_id is not null
      and d.verified_by is not null
      and private.member_could_give(w.id, d.verified_by, d.join_role_id, 'domains.manage')
  from public.workspace_domains as d
  join public.workspaces as w on w.id = d.workspace_id
  where my_domain is not null
    and d.domain = my_domain
    and not private.is_in_workspace(w.id)
  order by w.name, w.id;
end;
$$;

-- What the caller may know about a workspace's requirement: members (also those it locks
-- out) and its keys; anyone else gets workspace_not_found, as for an id that doesn't exist.
create or replace function private.workspace_mfa_status(workspace_id uuid)
returns public.workspace_mfa
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  api_key jsonb := private.current_api_key();
  result public.workspace_mfa;
begin
  if (select auth.uid()) is null then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
  if not private.is_in_workspace(workspace_mfa_status.workspace_id) then
    raise exception using errcode = 'PT404', message = 'workspace_not_found';
  end if;
  select w.id, w.require_mfa,
    case when api_key is null then (select auth.jwt()) ->> 'aal' end,
    api_key is not null or private.mfa_allows(w.require_mfa)
  into result
  from public.workspaces as w
  where w.id = workspace_mfa_status.workspace_id;
  return result;
end;
$$;

revoke execute on function private.mfa_allows(boolean) from public;
revoke execute on function private.mfa_locked_workspace_ids() from public;
revoke execute on function private.raise_mfa_required() from public;
revoke execute on function private.is_in_workspace(uuid) from public;
revoke execute on function private.suggested_workspaces() from public;
revoke execute on function private.workspace_mfa_status(uuid) from public;
grant execute on function private.mfa_allows(boolean) to authenticated, service_role;
grant execute on function private.mfa_locked_workspace_ids() to authenticated, service_role;
grant execute on function private.raise_mfa_required() to authenticated, service_role;
grant execute on function private.is_in_workspace(uuid) to authenticated, service_role;
grant execute on function private.suggested_workspaces() to authenticated;
grant execute on function private.workspace_mfa_status(uuid) to authenticated, service_role;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

-- Whoever changes require_mfa (RPC or REST): a person at aal2, or the service role; never a
-- key. Security invoker: it only reads the request's claims.
create or replace function private.guard_require_mfa_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.require_mfa is not distinct from old.require_mfa then
    return new;
  end if;
  if private.current_api_key() is not null then
    raise exception using errcode = '42501', message = 'forbidden',
      detail = 'API keys are not subject to require_mfa and cannot change it.';
  end if;
  if (select auth.uid()) is not null and not private.mfa_allows(true) then
    raise exception using errcode = '42501', message = 'mfa_required',
      detail = 'Changing require_mfa needs a session at aal2: verify a second factor first.';
  end if;
  return new;
end;
$$;

revoke execute on function private.guard_require_mfa_change() from public;

create trigger workspaces_guard_require_mfa_change
  before update of require_mfa on public.workspaces
  for each row execute function private.guard_require_mfa_change();

-- ---------------------------------------------------------------------------
-- policies
-- ---------------------------------------------------------------------------

-- member_workspace_ids leaves out the workspaces asking the caller for MFA; their own row
-- stays readable, so the caller learns the requirement (and nothing else).
drop policy "Members can read their workspaces" on public.workspaces;

create policy "Members can read their workspaces, also those asking them for MFA"
  on public.workspaces for select
  to authenticated
  using (
    id = any ((select private.member_workspace_ids())::uuid[])
    or id = any ((select private.mfa_locked_workspace_ids())::uuid[])
  );

-- Notifications belong to their recipient, not to a workspace's policies: those about a
-- workspace the recipient may not use yet wait until the session is at aal2.
create policy "Notifications of workspaces asking for MFA are hidden below aal2"
  on public.notifications as restrictive for select
  to authenticated
  using (workspace_id <> all ((select private.mfa_locked_workspace_ids())::uuid[]));

-- ---------------------------------------------------------------------------
-- API functions
-- ---------------------------------------------------------------------------

create or replace function public.workspace_mfa_status(workspace_id uuid)
returns public.workspace_mfa
language sql
stable
security invoker
set search_path = ''
as $$
  select private.workspace_mfa_status(workspace_id);
$$;

comment on function public.workspace_mfa_status(uuid) is
  'Whether a workspace requires MFA, the session''s aal and whether it meets the requirement (members and the workspace''s keys).';

create or replace function private.set_workspace_require_mfa(workspace_id uuid, require_mfa boolean)
returns public.workspace_mfa
language plpgsql
security definer
set search_path = ''
as $$
begin
  if (select auth.uid()) is null then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
  if set_workspace_require_mfa.require_mfa is null then
    raise exception using errcode = '22023', message = 'invalid_input', detail = 'require_mfa must be true or false.';
  end if;
  if not private.is_in_workspace(set_workspace_require_mfa.workspace_id) then
    raise exception using errcode = 'PT404', message = 'workspace_not_found';
  end if;
  -- Raises mfa_required for a member the workspace already locks out.
  if not private.has_permission(set_workspace_require_mfa.workspace_id, 'workspace.update') then
    raise exception using errcode = '42501', message = 'forbidden',
      detail = 'Changing require_mfa needs workspace.update.';
  end if;
  -- guard_require_mfa_change decides the rest (aal2; never a key).
  update public.workspaces as w
  set require_mfa = set_workspace_require_mfa.require_mfa
  where w.id = set_workspace_require_mfa.workspace_id;
  return private.workspace_mfa_status(set_workspace_require_mfa.workspace_id);
end;
$$;

revoke execute on function private.set_workspace_require_mfa(uuid, boolean) from public;
grant execute on function private.set_workspace_require_mfa(uuid, boolean) to authenticated, service_role;

create or replace function public.set_workspace_require_mfa(workspace_id uuid, require_mfa boolean)
returns public.workspace_mfa
language sql
security invoker
set search_path = ''
as $$
  select private.set_workspace_require_mfa(workspace_id, require_mfa);
$$;

comment on function public.set_workspace_require_mfa(uuid, boolean) is
  'Turns "members must use MFA" on or off (workspace.update, from a session at aal2).';

revoke execute on function public.workspace_mfa_status(uuid) from public, anon;
revoke execute on function public.set_workspace_require_mfa(uuid, boolean) from public, anon;
grant execute on function public.workspace_mfa_status(uuid) to authenticated, service_role;
grant execute on function public.set_workspace_require_mfa(uuid, boolean) to authenticated, service_role;
