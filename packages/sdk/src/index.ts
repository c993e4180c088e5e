/**
 * @groundwork/sdk — the typed client for a Groundwork backend. See README.md for the reference.
 */
export {
  API_KEY_HEADER,
  createGroundworkClient,
  type GroundworkClient,
  type GroundworkClientOptions,
  wrapSupabaseClient,
} from './client.ts';
export { createSdkContext, type GroundworkSupabaseClient, type SdkContext } from './context.ts';
export { Constants } from './database.gen.ts';
export type { Database, Json } from './database.ts';
export {
  type FieldErrors,
  GroundworkError,
  type GroundworkErrorCode,
  isGroundworkError,
} from './errors.ts';
export type { ActivityApi } from './modules/activity.ts';
export type { ApiKey, ApiKeysApi, CreatedApiKey } from './modules/api-keys.ts';
export type { AttachmentsApi } from './modules/attachments.ts';
export type { AuditApi } from './modules/audit.ts';
export {
  type AuthApi,
  type AuthChangeEvent,
  type AuthResult,
  createAuthApi,
  type Session,
  type User,
} from './modules/auth.ts';
export type { BillingApi, BillingSession } from './modules/billing.ts';
export type { CommentsApi } from './modules/comments.ts';
export type { DomainsApi } from './modules/domains.ts';
export type { InvitationsApi } from './modules/invitations.ts';
export type { InviteLinksApi } from './modules/invite-links.ts';
export { createLabelsApi, type LabelsApi } from './modules/labels.ts';
export type { MembersApi } from './modules/members.ts';
export type { NotificationsApi } from './modules/notifications.ts';
export type {
  PresenceApi,
  PresenceState,
  PresentMember,
  ProjectPresence,
} from './modules/presence.ts';
export { createProfilesApi, type ProfilesApi } from './modules/profiles.ts';
export { createProjectsApi, type ProjectsApi } from './modules/projects.ts';
export type { RolesApi } from './modules/roles.ts';
export {
  type CreateTaskInput,
  createTasksApi,
  type ListTasksOptions,
  type TasksApi,
  type UpdateTaskInput,
} from './modules/tasks.ts';
export type { TrashApi } from './modules/trash.ts';
export type { WorkspaceMfaApi } from './modules/workspace-mfa.ts';
export { createWorkspacesApi, type WorkspacesApi } from './modules/workspaces.ts';
export type { Subscription } from './realtime-channel.ts';
export type {
  Activity,
  Attachment,
  AuditEntry,
  BillingSubscription,
  Comment,
  Invitation,
  InviteLink,
  Label,
  LiveTask,
  Member,
  NewInviteLink,
  Notification,
  NotificationRow,
  NotificationType,
  Page,
  Profile,
  Project,
  Role,
  SuggestedWorkspace,
  Task,
  TaskChange,
  TaskPriority,
  TaskStatus,
  TaskWithRelations,
  TrashEntry,
  TrashKind,
  WebhookDelivery,
  WebhookDeliveryAttempt,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookEventType,
  Workspace,
  WorkspaceDomain,
  WorkspaceMfaStatus,
  WorkspaceRole,
  WorkspaceUsage,
  WorkspaceWithRole,
} from './types.ts';
export type { UploadProgress } from './upload-progress.ts';
