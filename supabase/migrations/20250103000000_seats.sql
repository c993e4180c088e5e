-- Seats: who counts against a plan's member limit. A seat is a person: every member, plus every
-- address with an open (not accepted, not revoked, not expired) invitation that is not already a
-- member's address. Counting members and open invitations separately, as the earlier triggers
-- did, counted a person twice while their invitation was still open after they had joined some
-- other way (an invite link, a verified domain, the service role), and counted nobody at all for
-- the new member's own invitation when it was accepted (the member-limit trigger looked only at
-- members, so a full workspace could still take in people without an invitation).
--
-- One function, private.workspace_seats_used, is the count; the invitation trigger, the member
-- limit trigger, workspace_usage and billing's seat sync all use it.

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

-- Members plus distinct open-invitation addresses that are not already members. Callers that
-- decide on the number lock the workspace row first (for no key update), so two concurrent
-- additions cannot both see the last free seat.
create or replace function private.workspace_seats_used(workspace_id uuid)
returns integer
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select count(*)::integer
    from public.workspace_members as m
    where m.workspace_id = workspace_seats_used.workspace_id
  ) + (
    select count(distinct i.email)::integer
    from public.invitations as i
    where i.workspace_id = workspace_seats_used.workspace_id
      and i.accepted_at is null
      and i.revoked_at is null
      and i.expires_at > now()
      and not exists (
        select 1
        from public.workspace_members as m
        join auth.users as u on u.id = m.user_id
        where m.workspace_id = workspace_seats_used.workspace_id
          and lower(u.email) = i.email
      )
  );
end;
$$;

-- Whether `email` already holds a seat in the workspace through an open invitation.
create or replace function private.holds_invited_seat(workspace_id uuid, email text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return holds_invited_seat.email is not null and exists (
    select 1
    from public.invitations as i
    where i.workspace_id = holds_invited_seat.workspace_id
      and i.email = lower(holds_invited_seat.email)
      and i.accepted_at is null
      and i.revoked_at is null
      and i.expires_at > now()
  );
end;
$$;

revoke execute on function private.workspace_seats_used(uuid) from public;
revoke execute on function private.holds_invited_seat(uuid, text) from public;
-- Back-office and billing code running as the service role may read the count directly.
grant execute on function private.workspace_seats_used(uuid) to service_role;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

-- As in 20250102100000_permission_first.sql, with the seat count. The new address is neither a
-- member nor invited (both refused above the count), so it takes one more seat.
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
    seats_taken := private.workspace_seats_used(new.workspace_id);
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

-- A new member takes a seat unless their address already held one through an open invitation
-- (accepting it moves the seat from the invitation to the member). Either way the seats after
-- the insert may not exceed the plan, so a workspace over its limit (after a downgrade) takes
-- in nobody, invited or not.
create or replace function private.enforce_member_limit()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  max_members integer;
  seats_taken integer;
  joining_email text;
begin
  select p.max_members into max_members
  from public.workspaces as w
  join public.plans as p on p.id = w.plan
  where w.id = new.workspace_id
  for no key update of w;

  if max_members is null then
    return new;
  end if;

  seats_taken := private.workspace_seats_used(new.workspace_id);
  select u.email into joining_email from auth.users as u where u.id = new.user_id;

  if seats_taken + (case when private.holds_invited_seat(new.workspace_id, joining_email) then 0 else 1 end)
     > max_members then
    raise exception using
      errcode = 'PT402',
      message = 'plan_limit_reached',
      detail = json_build_object('limit', 'members',
        'max', private.count_for_members(new.workspace_id, max_members),
        'current', private.count_for_members(new.workspace_id, seats_taken))::text,
      hint = 'Upgrade the workspace plan or revoke open invitations to add more members.';
  end if;

  return new;
end;
$$;

-- ---------------------------------------------------------------------------
-- API functions
-- ---------------------------------------------------------------------------

-- As in 20250101000600_usage.sql; pending_invitations now counts the open invitations that hold
-- a seat (distinct addresses of people who are not members yet), so members + pending_invitations
-- is exactly private.workspace_seats_used, the number the limit compares with max_members.
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

comment on function public.workspace_usage(uuid) is
  'Members and open invitations holding a seat (each person once), active projects, next to the plan limits (null = unlimited).';
