/**
 * What every domain module receives: the typed supabase-js client and a way to learn who is
 * calling. Modules take this instead of the whole SDK client so each can be imported alone.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from './database.ts';
import { GroundworkError } from './errors.ts';

/** supabase-js typed with the project's generated schema. */
export type GroundworkSupabaseClient = SupabaseClient<Database>;

export interface SdkContext {
  readonly supabase: GroundworkSupabaseClient;
  /** The signed-in user's id; throws `unauthenticated` when nobody is signed in. */
  currentUserId(): Promise<string>;
}

/**
 * The context domain modules run on, for apps that import single modules to keep bundles small.
 * The user id comes from the session supabase-js keeps, or — when the app supplies its own
 * tokens through the `accessToken` option, which disables `supabase.auth` — from the token's
 * `sub` claim. The token is not verified here: the server verifies it on every request.
 *
 * @example
 * ```ts
 * const ctx = createSdkContext(createClient<Database>(url, key));
 * const tasks = createTasksApi(ctx); // only the tasks module ends up in the bundle
 * ```
 */
export function createSdkContext(
  supabase: GroundworkSupabaseClient,
  accessToken?: () => Promise<string | null>,
): SdkContext {
  return {
    supabase,
    async currentUserId() {
      const token = accessToken
        ? await accessToken()
        : (await supabase.auth.getSession()).data.session?.access_token;
      const subject = token ? readSubject(token) : undefined;
      if (!subject)
        throw new GroundworkError('unauthenticated', 'Sign in first.', { reason: 'session_missing' });
      return subject;
    },
  };
}

function readSubject(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const claims: unknown = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')));
    const sub = (claims as { sub?: unknown }).sub;
    return typeof sub === 'string' && sub.length > 0 ? sub : undefined;
  } catch {
    return undefined;
  }
}
