-- Who an audit row names as its actor, decided in one place. 20250105000000_api_keys.sql taught
-- private.audit_change() about API keys, but the trash's private.audit_trash_move()
-- (20250103100000_trash.sql) kept its own copy of the rule and wrote actor_type 'user' when an
-- API key moved a row to the trash or back (actor_id was already the key's id: a key's
-- transaction has the key's id as `sub`). Both triggers now ask private.audit_actor_type().

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

-- 'api_key' for a workspace API key (set by the PostgREST pre-request hook), 'user' for a
-- signed-in person, 'service_role' for the secret key, 'system' for the database itself
-- (pg_cron, migrations, triggers without a request).
create or replace function private.audit_actor_type()
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return case
    when private.current_api_key() is not null then 'api_key'
    when (select auth.uid()) is not null then 'user'
    when nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role' = 'service_role'
      then 'service_role'
    else 'system'
  end;
end;
$$;

revoke execute on function private.audit_actor_type() from public;

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

-- 20250105000000_api_keys.sql's audit trigger, with the actor from the shared helper.
create or replace function private.audit_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  before_row jsonb := case when tg_op = 'INSERT' then '{}'::jsonb else to_jsonb(old) end;
  after_row jsonb := case when tg_op = 'DELETE' then '{}'::jsonb else to_jsonb(new) end;
  row_data jsonb := case when tg_op = 'DELETE' then before_row else after_row end;
  key_columns text[] := string_to_array(tg_argv[0], ',');
  skipped text[] := array['updated_at', 'search_vector']
    || coalesce(string_to_array(nullif(tg_argv[1], ''), ','), '{}'::text[]);
  target_workspace uuid := case when tg_table_name = 'workspaces' then (row_data ->> 'id')::uuid
    else (row_data ->> 'workspace_id')::uuid end;
  diff jsonb;
begin
  select coalesce(jsonb_object_agg(c.key,
      case
        when tg_op = 'INSERT' then jsonb_build_object('after', after_row -> c.key)
        when tg_op = 'DELETE' then jsonb_build_object('before', before_row -> c.key)
        else jsonb_build_object('before', before_row -> c.key, 'after', after_row -> c.key)
      end), '{}'::jsonb)
  into diff
  from jsonb_object_keys(row_data) as c (key)
  where c.key <> all (skipped)
    and (before_row -> c.key) is distinct from (after_row -> c.key)
    and not (tg_op <> 'UPDATE' and jsonb_typeof(row_data -> c.key) = 'null');

  if tg_op = 'UPDATE' and diff = '{}'::jsonb then
    return null;
  end if;
  if not exists (select 1 from public.workspaces as w where w.id = target_workspace) then
    return null;
  end if;

  insert into public.audit_log (workspace_id, actor_id, actor_type, action, target_table, target_id, changes, ip, user_agent)
  values (
    target_workspace,
    (select auth.uid()),
    private.audit_actor_type(),
    lower(tg_op),
    tg_table_name,
    (select string_agg(row_data ->> k, '/' order by ordinality) from unnest(key_columns) with ordinality as k),
    diff,
    private.request_ip(),
    private.request_user_agent()
  );
  return null;
end;
$$;

-- 20250103100000_trash.sql's trash and restore entries, with the actor from the shared helper.
create or replace function private.audit_trash_move()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.deleted_at is not distinct from old.deleted_at then
    return null;
  end if;
  insert into public.audit_log (workspace_id, actor_id, actor_type, action, target_table, target_id, changes, ip, user_agent)
  values (
    new.workspace_id,
    (select auth.uid()),
    private.audit_actor_type(),
    case when new.deleted_at is null then 'restore' else 'trash' end,
    tg_table_name,
    new.id::text,
    jsonb_build_object(
      'deleted_at', jsonb_build_object('before', old.deleted_at, 'after', new.deleted_at),
      'deleted_by', jsonb_build_object('before', old.deleted_by, 'after', new.deleted_by)
    ) || case when tg_table_name = 'projects' then '{}'::jsonb else jsonb_build_object(
      'deleted_with_parent', jsonb_build_object('before', to_jsonb(old) -> 'deleted_with_parent',
        'after', to_jsonb(new) -> 'deleted_with_parent')) end,
    private.request_ip(),
    private.request_user_agent()
  );
  return null;
end;
$$;
