import { createClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import { createSdkContext, type GroundworkSupabaseClient } from './context.ts';
import type { Database } from './database.ts';
import { GroundworkError } from './errors.ts';
import { type ActivityApi, createActivityApi } from './modules/activity.ts';
import { type ApiKeysApi, createApiKeysApi } from './modules/api-keys.ts';
import { type AttachmentsApi, createAttachmentsApi } from './modules/attachments.ts';
import { type AuditApi, createAuditApi } from './modules/audit.ts';
import { type AuthApi, createAuthApi } from './modules/auth.ts';
import { type BillingApi, createBillingApi } from './modules/billing.ts';
import { type CommentsApi, createCommentsApi } from './modules/comments.ts';
import { createDomainsApi, type DomainsApi } from './modules/domains.ts';
import { createInvitationsApi, type InvitationsApi } from './modules/invitations.ts';
import { createInviteLinksApi, type InviteLinksApi } from './modules/invite-links.ts';
import { createLabelsApi, type LabelsApi } from './modules/labels.ts';
import { createMembersApi, type MembersApi } from './modules/members.ts';
import { createNotificationsApi, type NotificationsApi } from './modules/notifications.ts';
import { createPresenceApi, type PresenceApi } from './modules/presence.ts';
import { createProfilesApi, type ProfilesApi } from './modules/profiles.ts';
import { createProjectsApi, type ProjectsApi } from './modules/projects.ts';
import { createRolesApi, type RolesApi } from './modules/roles.ts';
import { createTasksApi, type TasksApi } from './modules/tasks.ts';
import { createTrashApi, type TrashApi } from './modules/trash.ts';
import { createWorkspacesApi, type WorkspacesApi } from './modules/workspaces.ts';

export interface GroundworkClientOptions {
  /** The project's API URL, e.g. `http://127.0.0.1:54321` locally. */
  url: string;
  /** The publishable (anon) key. Never ship the secret key to a browser. */
  key: string;
  /**
   * Options handed to supabase-js `createClient` unchanged: auth storage and session handling,
   * `global.fetch` / `global.headers`, realtime settings, or `accessToken` for apps that bring
   * their own tokens (which turns `gw.auth` off, as in supabase-js).
   */
  supabase?: SupabaseClientOptions<'public'>;
  /**
   * A workspace API key (`gw_…`), for scripts and servers: every request is made as the key —
   * a principal of its workspace holding its permissions — with no sign-in. Keep it out of
   * browsers, like any secret.
   */
  apiKey?: string;
}

/** The header PostgREST's pre-request hook reads the key from (docs/api-keys.md). */
export const API_KEY_HEADER = 'Groundwork-Api-Key';

/** The whole backend, one property per domain. */
export interface GroundworkClient {
  auth: AuthApi;
  workspaces: WorkspacesApi;
  members: MembersApi;
  invitations: InvitationsApi;
  inviteLinks: InviteLinksApi;
  domains: DomainsApi;
  roles: RolesApi;
  audit: AuditApi;
  projects: ProjectsApi;
  labels: LabelsApi;
  tasks: TasksApi;
  comments: CommentsApi;
  trash: TrashApi;
  activity: ActivityApi;
  apiKeys: ApiKeysApi;
  attachments: AttachmentsApi;
  profiles: ProfilesApi;
  notifications: NotificationsApi;
  presence: PresenceApi;
  billing: BillingApi;
  /** The underlying supabase-js client, typed with the project's schema, for anything else. */
  supabase: GroundworkSupabaseClient;
}

/**
 * Creates a Groundwork client. Every method throws a {@link GroundworkError} on failure.
 *
 * @example
 * ```ts
 * import { createGroundworkClient } from '@groundwork/sdk';
 *
 * const gw = createGroundworkClient({ url: 'http://127.0.0.1:54321', key: publishableKey });
 * await gw.auth.signInWithPassword({ email: 'alice@example.com', password: 'password123' });
 * const [workspace] = await gw.workspaces.list();
 * const { items } = await gw.tasks.list({ workspace_id: workspace.id, status: 'todo' });
 *
 * // A script with a workspace API key instead of a person's session:
 * const ci = createGroundworkClient({ url, key: publishableKey, apiKey: process.env.GW_API_KEY });
 * const { items: open } = await ci.tasks.list({ workspace_id, status: 'todo' });
 * ```
 */
export function createGroundworkClient(options: GroundworkClientOptions): GroundworkClient {
  if (typeof options?.url !== 'string' || !/^https?:\/\/\S+$/.test(options.url)) {
    throw new GroundworkError('validation_failed', 'createGroundworkClient: url must be an http(s) URL.', {
      fields: { url: ['must be an http(s) URL'] },
    });
  }
  if (typeof options.key !== 'string' || options.key.length === 0) {
    throw new GroundworkError('validation_failed', 'createGroundworkClient: key is required.', {
      fields: { key: ['is required'] },
    });
  }
  if (typeof globalThis.WebSocket === 'undefined' && !options.supabase?.realtime?.transport) {
    // supabase-js builds its Realtime client up front and throws without a WebSocket (Node 20);
    // say the one fix in our error type instead of its stack.
    throw new GroundworkError(
      'validation_failed',
      "createGroundworkClient: this runtime has no WebSocket (Node 20): pass supabase: { realtime: { transport: WebSocket } } with WebSocket from the 'ws' package, or run Node 22+.",
      { fields: { 'supabase.realtime.transport': ['is required where the runtime has no WebSocket'] } },
    );
  }
  if (options.apiKey !== undefined && !/^gw_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/.test(options.apiKey)) {
    throw new GroundworkError(
      'validation_failed',
      'createGroundworkClient: apiKey is not a workspace API key.',
      {
        fields: { apiKey: ['must be a key made by apiKeys.create (gw_…)'] },
      },
    );
  }
  const supabase = createClient<Database>(
    options.url,
    options.key,
    withApiKey(options.supabase, options.apiKey),
  );
  return wrapSupabaseClient(supabase, { accessToken: options.supabase?.accessToken });
}

/** supabase-js options with the key's header on every request and no session of its own. */
function withApiKey(
  supabase: SupabaseClientOptions<'public'> | undefined,
  apiKey: string | undefined,
): SupabaseClientOptions<'public'> | undefined {
  if (apiKey === undefined) return supabase;
  return {
    ...supabase,
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false, ...supabase?.auth },
    global: { ...supabase?.global, headers: { ...supabase?.global?.headers, [API_KEY_HEADER]: apiKey } },
  };
}

