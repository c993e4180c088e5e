-- Groundwork data layer: shared setup.
--
-- Error contract. Every rule the database enforces raises a stable snake_case
-- MESSAGE that clients switch on; the SQLSTATE is chosen so PostgREST answers
-- with a fitting HTTP status (PTxyz makes PostgREST answer with status xyz).
-- The codes, their SQLSTATE and HTTP status are declared once, in the error
-- vocabulary supabase/functions/_shared/error-vocabulary.ts (rendered in
-- docs/data-model.md); tests/data/error-vocabulary.test.ts checks every raise
-- in these migrations against it. Add a new code there before raising it.
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
