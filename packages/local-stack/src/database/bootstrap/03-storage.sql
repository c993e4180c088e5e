-- The storage schema as supabase/storage leaves it on a hosted project: buckets and
-- objects (whose RLS policies come from project migrations), the helpers those
-- policies call, and the functions the Storage API uses to list.
--
-- Left out: prefixes (rolled back on hosted), S3 multipart tables, analytics and
-- vector buckets. storage.migrations stays empty because no storage-api runs here.

grant usage on schema storage to postgres with grant option;
grant usage on schema storage to anon, authenticated, service_role;
grant all on schema storage to supabase_storage_admin with grant option;
grant all on schema storage to dashboard_user;

-- Everything the storage admin creates is granted to the API roles: on storage tables
-- RLS is what decides, exactly as the Storage API relies on.
alter default privileges for role supabase_storage_admin in schema storage
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
  grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
  grant all on functions to postgres, anon, authenticated, service_role;
-- Hosted does the same for what postgres creates in storage (e.g. helper functions
-- a project adds for its storage policies).
alter default privileges for role postgres in schema storage
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema storage
  grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema storage
  grant all on functions to postgres, anon, authenticated, service_role;

set local role supabase_storage_admin;

do $types$
begin
  if to_regtype('storage.buckettype') is null then
    create type storage.buckettype as enum ('STANDARD', 'ANALYTICS', 'VECTOR');
  end if;
end
$types$;

-- Tables ---------------------------------------------------------------------------

create table if not exists storage.migrations (
  id integer not null,
  name varchar(100) not null,
  hash varchar(40) not null,
  executed_at timestamp default current_timestamp,
  constraint migrations_pkey primary key (id),
  constraint migrations_name_key unique (name)
);

create table if not exists storage.buckets (
  id text not null,
  name text not null,
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  public boolean default false,
  avif_autodetection boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  owner_id text,
  type storage.buckettype not null default 'STANDARD',
  constraint buckets_pkey primary key (id)
);
comment on column storage.buckets.owner is 'Field is deprecated, use owner_id instead';
create unique index if not exists bname on storage.buckets (name);

create table if not exists storage.objects (
  id uuid not null default gen_random_uuid(),
  bucket_id text,
  name text,
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now(),
  metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  version text,
  owner_id text,
  user_metadata jsonb,
  constraint objects_pkey primary key (id),
  constraint "objects_bucketId_fkey" foreign key (bucket_id) references storage.buckets (id)
);
comment on column storage.objects.owner is 'Field is deprecated, use owner_id instead';
create unique index if not exists bucketid_objname on storage.objects (bucket_id, name);
-- Listing walks names bytewise, hence the "C" collation.
create index if not exists idx_objects_bucket_id_name on storage.objects (bucket_id, name collate "C");
create index if not exists idx_objects_bucket_id_name_lower on storage.objects (bucket_id, lower(name) collate "C");
create index if not exists name_prefix_search on storage.objects (name text_pattern_ops);

-- RLS on, no policies: projects write their own, and until they do only
-- service_role (BYPASSRLS) and the owner see rows.
alter table storage.migrations enable row level security;
alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;

-- Path helpers storage policies call ------------------------------------------------
-- Objects are named like 'folder/sub/file.png'. Immutable so policies can inline them.

create or replace function storage.foldername(name text) returns text[]
language sql immutable
as $$
  select parts[1:array_length(parts, 1) - 1]
  from (select string_to_array(name, '/') as parts) as split
$$;

create or replace function storage.filename(name text) returns text
language sql immutable
as $$
  select parts[array_length(parts, 1)]
  from (select string_to_array(name, '/') as parts) as split
$$;

-- Hosted returns the text after the last dot, or the whole file name when it has none.
create or replace function storage.extension(name text) returns text
language sql immutable
as $$
  select reverse(split_part(reverse(storage.filename(name)), '.', 1))
$$;

-- Functions the Storage API calls ---------------------------------------------------

create or replace function storage.get_size_by_bucket()
returns table (size bigint, bucket_id text)
language sql stable
as $$
  select sum((objects.metadata ->> 'size')::bigint)::bigint as size, objects.bucket_id
  from storage.objects
  group by objects.bucket_id
$$;

-- Which operation the Storage API is performing ('object.upload', ...), for policies
-- that want to tell them apart.
create or replace function storage.operation() returns text
language sql stable
as $$
  select current_setting('storage.operation', true)
$$;

-- Lets the Storage API ask "would RLS allow this insert?" before streaming an upload:
-- the insert runs, then a dedicated error undoes it. PT200 is what the API expects.
create or replace function storage.can_insert_object(bucketid text, name text, owner uuid, metadata jsonb)
returns void
language plpgsql
as $$
begin
  insert into storage.objects (bucket_id, name, owner, metadata)
  values (bucketid, name, owner, metadata);
  raise sqlstate 'PT200' using message = 'ROLLBACK', detail = 'rollback successful insert';
