-- The invitation lifecycle after sending: the inviter chooses the expiry (1 hour to 30 days),
-- changes the role while the invitation is open, and resends it — a new token mailed by the
-- resend-invitation edge function, rate limited per invitation with a growing wait (1 minute after
-- the first send, doubling with each resend, at most 1 hour), answered with
-- `invitation_resend_too_soon` and `{"retry_after_seconds": n}`. Revoking stays an update of
-- `revoked_at`; listing is a read of the open rows. All of it is for holders of members.invite,
-- and only for invitations whose role they could give themselves.
--
-- Error messages follow the contract at the top of 20250101000000_setup.sql; this migration adds
-- invitation_resend_too_soon (PT429).

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

alter table public.invitations
  add column last_sent_at timestamptz not null default now(),
  add column send_count integer not null default 1 check (send_count >= 1);

comment on column public.invitations.send_count is 'How many times the invitation was mailed (the first send and each resend).';

grant update (role) on table public.invitations to authenticated;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

-- The inviter's expiry must lie between 1 hour and 30 days from now. Named to run before
-- invitations_prepare; it looks at the new row only, never at the workspace.
create or replace function private.check_invitation_expiry()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.expires_at < now() + interval '1 hour' or new.expires_at > now() + interval '30 days' then
    raise exception using errcode = '22023', message = 'invalid_input',
      detail = 'expires_at must be between 1 hour and 30 days from now.';
  end if;
  return new;
end;
$$;

revoke execute on function private.check_invitation_expiry() from public;

create trigger invitations_check_expiry
  before insert on public.invitations
  for each row execute function private.check_invitation_expiry();

-- As in 20250101000300_invitations.sql, plus: the role changes only while the invitation is open.
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
  if new.role is distinct from old.role then
    if old.accepted_at is not null then
      raise exception using errcode = 'PT409', message = 'invitation_already_accepted';
    end if;
    if old.revoked_at is not null then
      raise exception using errcode = 'PT410', message = 'invitation_revoked';
    end if;
    if old.expires_at <= now() then
      raise exception using errcode = 'PT410', message = 'invitation_expired';
    end if;
  end if;
  return new;
end;
$$;

-- ---------------------------------------------------------------------------
-- policies
-- ---------------------------------------------------------------------------

-- Revoking or changing an invitation is, like sending it, limited to roles the caller could give:
-- its role before the change and after.
drop policy "Inviters can revoke invitations" on public.invitations;

create policy "Inviters can revoke and change invitations of roles they could give"
  on public.invitations for update
  to authenticated
  using (
    workspace_id = any ((select private.permitted_workspace_ids('members.invite'))::uuid[])
    and private.can_assign_role(workspace_id, private.builtin_role_id(role))
  )
  with check (
    workspace_id = any ((select private.permitted_workspace_ids('members.invite'))::uuid[])
    and private.can_assign_role(workspace_id, private.builtin_role_id(role))
  );

-- ---------------------------------------------------------------------------
-- API functions
-- ---------------------------------------------------------------------------

-- Replaces the token of an open invitation (the old link stops working) and counts the send.
-- Anyone who may not manage the invitation — outsiders, members without members.invite — gets
-- invitation_not_found, as for an id that does not exist.
create or replace function private.resend_invitation(invitation_id uuid, token_hash text)
returns public.invitations
language plpgsql
security definer
set search_path = ''
as $$
declare
  invitation public.invitations;
  wait_seconds integer;
  remaining integer;
begin
  if (select auth.uid()) is null then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;

  select * into invitation
  from public.invitations as i
  where i.id = resend_invitation.invitation_id
  for update;
  if not found or not private.has_permission(invitation.workspace_id, 'members.invite') then
    raise exception using errcode = 'PT404', message = 'invitation_not_found';
  end if;
  if not private.can_assign_role(invitation.workspace_id, private.builtin_role_id(invitation.role)) then
    raise exception using errcode = '42501', message = 'forbidden',
      detail = 'Resending an invitation needs every permission of its role.';
  end if;
  if resend_invitation.token_hash is null or resend_invitation.token_hash !~ '^[0-9a-f]{64}$' then
    raise exception using errcode = '22023', message = 'invalid_input',
      detail = 'token_hash must be the lower-case hex SHA-256 of the new token.';
  end if;
  if invitation.accepted_at is not null then
    raise exception using errcode = 'PT409', message = 'invitation_already_accepted';
  end if;
  if invitation.revoked_at is not null then
    raise exception using errcode = 'PT410', message = 'invitation_revoked';
  end if;
  if invitation.expires_at <= now() then
    raise exception using errcode = 'PT410', message = 'invitation_expired';
  end if;

  wait_seconds := least(3600, 60 * power(2, least(invitation.send_count - 1, 6))::integer);
  remaining := ceil(extract(epoch from (invitation.last_sent_at + make_interval(secs => wait_seconds) - now())))::integer;
  if remaining > 0 then
    raise exception using errcode = 'PT429', message = 'invitation_resend_too_soon',
      detail = json_build_object('retry_after_seconds', remaining)::text,
      hint = 'Wait retry_after_seconds before resending this invitation.';
  end if;

  update public.invitations as i
  set token_hash = resend_invitation.token_hash,
    last_sent_at = now(),
    send_count = i.send_count + 1
  where i.id = invitation.id
  returning * into invitation;
  return invitation;
end;
$$;

revoke execute on function private.resend_invitation(uuid, text) from public;
grant execute on function private.resend_invitation(uuid, text) to authenticated;

create or replace function public.resend_invitation(invitation_id uuid, token_hash text)
returns public.invitations
language sql
security invoker
set search_path = ''
as $$
  select * from private.resend_invitation(invitation_id, token_hash);
$$;

comment on function public.resend_invitation(uuid, text) is
  'Gives an open invitation a new token (called by the resend-invitation function, which mails it); rate limited per invitation.';

revoke execute on function public.resend_invitation(uuid, text) from public, anon;
grant execute on function public.resend_invitation(uuid, text) to authenticated;
