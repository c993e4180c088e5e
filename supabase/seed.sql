-- Development data: two workspaces with people in every role, projects,
-- labelled tasks and comments, so `npm run dev` shows something real.
-- Every seeded user signs in with the password `password123`.
--
--   acme   (pro):  alice owner, bob admin, carol member, dave viewer
--   globex (free): erin owner, frank admin, grace member, heidi viewer, carol member
--   ivan@example.com has an open invitation to acme (token: seed-invitation-token-ivan-acme)
--   acme has a custom role "Triage" (reads everything, edits and comments on tasks), held by nobody yet

-- ---------------------------------------------------------------------------
-- users (profiles are created by the auth.users trigger)
-- ---------------------------------------------------------------------------

insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
  confirmation_token, recovery_token, email_change_token_new, email_change
)
select
  '00000000-0000-0000-0000-000000000000',
  u.id,
  'authenticated',
  'authenticated',
  u.email,
  extensions.crypt('password123', extensions.gen_salt('bf')),
  now(),
  '{"provider": "email", "providers": ["email"]}'::jsonb,
  jsonb_build_object('display_name', u.display_name),
  now(),
  now(),
  '', '', '', ''
from (values
  ('a0000000-0000-4000-8000-000000000001'::uuid, 'alice@example.com', 'Alice Anders'),
  ('a0000000-0000-4000-8000-000000000002'::uuid, 'bob@example.com', 'Bob Brown'),
  ('a0000000-0000-4000-8000-000000000003'::uuid, 'carol@example.com', 'Carol Chen'),
  ('a0000000-0000-4000-8000-000000000004'::uuid, 'dave@example.com', 'Dave Diaz'),
  ('a0000000-0000-4000-8000-000000000005'::uuid, 'erin@example.com', 'Erin Evans'),
  ('a0000000-0000-4000-8000-000000000006'::uuid, 'frank@example.com', 'Frank Fischer'),
  ('a0000000-0000-4000-8000-000000000007'::uuid, 'grace@example.com', 'Grace Green'),
  ('a0000000-0000-4000-8000-000000000008'::uuid, 'heidi@example.com', 'Heidi Horn'),
  ('a0000000-0000-4000-8000-000000000009'::uuid, 'ivan@example.com', 'Ivan Ivanov')
) as u (id, email, display_name);

insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
select
  u.id::text,
  u.id,
  jsonb_build_object('sub', u.id::text, 'email', u.email, 'email_verified', true, 'phone_verified', false),
  'email',
  now(),
  now(),
  now()
from auth.users as u
where u.email like '%@example.com';

-- ---------------------------------------------------------------------------
-- workspaces and members
-- ---------------------------------------------------------------------------

insert into public.workspaces (id, name, slug, plan) values
  ('b0000000-0000-4000-8000-000000000001', 'Acme Corp', 'acme', 'pro'),
  ('b0000000-0000-4000-8000-000000000002', 'Globex', 'globex', 'free');

