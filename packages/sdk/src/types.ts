/**
 * The SDK's public row types. Rows keep the database's column names (snake_case), the same
 * shape supabase-js queries and Realtime payloads have, and derive from the generated
 * `Database` so a schema change shows up as a type error.
 */
import type { Database } from './database.ts';

type PublicSchema = Database['public'];
type Row<T extends keyof PublicSchema['Tables']> = PublicSchema['Tables'][T]['Row'];

export type WorkspaceRole = PublicSchema['Enums']['workspace_role'];
export type TaskStatus = PublicSchema['Enums']['task_status'];
export type TaskPriority = PublicSchema['Enums']['task_priority'];
export type NotificationType = PublicSchema['Enums']['notification_type'];

export type Workspace = Row<'workspaces'>;
/**
 * A workspace as listed for the signed-in user, with their role in it: `role_id` always,
 * `role` when it is a built-in role (null for a custom role).
 */
export type WorkspaceWithRole = Workspace & { role: WorkspaceRole | null; role_id: string };
/** Members, open invitations and active projects next to the plan's limits (`null` = unlimited). */
export type WorkspaceUsage = {
  plan: string;
  members: number;
  pending_invitations: number;
  projects: number;
  max_members: number | null;
  max_projects: number | null;
  storage_limit_bytes: number;
};

export type Profile = Row<'profiles'>;
export type Member = Row<'workspace_members'> & { profile: Profile | null };

/** An invitation as admins see it; the token itself is never stored, its hash is never returned. */
export type Invitation = Omit<Row<'invitations'>, 'token_hash'>;

/** An invite link as inviters see it (never its token or hash). */
export type InviteLink = Omit<Row<'invite_links'>, 'token_hash'>;
/** A new invite link with its token, shown only this once. */
export type NewInviteLink = {
  [K in keyof PublicSchema['CompositeTypes']['new_invite_link']]: NonNullable<
    PublicSchema['CompositeTypes']['new_invite_link'][K]
  >;
};
export type WorkspaceDomain = Row<'workspace_domains'>;
/** A workspace that verified the domain of your confirmed address; `can_join` when it has a join role. */
export type SuggestedWorkspace = {
  workspace_id: string;
  name: string;
  slug: string;
  domain: string;
  can_join: boolean;
};
export type Role = Row<'roles'>;
export type AuditEntry = Row<'audit_log'>;

export type Project = Omit<Row<'projects'>, 'next_task_number'>;
export type Label = Row<'labels'>;

/** A task with its human key (`ENG-42`); the search vector stays on the server. */
export type Task = Omit<Row<'tasks'>, 'search_vector'>;
/** A task as lists and reads return it: with its assignee's profile and its labels. */
export type TaskWithRelations = Task & { assignee: Profile | null; labels: Label[] };

export type Comment = Row<'comments'> & { author: Profile | null };

/** A notification row as Realtime delivers it. */
export type NotificationRow = Row<'notifications'>;
/** A notification as listed: with who caused it and a short view of the task. */
export type Notification = NotificationRow & {
  actor: Profile | null;
  task: Pick<Task, 'id' | 'project_id' | 'number' | 'title' | 'key'> | null;
};

/** A task row as Realtime delivers it: table columns only (no computed key, no relations). */
export type LiveTask = Omit<Row<'tasks'>, 'search_vector' | 'key'>;
/**
 * One change to a task, as `gw.tasks.subscribe` reports it. Realtime can neither filter nor
 * RLS-check a deleted row, so deletes carry only the id and are not limited to the scope:
 * drop the id if you hold it, ignore it otherwise.
 */
export type TaskChange =
  | { type: 'INSERT'; task: LiveTask }
  | { type: 'UPDATE'; task: LiveTask; old: LiveTask }
  | { type: 'DELETE'; id: string };
export type Activity = Row<'activity'>;
/** A file on a task; its bytes live in the `attachments` bucket at `object_path`. */
export type Attachment = Row<'attachments'>;

/** One page of a cursor-paginated list; pass `nextCursor` back as `cursor` for the next one. */
export interface Page<T> {
  items: T[];
  /** `null` on the last page. */
  nextCursor: string | null;
}
