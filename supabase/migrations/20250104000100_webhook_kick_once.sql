-- Webhooks: one dispatcher kick per transaction, not one per event.
--
-- The deliveries' statement trigger ran once per emitted event (each event inserts its
-- deliveries in a statement of its own), and each run looked through pg_net's queue for a
-- pending kick. A transaction writing a thousand events needs one kick: the first run of the
-- trigger marks the transaction (a transaction-local setting) and later runs return at once.

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

create or replace function private.kick_webhook_dispatcher_after_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if current_setting('groundwork.webhook_kicked', true) = 'yes' then
    return null;
  end if;
  perform set_config('groundwork.webhook_kicked', 'yes', true);
  perform private.kick_webhook_dispatcher();
  return null;
end;
$$;

revoke execute on function private.kick_webhook_dispatcher_after_insert() from public;
