-- pg_net 0.19 for the groundwork stack: the same schema, tables, types, functions
-- (signatures and defaults) and grants as Supabase's pg_net, in SQL and PL/pgSQL. The
-- requests are sent by the stack's net service, which net.wake() notifies. NOTIFY is
-- delivered on commit, so a request is sent only after its transaction commits and never
-- for one that rolled back.
--
-- One deliberate difference: the queue and response tables are logged tables (hosted's are
-- UNLOGGED), and a request leaves the queue only together with its response. A request
-- committed before a crash or restart of the stack is still sent afterwards.
\echo Use "CREATE EXTENSION pg_net" to load this file. \quit

create schema if not exists net;

create domain net.http_method as text
  check (value ilike 'get' or value ilike 'post' or value ilike 'delete');

-- Pending requests, read by the stack's net service.
create table net.http_request_queue (
  id bigserial,
  method net.http_method not null,
  url text not null,
  headers jsonb,
  body bytea,
  timeout_milliseconds integer not null
);
-- The service deletes sent requests by id, in batches.
create index on net.http_request_queue (id);

create table net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out boolean,
  error_msg text,
  created timestamptz not null default now()
);
create index on net._http_response (created);

-- The worker's database session names itself 'pg_net worker'.
create function net.check_worker_is_up()
returns void
language plpgsql
as $$
begin
  if not exists (
    select from pg_catalog.pg_stat_activity
     where application_name operator(pg_catalog.=) 'pg_net worker' or backend_type ilike '%pg_net%'
  ) then
    raise exception using
      message = 'the pg_net background worker is not up',
      detail = 'the pg_net background worker is down due to an internal error and cannot process requests',
      hint = 'make sure that you didn''t modify any of pg_net internal tables';
  end if;
end
$$;
comment on function net.check_worker_is_up()
  is 'raises an exception if the pg_net background worker is not up, otherwise it doesn''t return anything';

create function net._await_response(request_id bigint)
returns boolean
language plpgsql
as $$
declare
  rec net._http_response;
begin
  while rec is null loop
    select * into rec from net._http_response where id operator(pg_catalog.=) request_id;
    if rec is null then
      perform pg_catalog.pg_sleep(0.05);
    end if;
  end loop;
  return true;
end
$$;

-- Percent-encodes everything but unreserved characters, as curl_easy_escape does.
create function net._urlencode_string(string varchar)
returns text
language plpgsql
immutable
as $$
declare
  bytes constant bytea := pg_catalog.convert_to(string, 'UTF8');
  encoded text := '';
  byte integer;
begin
  if string is null then
    return null;
  end if;
  for byte_index in 0 .. pg_catalog.length(bytes) operator(pg_catalog.-) 1 loop
    byte := pg_catalog.get_byte(bytes, byte_index);
    if byte between 48 and 57 or byte between 65 and 90 or byte between 97 and 122
       or byte operator(pg_catalog.=) any (array[45, 46, 95, 126]) then
      encoded := encoded operator(pg_catalog.||) pg_catalog.chr(byte);
    else
      encoded := encoded operator(pg_catalog.||) '%'
        operator(pg_catalog.||) pg_catalog.upper(pg_catalog.lpad(pg_catalog.to_hex(byte), 2, '0'));
    end if;
  end loop;
  return encoded;
end
$$;

create function net._encode_url_with_params_array(url text, params_array text[])
returns text
language sql
immutable
as $$
  select case
    when url is null then null
    when coalesce(pg_catalog.cardinality(params_array), 0) operator(pg_catalog.=) 0 then url
    else url operator(pg_catalog.||)
      case when pg_catalog.strpos(url, '?') operator(pg_catalog.>) 0 then '&' else '?' end
      operator(pg_catalog.||) pg_catalog.array_to_string(params_array, '&')
  end
$$;

create function net.wake()
returns void
language sql
as $$
  select pg_catalog.pg_notify('groundwork_net', '')
$$;

create function net.worker_restart()
returns boolean
language sql
as $$
  select pg_catalog.pg_notify('groundwork_net', 'restart');
  select true
$$;

create function net.wait_until_running()
returns void
language plpgsql
as $$
begin
  while not exists (
    select from pg_catalog.pg_stat_activity where application_name operator(pg_catalog.=) 'pg_net worker'
  ) loop
    perform pg_catalog.pg_sleep(0.05);
  end loop;
end
$$;
comment on function net.wait_until_running() is 'waits until the worker is running';

create function net.http_get(
  -- url for the request
  url text,
  -- key/value pairs to be url encoded and appended to the `url`
  params jsonb default '{}'::jsonb,
  -- key/values to be included in request headers
  headers jsonb default '{}'::jsonb,
  -- the maximum number of milliseconds the request may take before being cancelled
  timeout_milliseconds integer default 5000
)
returns bigint
language plpgsql
as $$
declare
  request_id bigint;
  params_array text[];
