-- After a past_due subscription's grace, attachment uploads are refused too, as new projects,
-- tasks, invitations and members already are (20250106000000_billing.sql). Uploads go through
-- Storage, which inserts (or, replacing a file, updates) the storage.objects row as the caller;
-- a trigger there refuses with plan_limit_reached and details {"limit":"past_due"}. It raises
-- 42501, as the storage quota does, because Storage answers a database error in its own shape:
-- 403 with the error's message, which hosted and local Storage both pass through for 42501.
-- Existing files stay readable and can be deleted (that frees storage, it never costs).

-- ---------------------------------------------------------------------------
-- triggers
-- ---------------------------------------------------------------------------

-- Asked only of callers who may put files into the workspace (attachments.create, or
-- attachments.delete for replacing someone's file, or the service role): anyone else is
-- refused by RLS next, exactly as before, and learns nothing about the workspace's billing.
create or replace function private.require_billing_standing_for_attachments()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  target_workspace uuid := private.uuid_or_null((storage.foldername(new.name))[1]);
begin
  if new.bucket_id <> 'attachments' or target_workspace is null then
    return new;
  end if;
  if not (private.caller_may(target_workspace, 'attachments.create')
          or private.caller_may(target_workspace, 'attachments.delete')) then
    return new;
  end if;
  if private.billing_creations_blocked(target_workspace) then
    raise exception using
      errcode = '42501',
      message = 'plan_limit_reached',
      detail = json_build_object('limit', 'past_due', 'max', null, 'current', null)::text,
      hint = 'The subscription''s payment is past due: update the payment method in the billing portal.';
  end if;
  return new;
end;
$$;

revoke execute on function private.require_billing_standing_for_attachments() from public;

-- Before-triggers fire in name order: this one before enforce_attachments_storage_quota, so
-- a past-due workspace hears past_due rather than a quota it may not be over. An update that
-- writes new bytes changes metadata; a move (name only) uploads nothing.
create trigger enforce_attachments_billing_standing
  before insert or update of metadata on storage.objects
  for each row execute function private.require_billing_standing_for_attachments();
