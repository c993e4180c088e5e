-- Plans and their limits live in data so a plan can change without a deploy.
-- Limits are enforced by the triggers in the workspaces, invitations and
-- projects migrations; usage is reported by workspace_usage().

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

create table public.plans (
  id text primary key check (id ~ '^[a-z][a-z0-9_]{0,31}$'),
  name text not null check (char_length(name) between 1 and 60),
  -- null means unlimited
  max_members integer check (max_members > 0),
  max_projects integer check (max_projects > 0),
  storage_limit_bytes bigint not null check (storage_limit_bytes >= 0),
  created_at timestamptz not null default now()
);

comment on table public.plans is 'Subscription plans and their limits; null limits are unlimited.';

insert into public.plans (id, name, max_members, max_projects, storage_limit_bytes) values
  ('free', 'Free', 5, 3, 1073741824),
  ('pro', 'Pro', 50, null, 107374182400);

alter table public.plans enable row level security;

revoke all on table public.plans from anon, authenticated;
grant select on table public.plans to authenticated;
grant all on table public.plans to service_role;

-- ---------------------------------------------------------------------------
-- policies
-- ---------------------------------------------------------------------------

create policy "Signed-in users can read plans"
  on public.plans for select
  to authenticated
  using (true);
