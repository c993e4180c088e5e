import { createClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import { createSdkContext, type GroundworkSupabaseClient } from './context.ts';
import type { Database } from './database.ts';
import { GroundworkError } from './errors.ts';
import { lazyApi } from './lazy-api.ts';
import type { ActivityApi } from './modules/activity.ts';
import type { ApiKeysApi } from './modules/api-keys.ts';
import type { AttachmentsApi } from './modules/attachments.ts';
import type { AuditApi } from './modules/audit.ts';
import { type AuthApi, createAuthApi } from './modules/auth.ts';
import type { BillingApi } from './modules/billing.ts';
import type { CommentsApi } from './modules/comments.ts';
import type { DomainsApi } from './modules/domains.ts';
import type { InvitationsApi } from './modules/invitations.ts';
import type { InviteLinksApi } from './modules/invite-links.ts';
import { createLabelsApi, type LabelsApi } from './modules/labels.ts';
import type { MembersApi } from './modules/members.ts';
import type { NotificationsApi } from './modules/notifications.ts';
import type { PresenceApi } from './modules/presence.ts';
import { createProfilesApi, type ProfilesApi } from './modules/profiles.ts';
import { createProjectsApi, type ProjectsApi } from './modules/projects.ts';
import type { RolesApi } from './modules/roles.ts';
import { createTasksApi, type TasksApi } from './modules/tasks.ts';
import type { TrashApi } from './modules/trash.ts';
import type { WorkspaceMfaApi } from './modules/workspace-mfa.ts';
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
  workspaceMfa: WorkspaceMfaApi;
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
    members: lazyApi(() => import('./modules/members.ts').then((module) => module.createMembersApi(ctx)), {
      list: true,
      changeRole: true,
      assignRole: true,
      remove: true,
      leave: true,
      transferOwnership: true,
    }),
    invitations: lazyApi(
      () => import('./modules/invitations.ts').then((module) => module.createInvitationsApi(ctx)),
      {
        create: true,
        listPending: true,
        revoke: true,
        resend: true,
        changeRole: true,
        accept: true,
      },
    ),
    inviteLinks: lazyApi(
      () => import('./modules/invite-links.ts').then((module) => module.createInviteLinksApi(ctx)),
      {
        create: true,
        list: true,
        revoke: true,
        join: true,
      },
    ),
    workspaceMfa: lazyApi(
      () => import('./modules/workspace-mfa.ts').then((module) => module.createWorkspaceMfaApi(ctx)),
      { status: true, setRequired: true },
    ),
    domains: lazyApi(() => import('./modules/domains.ts').then((module) => module.createDomainsApi(ctx)), {
      verify: true,
      list: true,
      remove: true,
      suggested: true,
      join: true,
    }),
    roles: lazyApi(() => import('./modules/roles.ts').then((module) => module.createRolesApi(ctx)), {
      list: true,
      create: true,
      update: true,
      remove: true,
      myPermissions: true,
    }),
    audit: lazyApi(() => import('./modules/audit.ts').then((module) => module.createAuditApi(ctx)), {
      list: true,
      export: true,
    }),
    projects: createProjectsApi(ctx),
    labels: createLabelsApi(ctx),
    tasks: createTasksApi(ctx),
    comments: lazyApi(() => import('./modules/comments.ts').then((module) => module.createCommentsApi(ctx)), {
      list: true,
      add: true,
      edit: true,
      delete: true,
      restore: true,
      deletePermanently: true,
    }),
    trash: lazyApi(() => import('./modules/trash.ts').then((module) => module.createTrashApi(ctx)), {
      list: true,
      empty: true,
    }),
    activity: lazyApi(() => import('./modules/activity.ts').then((module) => module.createActivityApi(ctx)), {
      list: true,
    }),
    apiKeys: lazyApi(() => import('./modules/api-keys.ts').then((module) => module.createApiKeysApi(ctx)), {
      create: true,
      list: true,
      revoke: true,
    }),
    attachments: lazyApi(
      () => import('./modules/attachments.ts').then((module) => module.createAttachmentsApi(ctx)),
      {
        upload: true,
        list: true,
        getSignedUrl: true,
        download: true,
        delete: true,
      },
    ),
    profiles: createProfilesApi(ctx),
    notifications: lazyApi(
      () => import('./modules/notifications.ts').then((module) => module.createNotificationsApi(ctx)),
      {
        list: true,
        unreadCount: true,
        markRead: true,
        subscribe: true,
      },
    ),
    presence: lazyApi(() => import('./modules/presence.ts').then((module) => module.createPresenceApi(ctx)), {
      joinProject: true,
    }),
    billing: lazyApi(() => import('./modules/billing.ts').then((module) => module.createBillingApi(ctx)), {
      subscription: true,
      checkout: true,
      portal: true,
    }),
    supabase,
  };
}