/**
 * Builds the Groundwork API over a supabase-js client you already have (it must be typed with
 * or compatible with the generated `Database`). Pass `accessToken` if you created it with that option.
 *
 * @example
 * ```ts
 * const supabase = createClient<Database>(url, key);
 * const gw = wrapSupabaseClient(supabase);
 * ```
 */
export function wrapSupabaseClient(
  supabase: GroundworkSupabaseClient,
  options: { accessToken?: (() => Promise<string | null>) | undefined } = {},
): GroundworkClient {
  const ctx = createSdkContext(supabase, options.accessToken);
  return {
    auth: createAuthApi(ctx),
    workspaces: createWorkspacesApi(ctx),
    members: createMembersApi(ctx),
    invitations: createInvitationsApi(ctx),
    inviteLinks: createInviteLinksApi(ctx),
    domains: createDomainsApi(ctx),
    roles: createRolesApi(ctx),
    audit: createAuditApi(ctx),
    projects: createProjectsApi(ctx),
    labels: createLabelsApi(ctx),
    tasks: createTasksApi(ctx),
    comments: createCommentsApi(ctx),
    trash: createTrashApi(ctx),
    activity: createActivityApi(ctx),
    apiKeys: createApiKeysApi(ctx),
    attachments: createAttachmentsApi(ctx),
    profiles: createProfilesApi(ctx),
    notifications: createNotificationsApi(ctx),
    presence: createPresenceApi(ctx),
    billing: createBillingApi(ctx),
    supabase,
  };
}
