-- "Members must use MFA" (workspaces.require_mfa) as the policies meet it: the session's `aal`
-- claim decides. Run with `groundwork test db` (or `supabase test db`); the file's transaction
-- rolls back. tests/data/workspace-mfa.test.ts holds the same through Auth and PostgREST.
begin;
select plan(8);

select tests.create_supabase_user('mfa_owner');
select tests.create_supabase_user('mfa_member');

select tests.authenticate_as('mfa_owner');
select public.create_workspace('pgTAP MFA', 'pgtap-mfa');
reset role;
insert into public.workspace_members (workspace_id, user_id, role)
select w.id, tests.get_supabase_uid('mfa_member'), 'member' from public.workspaces as w where w.slug = 'pgtap-mfa';
insert into public.projects (workspace_id, name, key)
select w.id, 'Vault', 'VLT' from public.workspaces as w where w.slug = 'pgtap-mfa';
-- The ids, for statements whose caller will not see them.
create temp table mfa_ids as
select w.id as workspace_id, p.id as project_id
from public.workspaces as w join public.projects as p on p.workspace_id = w.id
where w.slug = 'pgtap-mfa';
grant select on mfa_ids to authenticated;

-- Sessions after a password sign-in are aal1; after a verified second factor, aal2.
create function pg_temp.at_aal2() returns void language sql as $$
  select set_config('request.jwt.claims',
    jsonb_set(current_setting('request.jwt.claims')::jsonb, '{aal}', '"aal2"')::text, true);
$$;

select tests.authenticate_as('mfa_owner');
select throws_ok(
  $$ select public.set_workspace_require_mfa((select workspace_id from mfa_ids), true) $$,
  '42501',
  'mfa_required',
  'an owner at aal1 cannot turn the requirement on'
);
select pg_temp.at_aal2();
select results_eq(
  $$ select (public.set_workspace_require_mfa((select workspace_id from mfa_ids), true)).require_mfa $$,
  array[true],
  'an owner at aal2 turns it on'
);

select tests.authenticate_as('mfa_member');
select is_empty(
  $$ select 1 from public.projects where key = 'VLT' $$,
  'a member at aal1 reads none of its projects'
);
select results_eq(
  $$ select require_mfa from public.workspaces where slug = 'pgtap-mfa' $$,
  array[true],
  'but reads the workspace row, which says MFA is required'
);
select throws_ok(
  $$ select public.my_permissions((select workspace_id from mfa_ids)) $$,
  '42501',
  'mfa_required',
  'and RPCs about the workspace answer mfa_required'
);
select throws_ok(
  $$ insert into public.tasks (project_id, title) select project_id, 'Sneaky' from mfa_ids $$,
  '42501',
  'mfa_required',
  'and inserts are refused with mfa_required'
);

select pg_temp.at_aal2();
select results_eq(
  $$ select key from public.projects where key = 'VLT' $$,
  array['VLT'],
  'the same member at aal2 reads the projects'
);
select lives_ok(
  $$ insert into public.tasks (project_id, title) select project_id, 'Fine' from mfa_ids $$,
  'and may write again'
);

select * from finish();
rollback;
