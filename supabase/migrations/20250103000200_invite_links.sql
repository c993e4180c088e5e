-- Invite links: a shareable token that lets anyone signed in join a workspace as a chosen role,
-- up to a number of uses, until it expires or is revoked. Made by holders of members.invite, for
-- roles they could give; the token is generated here, returned once by create_invite_link and
-- stored only as its SHA-256 hash. A join re-checks that the link's creator is still a member who
-- could give the role, so a link never outlives its creator's permissions.
--
-- Error messages follow the contract at the top of 20250101000000_setup.sql; this migration adds
-- invite_link_not_found (PT404) and invite_link_expired (PT410: expired, revoked or used up).

-- ---------------------------------------------------------------------------
-- types
-- ---------------------------------------------------------------------------

-- What create_invite_link answers: the link and, this once, its token.
create type public.new_invite_link as (
  id uuid,
  workspace_id uuid,
  role_id uuid,
  max_uses integer,
  use_count integer,
  expires_at timestamptz,
  created_at timestamptz,
  token text
);

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

create table public.invite_links (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  -- Deleting a custom role deletes the links that give it.
  role_id uuid not null references public.roles (id) on delete cascade,
  token_hash text not null check (token_hash ~ '^[0-9a-f]{64}$'),
  -- Who made it; kept without a foreign key so the record outlives the user.
  created_by uuid,
  max_uses integer not null check (max_uses between 1 and 1000),
  use_count integer not null default 0 check (use_count >= 0),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  created_at timestamptz not null default now(),
  constraint invite_links_token_hash_key unique (token_hash),
  constraint invite_links_uses_within_cap check (use_count <= max_uses),
  constraint invite_links_expiry_window check (expires_at > created_at and expires_at <= created_at + interval '30 days')
);

comment on table public.invite_links is
  'Shareable links to join a workspace as a role: multi-use up to max_uses, expiring, revocable; only the token hash is stored.';

create index invite_links_workspace_idx on public.invite_links (workspace_id, created_at desc);
create index invite_links_role_idx on public.invite_links (role_id);

alter table public.invite_links enable row level security;

revoke all on table public.invite_links from anon, authenticated;
grant select on table public.invite_links to authenticated;
grant update (revoked_at) on table public.invite_links to authenticated;
grant all on table public.invite_links to service_role;

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

-- Whether `user_id` could give `role_id` in the workspace right now: a member holding
-- `via_permission` and every permission of the role (never the owner role). The same rule as
-- can_assign_role, for someone other than the caller (a link's creator, a domain's verifier).
create or replace function private.member_could_give(
  workspace_id uuid,
  user_id uuid,
  role_id uuid,
  via_permission text
)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  held text[];
  target public.roles;
begin
  select r.permissions into held
  from public.workspace_members as m
  join public.roles as r on r.id = m.role_id
  where m.workspace_id = member_could_give.workspace_id
    and m.user_id = member_could_give.user_id;
  if held is null or not (member_could_give.via_permission = any (held)) then
    return false;
  end if;
  select * into target
  from public.roles as r
  where r.id = member_could_give.role_id
    and (r.workspace_id is null or r.workspace_id = member_could_give.workspace_id);
  return found and target.builtin is distinct from 'owner' and target.permissions <@ held;
end;
$$;

-- 32 random bytes as base64url: unguessable and safe in a URL.
create or replace function private.new_url_token()
returns text
language sql
volatile
set search_path = ''
as $$
  select rtrim(translate(encode(extensions.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
$$;

revoke execute on function private.member_could_give(uuid, uuid, uuid, text) from public;
revoke execute on function private.new_url_token() from public;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

-- Revocation is final.
create or replace function private.guard_invite_link_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at then
    raise exception using errcode = '22023', message = 'invalid_input',
      detail = 'A revoked link stays revoked; create a new one instead.';
  end if;
  return new;
end;
$$;

revoke execute on function private.guard_invite_link_update() from public;

create trigger invite_links_guard_update
  before update on public.invite_links
  for each row execute function private.guard_invite_link_update();

create trigger invite_links_audit
  after insert or update or delete on public.invite_links
  for each row execute function private.audit_change('id', 'token_hash');

-- ---------------------------------------------------------------------------
-- policies
-- ---------------------------------------------------------------------------

create policy "Inviters can read invite links"
  on public.invite_links for select
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('members.invite'))::uuid[]));

create policy "Inviters can revoke invite links of roles they could give"
  on public.invite_links for update
  to authenticated
  using (
    workspace_id = any ((select private.permitted_workspace_ids('members.invite'))::uuid[])
    and private.can_assign_role(workspace_id, role_id)
  )
  with check (
    workspace_id = any ((select private.permitted_workspace_ids('members.invite'))::uuid[])
    and private.can_assign_role(workspace_id, role_id)
  );

-- ---------------------------------------------------------------------------
-- API functions
-- ---------------------------------------------------------------------------

create or replace function private.create_invite_link(
  workspace_id uuid,
  role_id uuid,
  max_uses integer,
  expires_at timestamptz
)
returns public.new_invite_link
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  new_token text := private.new_url_token();
  link public.invite_links;
