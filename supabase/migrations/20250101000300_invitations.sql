-- Invitations to join a workspace. Only a SHA-256 hash of the token is
-- stored; the invite-member edge function generates the token, mails it and
-- inserts the row as the calling admin (through RLS), and the invitee redeems
-- it with accept_invitation(token).
-- Error messages follow the contract at the top of 20250101000000_setup.sql.

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  -- Stored lower-cased by the insert trigger.
  email text not null check (char_length(email) <= 320 and email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  role public.workspace_role not null default 'member' check (role <> 'owner'),
  token_hash text not null check (token_hash ~ '^[0-9a-f]{64}$'),
  -- Who sent it; kept without a foreign key so the record outlives the user.
  invited_by uuid default auth.uid(),
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_at timestamptz,
  accepted_by uuid,
  revoked_at timestamptz,
  created_at timestamptz not null default now(),
  constraint invitations_token_hash_key unique (token_hash),
  constraint invitations_expiry_window check (expires_at > created_at and expires_at <= created_at + interval '30 days'),
  constraint invitations_single_outcome check (accepted_at is null or revoked_at is null)
);

create index invitations_workspace_id_idx on public.invitations (workspace_id, created_at desc);

-- One open invitation per address and workspace.
create unique index invitations_open_email_key
  on public.invitations (workspace_id, email)
  where accepted_at is null and revoked_at is null;

alter table public.invitations enable row level security;

revoke all on table public.invitations from anon, authenticated;
grant select, delete on table public.invitations to authenticated;
grant insert (workspace_id, email, role, token_hash, expires_at) on table public.invitations to authenticated;
grant update (revoked_at) on table public.invitations to authenticated;
grant all on table public.invitations to service_role;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

-- An open invitation holds a seat: members plus open invitations may not
-- exceed the plan. The workspace row is locked before counting, so of two
-- concurrent invitations for the last seat exactly one succeeds.
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
        detail = json_build_object('limit', 'members', 'max', max_members, 'current', seats_taken)::text,
        hint = 'Upgrade the workspace plan or revoke open invitations.';
    end if;
  end if;

  return new;
end;
$$;

revoke execute on function private.prepare_invitation() from public;

create trigger invitations_prepare
  before insert on public.invitations
  for each row execute function private.prepare_invitation();

-- Revocation is final, and an accepted invitation cannot be revoked.
create or replace function private.guard_invitation_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.accepted_at is not null and new.revoked_at is distinct from old.revoked_at then
    raise exception using errcode = 'PT409', message = 'invitation_already_accepted';
  end if;
  if old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at then
    raise exception using errcode = '22023', message = 'invalid_input',
      detail = 'A revoked invitation stays revoked; send a new one instead.';
  end if;
  return new;
end;
$$;

revoke execute on function private.guard_invitation_update() from public;

create trigger invitations_guard_update
  before update on public.invitations
  for each row execute function private.guard_invitation_update();

-- ---------------------------------------------------------------------------
-- policies
-- ---------------------------------------------------------------------------

create policy "Admins can read invitations of their workspaces"
  on public.invitations for select
  to authenticated
  using (workspace_id = any ((select private.current_user_workspace_ids('admin'))::uuid[]));

create policy "Admins can invite people to their workspaces"
  on public.invitations for insert
  to authenticated
  with check (workspace_id = any ((select private.current_user_workspace_ids('admin'))::uuid[]));

create policy "Admins can revoke invitations of their workspaces"
  on public.invitations for update
  to authenticated
  using (workspace_id = any ((select private.current_user_workspace_ids('admin'))::uuid[]))
  with check (workspace_id = any ((select private.current_user_workspace_ids('admin'))::uuid[]));

create policy "Admins can delete invitations of their workspaces"
  on public.invitations for delete
  to authenticated
  using (workspace_id = any ((select private.current_user_workspace_ids('admin'))::uuid[]));

-- ---------------------------------------------------------------------------
-- API functions
-- ---------------------------------------------------------------------------

create or replace function private.accept_invitation(token text)
returns public.workspaces
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  caller_email text;
  caller_confirmed_at timestamptz;
  invitation public.invitations;
  joined public.workspaces;
begin
  if caller is null then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
  if token is null or char_length(token) not between 16 and 512 then
    raise exception using errcode = 'PT404', message = 'invitation_not_found';
  end if;

  select * into invitation
  from public.invitations as i
  where i.token_hash = encode(sha256(convert_to(accept_invitation.token, 'UTF8')), 'hex')
  for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'invitation_not_found';
  end if;

  select lower(u.email), u.email_confirmed_at into caller_email, caller_confirmed_at
  from auth.users as u
  where u.id = caller;
  if caller_email is distinct from invitation.email then
    raise exception using errcode = '42501', message = 'invitation_email_mismatch',
      detail = 'This invitation was sent to a different email address.';
  end if;
  -- An unconfirmed address proves nothing about who holds the mailbox.
  if caller_confirmed_at is null then
    raise exception using errcode = '42501', message = 'email_not_confirmed';
  end if;

  if invitation.revoked_at is not null then
    raise exception using errcode = 'PT410', message = 'invitation_revoked';
  end if;
  if invitation.accepted_at is not null then
    if invitation.accepted_by = caller then
      -- Accepting twice (a double click, a retried request) is harmless.
      select * into joined from public.workspaces as w where w.id = invitation.workspace_id;
      return joined;
    end if;
    raise exception using errcode = 'PT409', message = 'invitation_already_accepted';
  end if;
  if invitation.expires_at <= now() then
    raise exception using errcode = 'PT410', message = 'invitation_expired';
  end if;

  if exists (
    select 1 from public.workspace_members as m
    where m.workspace_id = invitation.workspace_id and m.user_id = caller
  ) then
    raise exception using errcode = 'PT409', message = 'already_member';
  end if;

  -- The member-limit trigger re-checks the plan under the workspace lock.
  insert into public.workspace_members (workspace_id, user_id, role)
  values (invitation.workspace_id, caller, invitation.role);

  update public.invitations as i
  set accepted_at = now(), accepted_by = caller
  where i.id = invitation.id;

  select * into joined from public.workspaces as w where w.id = invitation.workspace_id;
  return joined;
end;
$$;

revoke execute on function private.accept_invitation(text) from public;
grant execute on function private.accept_invitation(text) to authenticated, service_role;

create or replace function public.accept_invitation(token text)
returns public.workspaces
language sql
security invoker
set search_path = ''
as $$
  select * from private.accept_invitation(token);
$$;

comment on function public.accept_invitation(text) is
  'Redeems an invitation token for the signed-in user whose confirmed email it was sent to.';

revoke execute on function public.accept_invitation(text) from public, anon;
grant execute on function public.accept_invitation(text) to authenticated, service_role;
