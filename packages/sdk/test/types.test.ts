/**
 * Type tests: they pin the SDK's public types. They run under `tsc` (npm run typecheck) and
 * as ordinary vitest tests; a schema change that alters a type breaks them.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type {
  Activity,
  Comment,
  Database,
  GroundworkClient,
  GroundworkError,
  GroundworkErrorCode,
  Invitation,
  Label,
  LiveTask,
  Member,
  Page,
  Profile,
  Project,
  Task,
  TaskPriority,
  TaskStatus,
  TaskWithRelations,
  Workspace,
  WorkspaceRole,
  WorkspaceUsage,
  WorkspaceWithRole,
} from '../src/index.ts';

describe('public types', () => {
  it('enums are unions, not string', () => {
    expectTypeOf<TaskStatus>().toEqualTypeOf<'todo' | 'in_progress' | 'done' | 'canceled'>();
    expectTypeOf<TaskPriority>().toEqualTypeOf<'none' | 'low' | 'medium' | 'high' | 'urgent'>();
    expectTypeOf<WorkspaceRole>().toEqualTypeOf<'viewer' | 'member' | 'admin' | 'owner'>();
    expectTypeOf<Task['status']>().toEqualTypeOf<TaskStatus>();
    expectTypeOf<Task['status']>().not.toEqualTypeOf<string>();
    // null when the member holds a custom role (role_id says which).
    expectTypeOf<Member['role']>().toEqualTypeOf<WorkspaceRole | null>();
    expectTypeOf<Member['role_id']>().toEqualTypeOf<string>();
    expectTypeOf<Invitation['role']>().toEqualTypeOf<WorkspaceRole>();
  });

  it('error codes are a closed union', () => {
    expectTypeOf<GroundworkErrorCode>().toEqualTypeOf<
      | 'unauthenticated'
      | 'forbidden'
      | 'not_found'
      | 'conflict'
      | 'validation_failed'
      | 'plan_limit_reached'
      | 'rate_limited'
      | 'network'
      | 'unknown'
    >();
    expectTypeOf<GroundworkError['code']>().toEqualTypeOf<GroundworkErrorCode>();
    expectTypeOf<GroundworkError['status']>().toEqualTypeOf<number>();
    expectTypeOf<GroundworkError['fields']>().toEqualTypeOf<Record<string, string[]> | undefined>();
  });

  it('tasks carry key, assignee profile and labels; the search vector stays out', () => {
    expectTypeOf<Task['key']>().toEqualTypeOf<string>();
    expectTypeOf<Task['due_date']>().toEqualTypeOf<string | null>();
    expectTypeOf<Task['position']>().toEqualTypeOf<number>();
    expectTypeOf<TaskWithRelations['assignee']>().toEqualTypeOf<Profile | null>();
    expectTypeOf<TaskWithRelations['labels']>().toEqualTypeOf<Label[]>();
    expectTypeOf<Task>().not.toHaveProperty('search_vector');
    // The computed key is never null for a readable task (see src/database.ts); Realtime rows lack it.
    expectTypeOf<Database['public']['Tables']['tasks']['Row']['key']>().toEqualTypeOf<string>();
    expectTypeOf<LiveTask>().not.toHaveProperty('key');
    expectTypeOf<LiveTask>().not.toHaveProperty('search_vector');
    expectTypeOf<Invitation>().not.toHaveProperty('token_hash');
    expectTypeOf<Project>().not.toHaveProperty('next_task_number');
  });

  it('rows keep column names and nullability', () => {
    expectTypeOf<Workspace>().toEqualTypeOf<{
      id: string;
      name: string;
      slug: string;
      plan: string;
      require_mfa: boolean;
      created_at: string;
      updated_at: string;
    }>();
    expectTypeOf<WorkspaceWithRole['role']>().toEqualTypeOf<WorkspaceRole | null>();
    expectTypeOf<Profile['avatar_path']>().toEqualTypeOf<string | null>();
    expectTypeOf<Comment['author']>().toEqualTypeOf<Profile | null>();
    expectTypeOf<Activity['id']>().toEqualTypeOf<number>();
    expectTypeOf<WorkspaceUsage['max_members']>().toEqualTypeOf<number | null>();
  });

  it('methods take typed inputs and return typed results', () => {
    type Gw = GroundworkClient;
    expectTypeOf<Gw['tasks']['list']>().returns.resolves.toEqualTypeOf<Page<TaskWithRelations>>();
    expectTypeOf<Gw['tasks']['getByKey']>().returns.resolves.toEqualTypeOf<TaskWithRelations>();
    expectTypeOf<Gw['tasks']['create']>()
      .parameter(0)
      .toHaveProperty('status')
      .toEqualTypeOf<TaskStatus | undefined>();
    expectTypeOf<Gw['tasks']['move']>()
      .parameter(1)
      .exclude<undefined>()
      .toHaveProperty('status')
      .toEqualTypeOf<TaskStatus | undefined>();
    expectTypeOf<Gw['workspaces']['list']>().returns.resolves.toEqualTypeOf<WorkspaceWithRole[]>();
    expectTypeOf<Gw['members']['list']>().returns.resolves.toEqualTypeOf<Member[]>();
    expectTypeOf<Gw['comments']['list']>().returns.resolves.toEqualTypeOf<Page<Comment>>();
    expectTypeOf<Gw['activity']['list']>().returns.resolves.toEqualTypeOf<Page<Activity>>();
    expectTypeOf<Gw['invitations']['create']>()
      .parameter(0)
      .toHaveProperty('role')
      .toEqualTypeOf<'viewer' | 'member' | 'admin' | undefined>();
    // @ts-expect-error: a status outside the enum does not compile
    expectTypeOf<Gw['tasks']['update']>().toBeCallableWith('id', { status: 'doing' });
  });
});