insert into public.workspace_members (workspace_id, user_id, role) values
  ('b0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'owner'),
  ('b0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002', 'admin'),
  ('b0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000003', 'member'),
  ('b0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000004', 'viewer'),
  ('b0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000005', 'owner'),
  ('b0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000006', 'admin'),
  ('b0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000007', 'member'),
  ('b0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000008', 'viewer'),
  ('b0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000003', 'member');

insert into public.roles (id, workspace_id, name, description, permissions) values (
  'f0000000-0000-4000-8000-000000000001',
  'b0000000-0000-4000-8000-000000000001',
  'Triage',
  'Sorts incoming work: reads everything, edits tasks and comments, creates nothing else',
  array['activity.read', 'attachments.read', 'comments.create', 'labels.read', 'projects.read', 'tasks.update']
);

insert into public.invitations (workspace_id, email, role, token_hash, invited_by) values (
  'b0000000-0000-4000-8000-000000000001',
  'ivan@example.com',
  'member',
  encode(sha256(convert_to('seed-invitation-token-ivan-acme', 'UTF8')), 'hex'),
  'a0000000-0000-4000-8000-000000000002'
);

-- ---------------------------------------------------------------------------
-- projects, labels, tasks, comments
-- ---------------------------------------------------------------------------

insert into public.projects (id, workspace_id, name, key, description, created_by) values
  ('c0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000001', 'Engineering', 'ENG',
    'Platform and product engineering.', 'a0000000-0000-4000-8000-000000000001'),
  ('c0000000-0000-4000-8000-000000000002', 'b0000000-0000-4000-8000-000000000001', 'Design', 'DES',
    'Brand, product design and research.', 'a0000000-0000-4000-8000-000000000002'),
  ('c0000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000002', 'Operations', 'OPS',
    'Keeping the lights on.', 'a0000000-0000-4000-8000-000000000005');

insert into public.labels (id, workspace_id, name, color) values
  ('d0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000001', 'bug', '#dc2626'),
  ('d0000000-0000-4000-8000-000000000002', 'b0000000-0000-4000-8000-000000000001', 'feature', '#2563eb'),
  ('d0000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000001', 'design', '#9333ea'),
  ('d0000000-0000-4000-8000-000000000004', 'b0000000-0000-4000-8000-000000000002', 'incident', '#ea580c');

-- Inserted one by one in this order so numbers read ENG-1, ENG-2, ...
insert into public.tasks (id, project_id, title, description, status, priority, assignee_id, due_date, created_by)
select t.id, t.project_id, t.title, t.description, t.status::public.task_status, t.priority::public.task_priority,
  t.assignee_id, t.due_date, t.created_by
from (values
  (1, 'e0000000-0000-4000-8000-000000000001'::uuid, 'c0000000-0000-4000-8000-000000000001'::uuid,
    'Set up continuous integration', 'Run lint, typecheck and tests on every pull request.', 'done', 'high',
    'a0000000-0000-4000-8000-000000000002'::uuid, null::date, 'a0000000-0000-4000-8000-000000000001'::uuid),
  (2, 'e0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001',
    'Fix login redirect loop', 'Users bounce between /login and /app when their session expires.', 'in_progress', 'urgent',
    'a0000000-0000-4000-8000-000000000003', current_date + 2, 'a0000000-0000-4000-8000-000000000002'),
  (3, 'e0000000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-000000000001',
    'Add full-text search to the task list', 'Search titles and descriptions, best matches first.', 'todo', 'medium',
    'a0000000-0000-4000-8000-000000000003', current_date + 14, 'a0000000-0000-4000-8000-000000000001'),
  (4, 'e0000000-0000-4000-8000-000000000004', 'c0000000-0000-4000-8000-000000000001',
    'Document the public API', 'Reference pages for every RPC, with examples.', 'todo', 'low',
    null, null, 'a0000000-0000-4000-8000-000000000002'),
  (5, 'e0000000-0000-4000-8000-000000000005', 'c0000000-0000-4000-8000-000000000001',
    'Drop support for the legacy export format', 'Nobody has used it since last year.', 'canceled', 'none',
    null, null, 'a0000000-0000-4000-8000-000000000001'),
  (6, 'e0000000-0000-4000-8000-000000000006', 'c0000000-0000-4000-8000-000000000002',
    'Refresh the onboarding illustrations', 'Match the new brand colours.', 'in_progress', 'medium',
    'a0000000-0000-4000-8000-000000000002', current_date + 7, 'a0000000-0000-4000-8000-000000000002'),
  (7, 'e0000000-0000-4000-8000-000000000007', 'c0000000-0000-4000-8000-000000000002',
    'Dark mode colour palette', 'Contrast-checked tokens for every surface.', 'todo', 'high',
    'a0000000-0000-4000-8000-000000000003', null, 'a0000000-0000-4000-8000-000000000003'),
  (8, 'e0000000-0000-4000-8000-000000000008', 'c0000000-0000-4000-8000-000000000003',
    'Rotate database credentials', 'Quarterly rotation for all service accounts.', 'todo', 'high',
    'a0000000-0000-4000-8000-000000000006', current_date + 3, 'a0000000-0000-4000-8000-000000000005'),
  (9, 'e0000000-0000-4000-8000-000000000009', 'c0000000-0000-4000-8000-000000000003',
    'Postmortem: Tuesday outage', 'Timeline, root cause and follow-up actions.', 'in_progress', 'urgent',
    'a0000000-0000-4000-8000-000000000007', current_date + 1, 'a0000000-0000-4000-8000-000000000006'),
  (10, 'e0000000-0000-4000-8000-000000000010', 'c0000000-0000-4000-8000-000000000003',
    'Upgrade the load balancer', 'Move to the new instance type.', 'done', 'medium',
    'a0000000-0000-4000-8000-000000000003', null, 'a0000000-0000-4000-8000-000000000005')
) as t (seq, id, project_id, title, description, status, priority, assignee_id, due_date, created_by)
order by t.seq;

insert into public.task_labels (task_id, label_id) values
  ('e0000000-0000-4000-8000-000000000002', 'd0000000-0000-4000-8000-000000000001'),
  ('e0000000-0000-4000-8000-000000000003', 'd0000000-0000-4000-8000-000000000002'),
  ('e0000000-0000-4000-8000-000000000006', 'd0000000-0000-4000-8000-000000000003'),
  ('e0000000-0000-4000-8000-000000000007', 'd0000000-0000-4000-8000-000000000003'),
  ('e0000000-0000-4000-8000-000000000007', 'd0000000-0000-4000-8000-000000000002'),
  ('e0000000-0000-4000-8000-000000000009', 'd0000000-0000-4000-8000-000000000004');

insert into public.comments (task_id, author_id, body) values
  ('e0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000003',
    'Reproduced: it happens only when the refresh token has expired too.'),
  ('e0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000002',
    'Thanks! Can we add a test for the expired refresh token case?'),
  ('e0000000-0000-4000-8000-000000000007', 'a0000000-0000-4000-8000-000000000001',
    'Let''s review the palette on Thursday.'),
  ('e0000000-0000-4000-8000-000000000009', 'a0000000-0000-4000-8000-000000000005',
    'Draft is in the shared folder, please add your notes.');

-- ---------------------------------------------------------------------------
-- Vault: where database jobs reach this project's API
-- ---------------------------------------------------------------------------

-- pg_net sends the billing seat-sync kick to <project_url>/functions/v1/billing-sync-seats
-- (docs/billing.md). host.docker.internal:54321 is what `supabase start` documents; the
-- local stack maps it to its gateway. On hosted, create it with the project's URL.
select vault.create_secret('http://host.docker.internal:54321', 'project_url', 'This project''s API URL, for pg_net');

-- ---------------------------------------------------------------------------
-- webhooks: where pg_net reaches the dispatcher, and with which key
-- ---------------------------------------------------------------------------

-- `http://kong:8000` is the API as SQL sees it under `supabase start`; groundwork maps it to its
-- gateway. The key is the local stack's well-known service_role key (supabase start's too).
-- On hosted, docs/webhooks.md sets both to the project's URL and secret key.
select vault.create_secret('http://kong:8000/functions/v1/webhook-dispatch', 'webhook_dispatch_url',
  'Where pg_net calls the webhook dispatcher');
select vault.create_secret(
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU',
  'webhook_dispatch_key', 'The key pg_net calls the webhook dispatcher with');