end
$$;

-- One level of a bucket listing, as POST /storage/v1/object/list answers it: first the
-- "folders" directly under the prefix, then the files at that level. `levels` is the
-- 1-based path depth being listed; matching on the prefix is case-insensitive as on hosted.
create or replace function storage.search(
  prefix text,
  bucketname text,
  limits integer default 100,
  levels integer default 1,
  offsets integer default 0,
  search text default '',
  sortcolumn text default 'name',
  sortorder text default 'asc'
)
returns table (
  name text,
  id uuid,
  updated_at timestamptz,
  created_at timestamptz,
  last_accessed_at timestamptz,
  metadata jsonb
)
language plpgsql stable
as $search$
declare
  -- Whitelisted so they can be spliced into the ORDER BY safely.
  sort_column text := case lower(coalesce(sortcolumn, 'name'))
    when 'updated_at' then 'updated_at'
    when 'created_at' then 'created_at'
    when 'last_accessed_at' then 'last_accessed_at'
    else 'name'
  end;
  sort_direction text := case when lower(coalesce(sortorder, 'asc')) = 'desc' then 'desc' else 'asc' end;
  name_start text := lower(coalesce(prefix, '') || coalesce(search, ''));
begin
  return query execute format(
    $query$
      with matching as (
        select o.path_tokens, o.id, o.updated_at, o.created_at, o.last_accessed_at, o.metadata
        from storage.objects as o
        where o.bucket_id = $1
          and starts_with(lower(o.name), $2)
      ),
      folders as (
        select distinct m.path_tokens[$3] as folder
        from matching as m
        where array_length(m.path_tokens, 1) > $3
      ),
      files as (
        select m.path_tokens[$3] as name, m.id, m.updated_at, m.created_at, m.last_accessed_at, m.metadata
        from matching as m
        where array_length(m.path_tokens, 1) = $3
      ),
      listing as (
        select 0 as kind, f.folder as name, null::uuid as id, null::timestamptz as updated_at,
               null::timestamptz as created_at, null::timestamptz as last_accessed_at, null::jsonb as metadata
        from folders as f
        union all
        select 1, files.name, files.id, files.updated_at, files.created_at, files.last_accessed_at, files.metadata
        from files
      )
      select l.name, l.id, l.updated_at, l.created_at, l.last_accessed_at, l.metadata
      from listing as l
      order by l.kind, l.%1$I %2$s nulls last, l.name collate "C" %2$s
      limit $4 offset $5
    $query$,
    sort_column,
    sort_direction
  )
  using bucketname, name_start, greatest(levels, 1), least(coalesce(limits, 100), 1500), greatest(coalesce(offsets, 0), 0);
end
$search$;

-- Triggers -------------------------------------------------------------------------

create or replace function storage.update_updated_at_column() returns trigger
language plpgsql
as $$
begin
  new.updated_at = now();
  return new;
end
$$;

create or replace function storage.enforce_bucket_name_length() returns trigger
language plpgsql
as $$
begin
  if length(new.name) > 100 then
    raise exception 'bucket name "%" is too long (% characters). Max is 100.', new.name, length(new.name);
  end if;
  return new;
end
$$;

-- Deleting rows directly would orphan the stored files, so hosted refuses it unless the
-- caller (the Storage API) opts in with `set local storage.allow_delete_query = 'true'`.
create or replace function storage.protect_delete() returns trigger
language plpgsql
as $$
begin
  if coalesce(current_setting('storage.allow_delete_query', true), 'false') <> 'true' then
    raise exception 'Direct deletion from storage tables is not allowed. Use the Storage API instead.'
      using hint = 'This prevents accidental data loss from orphaned objects.', errcode = '42501';
  end if;
  return null;
end
$$;

create or replace trigger update_objects_updated_at
  before update on storage.objects
  for each row execute function storage.update_updated_at_column();

create or replace trigger enforce_bucket_name_length_trigger
  before insert or update of name on storage.buckets
  for each row execute function storage.enforce_bucket_name_length();

create or replace trigger protect_buckets_delete
  before delete on storage.buckets
  for each statement execute function storage.protect_delete();

create or replace trigger protect_objects_delete
  before delete on storage.objects
  for each statement execute function storage.protect_delete();

reset role;

-- storage.migrations is the Storage API's bookkeeping, not something requests read.
revoke all on table storage.migrations from anon, authenticated, service_role;
grant all on table storage.buckets, storage.objects to postgres with grant option;
grant all on all tables in schema storage to dashboard_user;
grant all on all routines in schema storage to dashboard_user;
