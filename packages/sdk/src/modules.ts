/**
 * `@groundwork/sdk/modules` — every domain module's factory, to build single modules on a context
 * (`createSdkContext`) and bundle nothing else. The main entry keeps only the factories of the
 * modules `createGroundworkClient` builds at once; the others (billing, apiKeys, roles, audit,
 * trash…) it loads lazily, on a method's first call, and so must not import statically — a
 * re-export from the main entry would pull their code back into every app's main chunk.
 */
export { createSdkContext, type SdkContext } from './context.ts';
export { createActivityApi } from './modules/activity.ts';
export { createApiKeysApi } from './modules/api-keys.ts';
export { createAttachmentsApi } from './modules/attachments.ts';
export { createAuditApi } from './modules/audit.ts';
export { createAuthApi } from './modules/auth.ts';
export { createBillingApi } from './modules/billing.ts';
export { createCommentsApi } from './modules/comments.ts';
export { createDomainsApi } from './modules/domains.ts';
export { createInvitationsApi } from './modules/invitations.ts';
export { createInviteLinksApi } from './modules/invite-links.ts';
export { createLabelsApi } from './modules/labels.ts';
export { createMembersApi } from './modules/members.ts';
export { createNotificationsApi } from './modules/notifications.ts';
export { createPresenceApi } from './modules/presence.ts';
export { createProfilesApi } from './modules/profiles.ts';
export { createProjectsApi } from './modules/projects.ts';
export { createRolesApi } from './modules/roles.ts';
export { createTasksApi } from './modules/tasks.ts';
export { createTrashApi } from './modules/trash.ts';
export { createWorkspaceMfaApi } from './modules/workspace-mfa.ts';
export { createWorkspacesApi } from './modules/workspaces.ts';
