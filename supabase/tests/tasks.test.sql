-- Row-level security of tasks: members by role, and people outside the workspace.
-- Run with `groundwork test db` (or `supabase test db`); the file's transaction rolls back.
begin;
select plan(7);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('viewer');
select tests.create_supabase_user('outsider');

-- The owner makes a workspace with a project; ids travel in settings, which every role reads.
select tests.authenticate_as('owner');
do $$
begin
  perform set_config('tests.workspace_id', (public.create_workspace('Tasks', 'pgtap-tasks')).id::text, true);
  insert into public.projects (workspace_id, name, key)
    values (current_setting('tests.workspace_id')::uuid, 'Engineering', 'ENG');
  perform set_config(
    'tests.project_id',
    (select id::text from public.projects where workspace_id = current_setting('tests.workspace_id')::uuid),
    true
  );
end
$$;
-- Memberships other than the creator's come from invitations; here the table is written directly.
reset role;
insert into public.workspace_members (workspace_id, user_id, role)
  values (current_setting('tests.workspace_id')::uuid, tests.get_supabase_uid('viewer'), 'viewer');

select tests.authenticate_as('owner');
select lives_ok(
  $$ insert into public.tasks (workspace_id, project_id, title)
       values (current_setting('tests.workspace_id')::uuid, current_setting('tests.project_id')::uuid, 'Write pgTAP tests') $$,
  'the owner creates a task'
);

select tests.authenticate_as('viewer');
select results_eq(
  $$ select title from public.tasks where project_id = current_setting('tests.project_id')::uuid $$,
  array['Write pgTAP tests'],
  'a viewer reads the tasks of the workspace'
);
select throws_ok(
  $$ insert into public.tasks (workspace_id, project_id, title)
       values (current_setting('tests.workspace_id')::uuid, current_setting('tests.project_id')::uuid, 'Viewer task') $$,
  '42501',
  null,
  'a viewer cannot create a task'
);
select is_empty(
  $$ update public.tasks set title = 'Edited' where project_id = current_setting('tests.project_id')::uuid returning 1 $$,
  'a viewer edits no task'
);

select tests.authenticate_as('outsider');
select is_empty(
  $$ select 1 from public.tasks where project_id = current_setting('tests.project_id')::uuid $$,
  'a non-member sees no task'
);
select is_empty(
  $$ delete from public.tasks where project_id = current_setting('tests.project_id')::uuid returning 1 $$,
  'a non-member deletes no task'
);

reset role;
select results_eq(
  $$ select count(*)::int from public.tasks where project_id = current_setting('tests.project_id')::uuid and title = 'Write pgTAP tests' $$,
  array[1],
  'the task is still there, unchanged'
);

select * from finish();
rollback;
