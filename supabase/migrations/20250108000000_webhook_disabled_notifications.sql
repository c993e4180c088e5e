-- Webhooks: an endpoint the dispatcher disables tells the people who manage it.
--
-- record_webhook_attempts (20250104000000_webhooks.sql) disables an endpoint whose receiver
-- answered 410 Gone, or that kept failing past webhook_settings.disable_after. Nobody would
-- notice that until they missed the events, so each holder of `webhooks.manage` in the
-- workspace gets a `webhook_endpoint_disabled` notification (a workspace notice like billing's
-- plan_over_limit: no task, the facts in `details`). A manager switching an endpoint off
-- themselves is told nothing: they know. Notifications are recipient-only (RLS of
-- 20250101200000_notifications.sql), so members without the permission and other workspaces
-- see nothing of it.

-- ---------------------------------------------------------------------------
-- types
-- ---------------------------------------------------------------------------

alter type public.notification_type add value if not exists 'webhook_endpoint_disabled';

-- ---------------------------------------------------------------------------
-- tables
-- ---------------------------------------------------------------------------

-- Workspace notices carry details and no task or comment. Compared as text: a value added to
-- an enum cannot be used in the transaction that added it.
alter table public.notifications drop constraint notifications_type_shape;
alter table public.notifications add constraint notifications_type_shape check (
  case
    when type::text in ('plan_over_limit', 'webhook_endpoint_disabled')
      then task_id is null and comment_id is null and details is not null
    else task_id is not null and (type::text = 'task_assigned') = (comment_id is null)
  end
);

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

-- prepare_webhook_endpoint names a manager's own switch-off 'disabled by a manager'; every
-- other reason is the dispatcher's (managers cannot write disabled_reason: no column grant).
create or replace function private.notify_webhook_endpoint_disabled()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.disabled_reason is null or new.disabled_reason = 'disabled by a manager' then
    return null;
  end if;
  insert into public.notifications (recipient_id, workspace_id, type, details)
  select m.user_id, new.workspace_id, 'webhook_endpoint_disabled',
    jsonb_build_object(
      'endpoint_id', new.id,
      'url', new.url,
      'description', new.description,
      'reason', new.disabled_reason,
      'disabled_at', new.disabled_at
    )
  from public.workspace_members as m
  join public.roles as r on r.id = m.role_id
  where m.workspace_id = new.workspace_id
    and 'webhooks.manage' = any (r.permissions);
  return null;
end;
$$;

revoke execute on function private.notify_webhook_endpoint_disabled() from public;

create trigger webhook_endpoints_notify_disabled
  after update of enabled on public.webhook_endpoints
  for each row
  when (old.enabled and not new.enabled)
  execute function private.notify_webhook_endpoint_disabled();