begin
  select coalesce(pg_catalog.array_agg(net._urlencode_string(key) operator(pg_catalog.||) '='
                  operator(pg_catalog.||) net._urlencode_string(value)), '{}')
    into params_array
    from pg_catalog.jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
  values ('GET', net._encode_url_with_params_array(url, params_array), headers, timeout_milliseconds)
  returning id into request_id;

  perform net.wake();
  return request_id;
end
$$;

create function net.http_post(
  -- url for the request
  url text,
  -- body of the POST request
  body jsonb default '{}'::jsonb,
  -- key/value pairs to be url encoded and appended to the `url`
  params jsonb default '{}'::jsonb,
  -- key/values to be included in request headers
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  -- the maximum number of milliseconds the request may take before being cancelled
  timeout_milliseconds integer default 5000
)
returns bigint
language plpgsql
as $$
declare
  request_id bigint;
  params_array text[];
  content_type text;
begin
  select header_value into content_type
    from pg_catalog.jsonb_each_text(coalesce(headers, '{}'::jsonb)) as given(header_name, header_value)
   where pg_catalog.lower(header_name) operator(pg_catalog.=) 'content-type'
   limit 1;

  -- Headers without a content type get JSON's; any other content type is refused.
  if content_type is null then
    headers := headers operator(pg_catalog.||) '{"Content-Type": "application/json"}'::jsonb;
  end if;
  if content_type operator(pg_catalog.<>) 'application/json' then
    raise exception 'Content-Type header must be "application/json"';
  end if;

  select coalesce(pg_catalog.array_agg(net._urlencode_string(key) operator(pg_catalog.||) '='
                  operator(pg_catalog.||) net._urlencode_string(value)), '{}')
    into params_array
    from pg_catalog.jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values (
    'POST',
    net._encode_url_with_params_array(url, params_array),
    headers,
    pg_catalog.convert_to(body::text, 'UTF8'),
    timeout_milliseconds
  )
  returning id into request_id;

  perform net.wake();
  return request_id;
end
$$;

create function net.http_delete(
  -- url for the request
  url text,
  -- key/value pairs to be url encoded and appended to the `url`
  params jsonb default '{}'::jsonb,
  -- key/values to be included in request headers
  headers jsonb default '{}'::jsonb,
  -- the maximum number of milliseconds the request may take before being cancelled
  timeout_milliseconds integer default 5000,
  -- optional body of the request
  body jsonb default null
)
returns bigint
language plpgsql
as $$
declare
  request_id bigint;
  params_array text[];
begin
  select coalesce(pg_catalog.array_agg(net._urlencode_string(key) operator(pg_catalog.||) '='
                  operator(pg_catalog.||) net._urlencode_string(value)), '{}')
    into params_array
    from pg_catalog.jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values (
    'DELETE',
    net._encode_url_with_params_array(url, params_array),
    headers,
    pg_catalog.convert_to(body::text, 'UTF8'),
    timeout_milliseconds
  )
  returning id into request_id;

  perform net.wake();
  return request_id;
end
$$;

create type net.request_status as enum ('PENDING', 'SUCCESS', 'ERROR');

create type net.http_response as (
  status_code integer,
  headers jsonb,
  body text
);

create type net.http_response_result as (
  status net.request_status,
  message text,
  response net.http_response
);

create function net._http_collect_response(
  -- request_id reference
  request_id bigint,
  -- when `true`, return immediately. when `false` wait for the request to complete before returning
  async boolean default true
)
returns net.http_response_result
language plpgsql
as $$
declare
  rec net._http_response;
begin
  if not async then
    perform net._await_response(request_id);
  end if;

  select * into rec from net._http_response where id operator(pg_catalog.=) request_id;

  -- A request still in flight can't be told apart from an unknown id.
  if rec is null or rec.error_msg is not null then
    return ('ERROR', coalesce(rec.error_msg, 'request matching request_id not found'), null)::net.http_response_result;
  end if;

  return ('SUCCESS', 'ok', (rec.status_code, rec.headers, rec.content)::net.http_response)::net.http_response_result;
end
$$;

create function net.http_collect_response(
  -- request_id reference
  request_id bigint,
  -- when `true`, return immediately. when `false` wait for the request to complete before returning
  async boolean default true
)
returns net.http_response_result
language plpgsql
as $$
begin
  raise notice 'The net.http_collect_response function is deprecated.';
  return net._http_collect_response(request_id, async);
end
$$;

grant usage on schema net to public;
grant all on all sequences in schema net to public;
grant all on all tables in schema net to public;
