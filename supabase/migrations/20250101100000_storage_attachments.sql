-- Files: task attachments in the private `attachments` bucket and profile pictures in the
-- public `avatars` bucket. The buckets, their policies on storage.objects and the
-- attachments table live here so a hosted project gets exactly what the local stack runs.
--
--   attachments/<workspace_id>/<task_id>/<file name>
--     read: every member of the workspace (viewers included)
--     upload: members and above, into a task of their workspace
--     replace / delete: the uploader while still in the workspace, or an admin / owner
--     every object has a public.attachments row (kept by triggers), so a task fetched with
--     `select=*,attachments(*)` lists its files; uploads beyond the plan's storage
--     (free 1 GiB, pro 100 GiB: plans.storage_limit_bytes) are refused.
--   avatars/<user_id>/<file name>
--     read: everyone (public bucket); write: only the user whose folder it is
--
-- Error messages are codes of supabase/functions/_shared/error-vocabulary.ts. Over quota
-- is `plan_limit_reached` with SQLSTATE 42501: hosted Storage turns 42501 into a 403
-- carrying the message (any other code would surface as a 500 "database error").

-- ---------------------------------------------------------------------------
-- buckets
-- ---------------------------------------------------------------------------

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values
  -- Attachments take any type; their size is bounded by the project-wide upload limit.
  ('attachments', 'attachments', false, null, null),
  ('avatars', 'avatars', true, 5242880, array['image/png', 'image/jpeg', 'image/gif', 'image/webp'])
on conflict (id) do update set
  public = excluded.public,
  file_size_limit = excluded.file_size_limit,
  allowed_mime_types = excluded.allowed_mime_types;

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

create table public.attachments (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  task_id uuid not null,
  -- storage.objects.id: stable across overwrites and moves, unlike the path.
  object_id uuid not null,
  -- Name of the object inside the `attachments` bucket.
  object_path text not null,
  file_name text not null,
  size_bytes bigint not null default 0 check (size_bytes >= 0),
  mime_type text not null default 'application/octet-stream',
  -- Kept without a foreign key so an attachment outlives its uploader's account.
  uploaded_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint attachments_object_key unique (object_id),
  constraint attachments_object_path_key unique (object_path),
  constraint attachments_path_in_task_folder
    check (object_path like workspace_id::text || '/' || task_id::text || '/_%'),
  constraint attachments_task_fkey foreign key (task_id, workspace_id)
    references public.tasks (id, workspace_id) on delete cascade
);

-- Serves the task embed and the foreign key.
create index attachments_task_idx on public.attachments (task_id, workspace_id, created_at);
-- Serves the quota sum.
create index attachments_workspace_idx on public.attachments (workspace_id);

alter table public.attachments enable row level security;

-- Rows are written only by the storage.objects triggers below: upload, move and delete
-- files through the Storage API and the table follows.
revoke all on table public.attachments from anon, authenticated;
grant select on table public.attachments to authenticated;
grant select on table public.attachments to service_role;

create trigger attachments_set_updated_at
  before update on public.attachments
  for each row execute function private.set_updated_at();

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

-- Object names are user input: a folder that is not a uuid must make a policy say no,
-- not make the whole query fail on a cast.
create or replace function private.uuid_or_null(value text)
returns uuid
language sql
immutable
set search_path = ''
as $$
  select case
    when value ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then value::uuid
  end;
$$;

-- Is `name` an attachment path (<workspace>/<task>/<file>) whose task is in that workspace?
create or replace function private.is_attachment_path(name text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_length(storage.foldername(name), 1) = 2, false)
    and exists (
      select 1
      from public.tasks as t
      where t.id = private.uuid_or_null((storage.foldername(name))[2])
        and t.workspace_id = private.uuid_or_null((storage.foldername(name))[1])
    );
$$;

revoke execute on function private.uuid_or_null(text) from public;
revoke execute on function private.is_attachment_path(text) from public;
grant execute on function private.uuid_or_null(text) to authenticated, service_role;
grant execute on function private.is_attachment_path(text) to authenticated, service_role;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

