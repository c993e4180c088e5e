-- Verified email domains. A holder of domains.manage verifies a domain for the workspace by
-- having a confirmed email address at it themselves — no DNS record, so it works the same on a
-- laptop as hosted: Auth already proved they hold a mailbox there. Addresses at public mail
-- providers verify nothing about an organisation and are refused. People whose confirmed address
-- is at a verified domain see the workspace in suggested_workspaces(); when the domain has a join
-- role they may join_workspace_by_domain() as that role. As with invite links, a join re-checks
-- that the verifier could still give the role.
--
-- Error messages follow the contract at the top of 20250101000000_setup.sql; this migration adds
-- domain_not_verified (42501).

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

create table public.workspace_domains (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  domain text not null check (domain ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$' and char_length(domain) <= 253),
  -- null: people at the domain see the workspace as suggested but need an invitation to join.
  join_role_id uuid references public.roles (id) on delete set null,
  verified_by uuid,
  verified_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  constraint workspace_domains_workspace_domain_key unique (workspace_id, domain)
);

comment on table public.workspace_domains is
  'Email domains a workspace verified (by a domains.manage holder''s confirmed address there), with the role people at them may join as.';

create index workspace_domains_domain_idx on public.workspace_domains (domain);
create index workspace_domains_join_role_idx on public.workspace_domains (join_role_id);

alter table public.workspace_domains enable row level security;

revoke all on table public.workspace_domains from anon, authenticated;
grant select, delete on table public.workspace_domains to authenticated;
grant all on table public.workspace_domains to service_role;

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

-- The domain of the caller's email when Auth has confirmed it, else null.
create or replace function private.confirmed_email_domain()
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select lower(split_part(u.email, '@', 2))
    from auth.users as u
    where u.id = (select auth.uid())
      and u.email_confirmed_at is not null
      and u.email like '%@%'
  );
end;
$$;

-- Mail providers anyone can sign up with: a mailbox there proves nothing about an organisation.
create or replace function private.is_public_mail_domain(domain text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select is_public_mail_domain.domain = any (array[
    'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'yahoo.com',
    'ymail.com', 'icloud.com', 'me.com', 'mac.com', 'aol.com', 'proton.me', 'protonmail.com',
    'gmx.com', 'gmx.de', 'gmx.net', 'web.de', 'mail.com', 'yandex.com', 'yandex.ru', 'mail.ru',
    'qq.com', '163.com', 'zoho.com', 'fastmail.com', 'hey.com', 'tutanota.com'
  ]);
$$;

revoke execute on function private.confirmed_email_domain() from public;
revoke execute on function private.is_public_mail_domain(text) from public;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

create trigger workspace_domains_audit
  after insert or update or delete on public.workspace_domains
  for each row execute function private.audit_change('id');

-- ---------------------------------------------------------------------------
-- policies
-- ---------------------------------------------------------------------------

create policy "Domain managers can read the verified domains"
  on public.workspace_domains for select
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('domains.manage'))::uuid[]));

create policy "Domain managers can remove verified domains"
  on public.workspace_domains for delete
  to authenticated
  using (workspace_id = any ((select private.permitted_workspace_ids('domains.manage'))::uuid[]));

-- ---------------------------------------------------------------------------
-- API functions
-- ---------------------------------------------------------------------------

-- Verifies `domain` for the workspace (or re-verifies it with another join role).
create or replace function private.verify_workspace_domain(workspace_id uuid, domain text, join_role_id uuid)
returns public.workspace_domains
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  wanted text := lower(btrim(verify_workspace_domain.domain));
  verified public.workspace_domains;
