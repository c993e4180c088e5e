-- The realtime schema as a hosted project has it: the messages table that Broadcast
-- from the database and Realtime Authorization policies use, the functions that write
-- to it, and the `supabase_realtime` publication projects add their tables to.
--
-- Differences from hosted: realtime.messages is one plain table, where hosted
-- partitions it by day on inserted_at (same columns, key and index). The
-- postgres_changes machinery (realtime.subscription, apply_rls, list_changes) is left
-- out; the local Realtime service decides visibility itself.

grant usage on schema realtime to postgres, anon, authenticated, service_role;
grant all on schema realtime to supabase_realtime_admin with grant option;

alter default privileges for role supabase_admin in schema realtime
  grant all on tables to postgres, dashboard_user;
alter default privileges for role supabase_admin in schema realtime
  grant all on sequences to postgres, dashboard_user;
alter default privileges for role supabase_admin in schema realtime
  grant all on functions to postgres, dashboard_user;

set local role supabase_realtime_admin;

create table if not exists realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp not null default now(),
  inserted_at timestamp not null default now(),
  id uuid not null default gen_random_uuid(),
  -- Hosted's key includes the partition column; kept identical.
  constraint messages_pkey primary key (id, inserted_at)
);
create index if not exists messages_inserted_at_topic_index on realtime.messages (inserted_at desc, topic)
  where extension = 'broadcast' and private is true;

-- Binary broadcasts (realtime.send_binary): the bytes go in their own column, never
-- together with a JSON payload. Hosted added the check NOT VALID; so does this.
alter table realtime.messages add column if not exists binary_payload bytea;
do $exclusive$
begin
  if not exists (
    select from pg_catalog.pg_constraint
     where conname = 'messages_payload_exclusive' and conrelid = 'realtime.messages'::regclass
  ) then
    alter table realtime.messages
      add constraint messages_payload_exclusive check (payload is null or binary_payload is null) not valid;
  end if;
end
$exclusive$;

-- Policies on this table (from project migrations) decide who may join or send on a
-- private channel; with none, only BYPASSRLS roles see rows.
alter table realtime.messages enable row level security;

-- Topic of the channel the Realtime service is authorizing, for use in those policies.
create or replace function realtime.topic() returns text
language sql stable
as $$
  select nullif(current_setting('realtime.topic', true), '')::text
$$;

reset role;

grant all on table realtime.messages to postgres, dashboard_user;
grant select, insert, update on table realtime.messages to anon, authenticated, service_role;
grant execute on function realtime.topic() to postgres, dashboard_user;

set local role supabase_admin;

create table if not exists realtime.schema_migrations (
  version bigint not null,
  inserted_at timestamp(0),
  constraint schema_migrations_pkey primary key (version)
);

-- Broadcast a message from SQL. Runs with the caller's rights, so RLS on
-- realtime.messages applies to the insert; like hosted, a failure is reported as a
-- WARNING and never aborts the caller's transaction.
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
declare
  message_id uuid := gen_random_uuid();
begin
  begin
    -- Policies evaluated during the insert can read the topic through realtime.topic().
    perform set_config('realtime.topic', topic, true);
    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (
      message_id,
      case when payload ? 'id' then payload else jsonb_set(payload, '{id}', to_jsonb(message_id)) end,
      event,
      topic,
      private,
      'broadcast'
    );
  exception
    when others then
      raise warning 'ErrorSendingBroadcastMessage: %', sqlerrm;
  end;
end
$$;

-- Broadcast bytes from SQL, delivered to clients as a binary payload (clients on the v1
-- serializer can't carry one and don't get it, as on hosted). Same rights and failure
-- handling as realtime.send; the message id goes in the broadcast's meta.
create or replace function realtime.send_binary(payload bytea, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
declare
  message_id uuid := gen_random_uuid();
begin
  begin
    perform set_config('realtime.topic', topic, true);
    insert into realtime.messages (id, binary_payload, event, topic, private, extension)
    values (message_id, payload, event, topic, private, 'broadcast');
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end
$$;

-- Broadcast a row change from a trigger:
--   perform realtime.broadcast_changes('topic', tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
create or replace function realtime.broadcast_changes(
  topic_name text,
  event_name text,
  operation text,
  table_name text,
  table_schema text,
  new record,
  old record,
  level text default 'ROW'
)
returns void
language plpgsql
as $$
begin
  if level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;
  if operation not in ('INSERT', 'UPDATE', 'DELETE') then
    raise exception 'Unexpected operation type: %', operation;
  end if;
  perform realtime.send(
    jsonb_build_object(
      'old_record', old,
      'record', new,
      'operation', operation,
      'table', table_name,
      'schema', table_schema
    ),
    event_name,
    topic_name
  );
exception
  when others then
    raise exception 'Failed to process the row: %', sqlerrm;
end
$$;

reset role;

grant select on table realtime.schema_migrations to anon, authenticated, service_role;
grant all on table realtime.schema_migrations to supabase_realtime_admin;
grant execute on function realtime.send(jsonb, text, text, boolean) to postgres, dashboard_user;
grant execute on function realtime.send_binary(bytea, text, text, boolean) to postgres, dashboard_user;
grant execute on function realtime.broadcast_changes(text, text, text, text, text, record, record, text)
  to postgres, dashboard_user;

-- Publications -----------------------------------------------------------------------
-- `supabase_realtime` starts empty; projects run `alter publication supabase_realtime
-- add table ...`. The messages publication is the one hosted Realtime streams
-- broadcasts from.

do $publications$
begin
  if not exists (select from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
  -- postgres owns it on hosted, which is what lets a migration `alter publication
  -- supabase_realtime add table …` (for its own tables).
  alter publication supabase_realtime owner to postgres;
  if not exists (select from pg_catalog.pg_publication where pubname = 'supabase_realtime_messages_publication') then
    create publication supabase_realtime_messages_publication for table realtime.messages;
    alter publication supabase_realtime_messages_publication owner to supabase_admin;
  end if;
end
$publications$;