-- The plan's storage quota, checked when an object's bytes are recorded. The workspace
-- row is locked first so concurrent uploads cannot overshoot together.
create or replace function private.enforce_storage_quota()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  target_workspace uuid := private.uuid_or_null((storage.foldername(new.name))[1]);
  new_size bigint := coalesce((new.metadata ->> 'size')::bigint, 0);
  max_bytes bigint;
  used_bytes bigint;
begin
  if new.bucket_id <> 'attachments' or target_workspace is null or new_size = 0 then
    return new;
  end if;

  select p.storage_limit_bytes into max_bytes
  from public.workspaces as w
  join public.plans as p on p.id = w.plan
  where w.id = target_workspace
  for no key update of w;

  if max_bytes is null then
    return new;
  end if;

  -- The object being replaced no longer counts: matched by id on updates and moves, and by
  -- path on the insert half of an upsert (which carries a fresh id until it conflicts).
  select coalesce(sum(a.size_bytes), 0) into used_bytes
  from public.attachments as a
  where a.workspace_id = target_workspace
    and a.object_id <> new.id
    and a.object_path <> new.name;

  if used_bytes + new_size > max_bytes then
    raise exception using
      errcode = '42501',
      message = 'plan_limit_reached',
      detail = json_build_object('limit', 'storage', 'max', max_bytes, 'current', used_bytes, 'requested', new_size)::text,
      hint = 'Upgrade the workspace plan or delete attachments to free space.';
  end if;

  return new;
end;
$$;

revoke execute on function private.enforce_storage_quota() from public;

create trigger enforce_attachments_storage_quota
  before insert or update of name, bucket_id, metadata on storage.objects
  for each row execute function private.enforce_storage_quota();

-- Keeps public.attachments in step with the `attachments` bucket: one row per object,
-- moved with it, and gone with it (also when it leaves the bucket).
create or replace function private.sync_attachment()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  target_workspace uuid;
  target_task uuid;
begin
  if tg_op = 'DELETE' then
    delete from public.attachments as a where a.object_id = old.id;
    return old;
  end if;

  target_workspace := private.uuid_or_null((storage.foldername(new.name))[1]);
  target_task := private.uuid_or_null((storage.foldername(new.name))[2]);
  if new.bucket_id <> 'attachments'
    or target_workspace is null
    or target_task is null
    or array_length(storage.foldername(new.name), 1) <> 2 then
    -- Not (or no longer) an attachment; only the service role can put such objects here.
    delete from public.attachments as a where a.object_id = new.id;
    return new;
  end if;

  insert into public.attachments as a (
    workspace_id, task_id, object_id, object_path, file_name, size_bytes, mime_type, uploaded_by
  )
  values (
    target_workspace,
    target_task,
    new.id,
    new.name,
    storage.filename(new.name),
    coalesce((new.metadata ->> 'size')::bigint, 0),
    coalesce(new.metadata ->> 'mimetype', 'application/octet-stream'),
    private.uuid_or_null(coalesce(new.owner_id, new.owner::text))
  )
  on conflict (object_id) do update set
    workspace_id = excluded.workspace_id,
    task_id = excluded.task_id,
    object_path = excluded.object_path,
    file_name = excluded.file_name,
    size_bytes = excluded.size_bytes,
    mime_type = excluded.mime_type,
    uploaded_by = excluded.uploaded_by;
  return new;
end;
$$;

revoke execute on function private.sync_attachment() from public;

create trigger sync_attachments
  after insert or update or delete on storage.objects
  for each row execute function private.sync_attachment();

-- ---------------------------------------------------------------------------
-- policies: attachments bucket
-- ---------------------------------------------------------------------------

create policy "Members can read the attachments of their workspaces"
  on storage.objects for select
  to authenticated
  using (
    bucket_id = 'attachments'
    and (storage.foldername(name))[1] = any ((select private.current_user_workspace_ids())::text[])
  );

create policy "Members can attach files to tasks of their workspaces"
  on storage.objects for insert
  to authenticated
  with check (
    bucket_id = 'attachments'
    and (storage.foldername(name))[1] = any ((select private.current_user_workspace_ids('member'))::text[])
    and private.is_attachment_path(name)
  );

