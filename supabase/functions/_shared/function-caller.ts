/**
 * Who is calling a function: a signed-in person (their access token in `Authorization`) or a
 * workspace API key (the `Groundwork-Api-Key` header, sent with the publishable key and no
 * user session), resolved once, with a supabase-js client that acts as that caller so RLS
 * decides every read and write.
 *
 * Functions that accept keys run with `verify_jwt = false` (a machine has no JWT, and the new
 * publishable key is not one), so this verifies both kinds itself:
 * - a key through PostgREST's pre-request hook, by calling `current_api_key()` with it: the
 *   same lookup, revocation, expiry and rate-limit checks as any REST request (the call is
 *   counted), answering the key's id, workspace and permissions;
 * - a person's token by PostgREST, the verifier every later query of the function meets anyway:
 *   one HEAD request with it (signature and expiry, as the platform's verify_jwt checks — not
 *   whether its session is still open, which auth.getClaims would ask Auth for a symmetric key).
 */
// groundwork-doctor: verifies-caller PostgREST verifies the user's JWT (probe) or the API key (current_api_key)
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { supabaseSettings } from './env.ts';
import { FunctionError } from './errors.ts';

/** The header a machine sends its workspace API key in (as for REST). */
export const API_KEY_HEADER = 'Groundwork-Api-Key';

export interface UserCaller {
  kind: 'user';
  /** The user's id (`auth.uid()`). */
  id: string;
  /** supabase-js as this user: their token on every request. */
  db: SupabaseClient;
}

export interface ApiKeyCaller {
  kind: 'api_key';
  /** The key's id, which the database records as the actor (`auth.uid()` in its transactions). */
  id: string;
  /** The one workspace the key belongs to. */
  workspaceId: string;
  permissions: string[];
  /** supabase-js as this key: the publishable key plus the key's header on every request. */
  db: SupabaseClient;
}

export type FunctionCaller = UserCaller | ApiKeyCaller;

const NO_SESSION = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false };

/** The caller, or not_authenticated / api_key_* (401, 429 with Retry-After) / api_key_with_session (400). */
export async function resolveCaller(request: Request): Promise<FunctionCaller> {
  const apiKey = request.headers.get(API_KEY_HEADER)?.trim();
  const token = bearerToken(request);
  if (apiKey) {
    // As the REST hook does: a key is a principal of its own, never added to a person's session.
    if (token && ['authenticated', 'service_role'].includes(String(unverifiedClaims(token).role))) {
      throw new FunctionError(
        'api_key_with_session',
        'Send an API key with the publishable key only, not with a user session or the secret key',
      );
    }
    return apiKeyCaller(apiKey);
  }
  if (!token) throw new FunctionError('not_authenticated', 'Sign in first, or send an API key');
  return userCaller(token);
}

/** A person's caller; anything but a valid, unexpired user token is not_authenticated. */
async function userCaller(token: string): Promise<UserCaller> {
  const { url, anonKey } = supabaseSettings();
  const db = createClient(url, anonKey, {
    global: { headers: { Authorization: `Bearer ${token}` } },
    auth: NO_SESSION,
  });
  // The claims decide only whether to go on; the probe is what verifies them.
  const claims = unverifiedClaims(token) as { role?: unknown; sub?: unknown };
  if (claims.role !== 'authenticated' || typeof claims.sub !== 'string') {
    throw new FunctionError('not_authenticated', 'Sign in first, or send an API key');
  }
  const probe = await db.from('workspaces').select('id', { head: true }).limit(1);
  if (probe.status === 401) throw new FunctionError('not_authenticated', 'Sign in first, or send an API key');
  if (probe.error) throw new Error(`verifying the caller failed: ${probe.status} ${probe.error.message}`);
  return { kind: 'user', id: claims.sub, db };
}

interface CurrentApiKey {
  id: string;
  workspace_id: string;
  permissions: string[];
}

/** A key's caller, verified by the database (a plain fetch, to see Retry-After). */
async function apiKeyCaller(apiKey: string): Promise<ApiKeyCaller> {
  const { url, anonKey } = supabaseSettings();
  const headers = { apikey: anonKey, [API_KEY_HEADER]: apiKey };
  const response = await fetch(`${url}/rest/v1/rpc/current_api_key`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: '{}',
  });
  const body = (await response.json().catch(() => null)) as (CurrentApiKey & { message?: unknown }) | null;
  if (!response.ok) {
    throw keyRefusal(body?.message, response);
  }
  if (!body?.id || !body.workspace_id) throw new Error('current_api_key answered no key');
  return {
    kind: 'api_key',
    id: body.id,
    workspaceId: body.workspace_id,
    permissions: body.permissions,
    db: createClient(url, anonKey, { global: { headers: { [API_KEY_HEADER]: apiKey } }, auth: NO_SESSION }),
  };
}

/** The database's refusal of a key as this function's answer; it never names the workspace. */
function keyRefusal(code: unknown, response: Response): Error {
  switch (code) {
    case 'api_key_invalid':
      return new FunctionError('api_key_invalid', 'No such API key');
    case 'api_key_revoked':
      return new FunctionError('api_key_revoked', 'This API key has been revoked');
    case 'api_key_expired':
      return new FunctionError('api_key_expired', 'This API key has expired');
    case 'api_key_rate_limited':
      return new FunctionError(
        'api_key_rate_limited',
        'Too many requests for this API key; retry after the Retry-After seconds',
        {},
        { 'Retry-After': response.headers.get('Retry-After') ?? '60' },
      );
    default:
      return new Error(`current_api_key answered ${response.status}`);
  }
}

function bearerToken(request: Request): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(request.headers.get('Authorization')?.trim() ?? '')?.[1];
}

/** A JWT's claims without checking its signature: only to choose the answer, never to grant anything. */
function unverifiedClaims(token: string): { role?: unknown; sub?: unknown } {
  try {
    const payload = token.split('.')[1];
    return payload ? JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) : {};
  } catch {
    return {};
  }
}
