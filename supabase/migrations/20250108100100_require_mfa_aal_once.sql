-- "Members must use MFA", continued (20250108100000_workspace_require_mfa.sql): the permission
-- helpers ask whether the session is at aal2 once per call (private.session_at_aal2), instead of
-- calling private.mfa_allows for every membership row. That call, a function with its own
-- search_path, was not inlined and doubled the cost of permitted_workspace_ids — the lookup every
-- policy makes once per statement — from 48 to 98 µs a call; now it costs what it did before
-- require_mfa. Same answers: the rule is unchanged, a workspace requiring MFA admits a person only
-- at aal2, and API keys are not subject to it.

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

-- Whether the request's session has verified a second factor (`aal` claim aal2). A workspace
-- requiring MFA admits a person only then; keys never get this far (the helpers answer for them
-- first). The helpers ask once per call and test `at_aal2 or not w.require_mfa` row by row.
create or replace function private.session_at_aal2()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce((select auth.jwt()) ->> 'aal', '') = 'aal2';
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
  if private.current_api_key() is not null or private.session_at_aal2() then
    return '{}'::uuid[];
  end if;
  return (
    select coalesce(array_agg(m.workspace_id), '{}'::uuid[])
    from public.workspace_members as m
    join public.workspaces as w on w.id = m.workspace_id
    where m.user_id = (select auth.uid())
      and w.require_mfa
  );
end;
$$;

-- 20250108100000's helpers, answering the same: set forms leave out, row forms refuse, the
-- workspaces whose MFA requirement the session does not meet.
create or replace function private.permitted_workspace_ids(permission text)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  api_key jsonb := private.current_api_key();
  at_aal2 boolean := private.session_at_aal2();
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
      and (at_aal2 or not w.require_mfa)
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
  at_aal2 boolean := private.session_at_aal2();
begin
  if api_key is not null then
    return array[(api_key ->> 'workspace_id')::uuid];
  end if;
  return (
    select coalesce(array_agg(m.workspace_id), '{}'::uuid[])
    from public.workspace_members as m
    join public.workspaces as w on w.id = m.workspace_id
    where m.user_id = (select auth.uid())
      and (at_aal2 or not w.require_mfa)
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
  if required and not private.session_at_aal2() then
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
  at_aal2 boolean := private.session_at_aal2();
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
      and (at_aal2 or not w.require_mfa)
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
  if required and not private.session_at_aal2() then
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
  at_aal2 boolean := private.session_at_aal2();
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
      and (at_aal2 or not w.require_mfa)
  );
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
    api_key is not null or not w.require_mfa or private.session_at_aal2()
  into result
  from public.workspaces as w
  where w.id = workspace_mfa_status.workspace_id;
  return result;
end;
$$;

revoke execute on function private.session_at_aal2() from public;
grant execute on function private.session_at_aal2() to authenticated, service_role;

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
  if (select auth.uid()) is not null and not private.session_at_aal2() then
    raise exception using errcode = '42501', message = 'mfa_required',
      detail = 'Changing require_mfa needs a session at aal2: verify a second factor first.';
  end if;
  return new;
end;
$$;


-- Nothing calls it any more.
drop function private.mfa_allows(boolean);