create policy "Uploaders and admins can replace attachments"
  on storage.objects for update
  to authenticated
  using (
    bucket_id = 'attachments'
    and (
      (
        owner_id = (select auth.uid())::text
        and (storage.foldername(name))[1] = any ((select private.current_user_workspace_ids('member'))::text[])
      )
      or (storage.foldername(name))[1] = any ((select private.current_user_workspace_ids('admin'))::text[])
    )
  )
  with check (
    bucket_id = 'attachments'
    and (storage.foldername(name))[1] = any ((select private.current_user_workspace_ids('member'))::text[])
    and private.is_attachment_path(name)
  );

create policy "Uploaders and admins can delete attachments"
  on storage.objects for delete
  to authenticated
  using (
    bucket_id = 'attachments'
    and (
      (
        owner_id = (select auth.uid())::text
        and (storage.foldername(name))[1] = any ((select private.current_user_workspace_ids())::text[])
      )
      or (storage.foldername(name))[1] = any ((select private.current_user_workspace_ids('admin'))::text[])
    )
  );

-- ---------------------------------------------------------------------------
-- policies: avatars bucket
-- ---------------------------------------------------------------------------

-- Public bucket: downloads need no policy; this one lets clients list and inspect avatars.
create policy "Anyone can read avatars"
  on storage.objects for select
  to anon, authenticated
  using (bucket_id = 'avatars');

create policy "Users can upload their own avatar"
  on storage.objects for insert
  to authenticated
  with check (
    bucket_id = 'avatars'
    and (storage.foldername(name))[1] = (select auth.uid())::text
  );

create policy "Users can replace their own avatar"
  on storage.objects for update
  to authenticated
  using (
    bucket_id = 'avatars'
    and (storage.foldername(name))[1] = (select auth.uid())::text
  )
  with check (
    bucket_id = 'avatars'
    and (storage.foldername(name))[1] = (select auth.uid())::text
  );

create policy "Users can delete their own avatar"
  on storage.objects for delete
  to authenticated
  using (
    bucket_id = 'avatars'
    and (storage.foldername(name))[1] = (select auth.uid())::text
  );

-- ---------------------------------------------------------------------------
-- policies: attachments table
-- ---------------------------------------------------------------------------

create policy "Members can read attachment records of their workspaces"
  on public.attachments for select
  to authenticated
  using (workspace_id = any ((select private.current_user_workspace_ids())::uuid[]));

-- ---------------------------------------------------------------------------
-- API functions
-- ---------------------------------------------------------------------------

create or replace function private.workspace_storage_usage(workspace_id uuid)
returns table (used_bytes bigint, limit_bytes bigint)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if (select auth.uid()) is null then
    raise exception using errcode = '42501', message = 'not_authenticated';
  end if;
  if not private.is_member(workspace_storage_usage.workspace_id) then
    raise exception using errcode = 'PT404', message = 'workspace_not_found';
  end if;

  return query
  select
    (select coalesce(sum(a.size_bytes), 0)::bigint
     from public.attachments as a
     where a.workspace_id = w.id),
    p.storage_limit_bytes
  from public.workspaces as w
  join public.plans as p on p.id = w.plan
  where w.id = workspace_storage_usage.workspace_id;
end;
$$;

revoke execute on function private.workspace_storage_usage(uuid) from public;
grant execute on function private.workspace_storage_usage(uuid) to authenticated, service_role;

create or replace function public.workspace_storage_usage(workspace_id uuid)
returns table (used_bytes bigint, limit_bytes bigint)
language sql
stable
security invoker
set search_path = ''
as $$
  select * from private.workspace_storage_usage(workspace_id);
$$;

comment on function public.workspace_storage_usage(uuid) is
  'Bytes of attachments stored by a workspace next to its plan''s storage limit.';

revoke execute on function public.workspace_storage_usage(uuid) from public, anon;
grant execute on function public.workspace_storage_usage(uuid) to authenticated, service_role;
