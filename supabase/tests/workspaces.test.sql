-- Row-level security of workspaces, as each kind of caller meets it.
-- Run with `groundwork test db` (or `supabase test db`); the file's transaction rolls back.
begin;
select plan(7);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('outsider');

select tests.authenticate_as('owner');
select lives_ok(
  $$ select public.create_workspace('pgTAP Workspace', 'pgtap-workspace') $$,
  'a signed-in user can create a workspace'
);
select results_eq(
  $$ select name from public.workspaces where slug = 'pgtap-workspace' $$,
  array['pgTAP Workspace'],
  'its creator reads it'
);
select results_eq(
  $$ select role::text from public.workspace_members where user_id = tests.get_supabase_uid('owner') $$,
  array['owner'],
  'its creator is its owner'
);

select tests.authenticate_as('outsider');
select is_empty(
  $$ select 1 from public.workspaces where slug = 'pgtap-workspace' $$,
  'a non-member does not see the workspace'
);
select is_empty(
  $$ update public.workspaces set name = 'Taken over' where slug = 'pgtap-workspace' returning 1 $$,
  'a non-member renames nothing'
);
select is_empty(
  $$ select 1 from public.workspace_members where user_id = tests.get_supabase_uid('owner') $$,
  'a non-member does not see who is a member'
);

select tests.clear_authentication();
select throws_ok(
  $$ select 1 from public.workspaces $$,
  '42501',
  null,
  'the anon key cannot read workspaces at all'
);

select * from finish();
rollback;