begin
  if caller is null then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
  if not private.is_member(create_invite_link.workspace_id) then
    raise exception using errcode = 'PT404', message = 'workspace_not_found';
  end if;
  if not private.has_permission(create_invite_link.workspace_id, 'members.invite') then
    raise exception using errcode = '42501', message = 'forbidden',
      detail = 'Creating invite links needs members.invite.';
  end if;
  if not exists (
    select 1 from public.roles as r
    where r.id = create_invite_link.role_id
      and (r.workspace_id is null or r.workspace_id = create_invite_link.workspace_id)
  ) then
    raise exception using errcode = 'PT404', message = 'role_not_found';
  end if;
  if not private.member_could_give(create_invite_link.workspace_id, caller, create_invite_link.role_id, 'members.invite') then
    raise exception using errcode = '42501', message = 'forbidden',
      detail = 'A link may give only a role whose permissions you hold (never owner).';
  end if;
  if create_invite_link.max_uses is null or create_invite_link.max_uses not between 1 and 1000 then
    raise exception using errcode = '22023', message = 'invalid_input',
      detail = 'max_uses must be between 1 and 1000.';
  end if;
  if create_invite_link.expires_at is null
     or create_invite_link.expires_at < now() + interval '1 hour'
     or create_invite_link.expires_at > now() + interval '30 days' then
    raise exception using errcode = '22023', message = 'invalid_input',
      detail = 'expires_at must be between 1 hour and 30 days from now.';
  end if;

  insert into public.invite_links (workspace_id, role_id, token_hash, created_by, max_uses, expires_at)
  values (
    create_invite_link.workspace_id,
    create_invite_link.role_id,
    encode(sha256(convert_to(new_token, 'UTF8')), 'hex'),
    caller,
    create_invite_link.max_uses,
    create_invite_link.expires_at
  )
  returning * into link;

  return (link.id, link.workspace_id, link.role_id, link.max_uses, link.use_count,
    link.expires_at, link.created_at, new_token)::public.new_invite_link;
end;
$$;

revoke execute on function private.create_invite_link(uuid, uuid, integer, timestamptz) from public;
grant execute on function private.create_invite_link(uuid, uuid, integer, timestamptz) to authenticated;

create or replace function public.create_invite_link(
  workspace_id uuid,
  role_id uuid,
  max_uses integer default 10,
  expires_at timestamptz default now() + interval '7 days'
)
returns public.new_invite_link
language sql
security invoker
set search_path = ''
as $$
  select * from private.create_invite_link(workspace_id, role_id, max_uses, expires_at);
$$;

comment on function public.create_invite_link(uuid, uuid, integer, timestamptz) is
  'Creates a shareable invite link (members.invite, for a role you could give); the token is returned only here.';

revoke execute on function public.create_invite_link(uuid, uuid, integer, timestamptz) from public, anon;
grant execute on function public.create_invite_link(uuid, uuid, integer, timestamptz) to authenticated;

-- Joins the signed-in user to the link's workspace as its role and counts the use. A member who
-- follows the link again gets the workspace back without using it up.
create or replace function private.join_invite_link(token text)
returns public.workspaces
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  link public.invite_links;
  joined public.workspaces;
begin
  if caller is null then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
  if token is null or char_length(token) not between 16 and 512 then
    raise exception using errcode = 'PT404', message = 'invite_link_not_found';
  end if;

  select * into link
  from public.invite_links as l
  where l.token_hash = encode(sha256(convert_to(join_invite_link.token, 'UTF8')), 'hex')
  for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'invite_link_not_found';
  end if;

  if exists (
    select 1 from public.workspace_members as m
    where m.workspace_id = link.workspace_id and m.user_id = caller
  ) then
    select * into joined from public.workspaces as w where w.id = link.workspace_id;
    return joined;
  end if;

  if link.revoked_at is not null then
    raise exception using errcode = 'PT410', message = 'invite_link_expired', detail = 'The link was revoked.';
  end if;
  if link.expires_at <= now() then
    raise exception using errcode = 'PT410', message = 'invite_link_expired', detail = 'The link has expired.';
  end if;
  if link.use_count >= link.max_uses then
    raise exception using errcode = 'PT410', message = 'invite_link_expired', detail = 'The link was used up.';
  end if;
  if link.created_by is null
     or not private.member_could_give(link.workspace_id, link.created_by, link.role_id, 'members.invite') then
    raise exception using errcode = 'PT410', message = 'invite_link_expired',
      detail = 'The link''s creator can no longer give its role.';
  end if;

  -- The member-limit trigger checks the plan's seats under the workspace lock.
  insert into public.workspace_members (workspace_id, user_id, role_id)
  values (link.workspace_id, caller, link.role_id);

  update public.invite_links as l
  set use_count = l.use_count + 1
  where l.id = link.id;

  select * into joined from public.workspaces as w where w.id = link.workspace_id;
  return joined;
end;
$$;

revoke execute on function private.join_invite_link(text) from public;
grant execute on function private.join_invite_link(text) to authenticated;

create or replace function public.join_invite_link(token text)
returns public.workspaces
language sql
security invoker
set search_path = ''
as $$
  select * from private.join_invite_link(token);
$$;

comment on function public.join_invite_link(text) is
  'Joins the workspace of an invite link as its role, while it is open (not expired, revoked or used up).';

revoke execute on function public.join_invite_link(text) from public, anon;
grant execute on function public.join_invite_link(text) to authenticated;
