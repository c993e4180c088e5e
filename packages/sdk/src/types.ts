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
/**
 * A workspace's "members must use MFA" setting as the caller meets it: the session's `aal` (null
 * for an API key) and whether the workspace lets the session in now.
 */
export type WorkspaceMfaStatus = {
  workspace_id: string;
  require_mfa: boolean;
  session_aal: 'aal1' | 'aal2' | null;
  mfa_satisfied: boolean;
};
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

/** A workspace's plan and Stripe subscription state (`billing.subscription`); null where Stripe has told nothing yet. */
export type BillingSubscription = {
  plan: string;
  status:
    | 'incomplete'
    | 'incomplete_expired'
    | 'trialing'
    | 'active'
    | 'past_due'
    | 'canceled'
    | 'unpaid'
    | 'paused'
    | null;
  /** Seats Stripe charges for. */
  quantity: number | null;
  /** Members plus pending invitations, each person once. */
  seats_used: number;
  max_members: number | null;
  current_period_end: string | null;
  cancel_at_period_end: boolean;
  past_due_since: string | null;
  /** When a past_due workspace stops accepting new projects, tasks and invitations. */
  grace_ends_at: string | null;
  creations_blocked: boolean;
  /** Whether a Stripe customer exists (the portal needs one). */
  has_billing_account: boolean;
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

/** The trash columns: reads never return rows in the trash, so they are always null there. */
type TrashColumns = 'deleted_at' | 'deleted_by' | 'deleted_with_parent';

export type Project = Omit<Row<'projects'>, 'next_task_number' | TrashColumns>;
export type Label = Row<'labels'>;

/** A task with its human key (`ENG-42`); the search vector stays on the server. */
export type Task = Omit<Row<'tasks'>, 'search_vector' | TrashColumns>;
/** A task as lists and reads return it: with its assignee's profile and its labels. */
export type TaskWithRelations = Task & { assignee: Profile | null; labels: Label[] };

export type Comment = Omit<Row<'comments'>, TrashColumns> & { author: Profile | null };

export type TrashKind = 'project' | 'task' | 'comment';
/** One entry of a workspace's trash (`gw.trash.list`), or what `delete` just moved there. */
export interface TrashEntry {
  kind: TrashKind;
  id: string;
  workspace_id: string;
  /** The project (a project's own id for a project). */
  project_id: string;
  /** The task of a comment (a task's own id for a task; null for a project). */
  task_id: string | null;
  /** A project's name, a task's title, the start of a comment's body. */
  title: string;
  deleted_at: string;
  /** Who deleted it (null for the service role). */
  deleted_by: string | null;
  /** When it is deleted for good, 30 days after `deleted_at`. */
  purge_after: string;
}

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

export type WebhookEndpoint = Row<'webhook_endpoints'>;
/** An endpoint as created: with its signing secret, shown this once. */
export type WebhookEndpointWithSecret = WebhookEndpoint & { secret: string };
export type WebhookDelivery = Row<'webhook_deliveries'>;
export type WebhookDeliveryAttempt = Row<'webhook_delivery_attempts'>;
export type WebhookEventType = Row<'webhook_event_types'>;