begin
  if caller is null then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
  if not private.is_member(verify_workspace_domain.workspace_id) then
    raise exception using errcode = 'PT404', message = 'workspace_not_found';
  end if;
  if not private.has_permission(verify_workspace_domain.workspace_id, 'domains.manage') then
    raise exception using errcode = '42501', message = 'forbidden', detail = 'Verifying domains needs domains.manage.';
  end if;
  if wanted is null or wanted !~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$' or char_length(wanted) > 253 then
    raise exception using errcode = '22023', message = 'invalid_input', detail = 'domain must be a domain name such as acme.com.';
  end if;
  if private.is_public_mail_domain(wanted) then
    raise exception using errcode = '22023', message = 'invalid_input',
      detail = 'Addresses at a public mail provider cannot verify a domain.';
  end if;
  if private.confirmed_email_domain() is distinct from wanted then
    raise exception using errcode = '42501', message = 'domain_not_verified',
      detail = 'Verify a domain while signed in with a confirmed email address at it.';
  end if;
  if verify_workspace_domain.join_role_id is not null then
    if not exists (
      select 1 from public.roles as r
      where r.id = verify_workspace_domain.join_role_id
        and (r.workspace_id is null or r.workspace_id = verify_workspace_domain.workspace_id)
    ) then
      raise exception using errcode = 'PT404', message = 'role_not_found';
    end if;
    if not private.member_could_give(verify_workspace_domain.workspace_id, caller, verify_workspace_domain.join_role_id, 'domains.manage') then
      raise exception using errcode = '42501', message = 'forbidden',
        detail = 'People may join only as a role whose permissions you hold (never owner).';
    end if;
  end if;

  insert into public.workspace_domains as d (workspace_id, domain, join_role_id, verified_by)
  values (verify_workspace_domain.workspace_id, wanted, verify_workspace_domain.join_role_id, caller)
  on conflict on constraint workspace_domains_workspace_domain_key do update
    set join_role_id = excluded.join_role_id, verified_by = excluded.verified_by, verified_at = now()
  returning * into verified;
  return verified;
end;
$$;

revoke execute on function private.verify_workspace_domain(uuid, text, uuid) from public;
grant execute on function private.verify_workspace_domain(uuid, text, uuid) to authenticated;

create or replace function public.verify_workspace_domain(workspace_id uuid, domain text, join_role_id uuid default null)
returns public.workspace_domains
language sql
security invoker
set search_path = ''
as $$
  select * from private.verify_workspace_domain(workspace_id, domain, join_role_id);
$$;

comment on function public.verify_workspace_domain(uuid, text, uuid) is
  'Verifies an email domain for a workspace (domains.manage, signed in with a confirmed address at it), with an optional join role.';

revoke execute on function public.verify_workspace_domain(uuid, text, uuid) from public, anon;
grant execute on function public.verify_workspace_domain(uuid, text, uuid) to authenticated;

-- Workspaces with a verified domain matching the caller's confirmed address that they are not in.
-- can_join: the domain has a join role its verifier could still give.
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
    and not private.is_member(w.id)
  order by w.name, w.id;
end;
$$;

revoke execute on function private.suggested_workspaces() from public;
grant execute on function private.suggested_workspaces() to authenticated;

create or replace function public.suggested_workspaces()
returns table (workspace_id uuid, name text, slug text, domain text, can_join boolean)
language sql
stable
security invoker
set search_path = ''
as $$
  select * from private.suggested_workspaces();
$$;

comment on function public.suggested_workspaces() is
  'Workspaces that verified the domain of your confirmed email address and that you are not in.';

revoke execute on function public.suggested_workspaces() from public, anon;
grant execute on function public.suggested_workspaces() to authenticated;

-- Joins a workspace through a verified domain with a join role. Anyone else — another domain, an
-- unconfirmed address, a suggest-only domain, no such workspace — gets workspace_not_found.
create or replace function private.join_workspace_by_domain(workspace_id uuid)
returns public.workspaces
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  route public.workspace_domains;
  joined public.workspaces;
begin
  if caller is null then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
  if private.is_member(join_workspace_by_domain.workspace_id) then
    select * into joined from public.workspaces as w where w.id = join_workspace_by_domain.workspace_id;
    return joined;
  end if;

  select * into route
  from public.workspace_domains as d
  where d.workspace_id = join_workspace_by_domain.workspace_id
    and d.domain = private.confirmed_email_domain()
    and d.join_role_id is not null
    and d.verified_by is not null
    and private.member_could_give(d.workspace_id, d.verified_by, d.join_role_id, 'domains.manage');
  if not found then
    raise exception using errcode = 'PT404', message = 'workspace_not_found';
  end if;

  -- The member-limit trigger checks the plan's seats under the workspace lock.
  insert into public.workspace_members (workspace_id, user_id, role_id)
  values (route.workspace_id, caller, route.join_role_id);

  select * into joined from public.workspaces as w where w.id = route.workspace_id;
  return joined;
end;
$$;

revoke execute on function private.join_workspace_by_domain(uuid) from public;
grant execute on function private.join_workspace_by_domain(uuid) to authenticated;

create or replace function public.join_workspace_by_domain(workspace_id uuid)
returns public.workspaces
language sql
security invoker
set search_path = ''
as $$
  select * from private.join_workspace_by_domain(workspace_id);
$$;

comment on function public.join_workspace_by_domain(uuid) is
  'Joins a workspace as its domain''s join role when your confirmed email address is at a domain it verified.';

revoke execute on function public.join_workspace_by_domain(uuid) from public, anon;
grant execute on function public.join_workspace_by_domain(uuid) to authenticated;
