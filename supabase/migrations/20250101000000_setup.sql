-- Groundwork data layer: shared setup.
--
-- Error contract. Every rule the database enforces raises a stable snake_case
-- MESSAGE that clients switch on; the SQLSTATE is chosen so PostgREST answers
-- with a fitting HTTP status (PTxyz makes PostgREST answer with status xyz).
--
--   message                        sqlstate  http  raised by
--   -----------------------------  --------  ----  ------------------------------------------
--   not_authenticated              42501     401   every RPC, when auth.uid() is null
--   forbidden                      42501     403   RPCs, when the caller's role is too low
--   workspace_not_found            PT404     404   RPCs; also for workspaces the caller cannot see
--   task_not_found                 PT404     404   move_task
--   project_not_found              PT404     404   task insert with an unknown project
--   member_not_found               PT404     404   transfer_ownership
--   invitation_not_found           PT404     404   accept_invitation
--   invitation_expired             PT410     410   accept_invitation
--   invitation_revoked             PT410     410   accept_invitation
--   invitation_email_mismatch      42501     403   accept_invitation (token sent to another address)
--   email_not_confirmed            42501     403   accept_invitation (caller's address unconfirmed)
--   invitation_already_accepted    PT409     409   accept_invitation, revoking an accepted invitation
--   invitation_pending             PT409     409   invitation insert for an address already invited
--   already_member                 PT409     409   invitation insert / accept_invitation
--   last_owner                     PT409     409   leaving, removing or demoting the last owner
--   project_archived               PT409     409   task insert into an archived project
--   plan_limit_reached             PT402     402   member, invitation and project inserts over the plan
--                                                  (DETAIL is JSON: {"limit","max","current"})
--   slug_taken                     23505     409   create_workspace
--   invalid_move                   22023     400   move_task with neighbours outside the target column
--   invalid_input                  22023     400   RPC arguments out of range
--
-- Constraint violations keep Postgres' own codes (23505 unique, 23503 foreign
-- key, 23514 check → 409/409/400); RLS denials are 42501.

-- ---------------------------------------------------------------------------
-- setup
-- ---------------------------------------------------------------------------

-- Helpers live outside the API schemas so PostgREST never exposes them.
create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- Functions are executable by PUBLIC unless revoked; in `private` nothing is
-- callable unless a migration grants it explicitly.
alter default privileges in schema private revoke execute on functions from public;

-- ---------------------------------------------------------------------------
-- helper functions
-- ---------------------------------------------------------------------------

create or replace function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

revoke execute on function private.set_updated_at() from public;
