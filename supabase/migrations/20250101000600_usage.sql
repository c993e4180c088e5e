-- Plan usage of a workspace, readable by any of its members.
-- Error messages follow the contract at the top of 20250101000000_setup.sql.

-- ---------------------------------------------------------------------------
-- API functions
-- ---------------------------------------------------------------------------

-- Security definer because members below admin cannot read invitations, yet
-- the seat count includes open ones. Unknown and foreign workspaces both
-- answer workspace_not_found, so the answer reveals nothing.
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
begin
  if (select auth.uid()) is null and not is_service_role then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
  if not is_service_role and not private.is_member(workspace_usage.workspace_id) then
    raise exception using errcode = 'PT404', message = 'workspace_not_found';
  end if;

  return query
  select
    p.id,
    (select count(*)::integer from public.workspace_members as m where m.workspace_id = w.id),
    (
      select count(*)::integer
      from public.invitations as i
      where i.workspace_id = w.id
        and i.accepted_at is null
        and i.revoked_at is null
        and i.expires_at > now()
    ),
    (select count(*)::integer from public.projects as pr where pr.workspace_id = w.id and not pr.archived),
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

revoke execute on function private.workspace_usage(uuid) from public;
grant execute on function private.workspace_usage(uuid) to authenticated, service_role;

create or replace function public.workspace_usage(workspace_id uuid)
returns table (
  plan text,
  members integer,
  pending_invitations integer,
  projects integer,
  max_members integer,
  max_projects integer,
  storage_limit_bytes bigint
)
language sql
stable
security invoker
set search_path = ''
as $$
  select * from private.workspace_usage(workspace_id);
$$;

comment on function public.workspace_usage(uuid) is
  'Members, open invitations and active projects of a workspace next to its plan limits (null = unlimited).';

revoke execute on function public.workspace_usage(uuid) from public, anon;
grant execute on function public.workspace_usage(uuid) to authenticated, service_role;
