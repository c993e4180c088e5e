import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { serviceRoleKey, supabaseSettings } from './env.ts';
import { FunctionError } from './errors.ts';

/**
 * A supabase-js client that acts as the caller: the anon key plus the caller's own
 * Authorization header, so PostgREST verifies the JWT and RLS decides every read and
 * write, exactly as if the app had made the call itself.
 */
export function callerClient(request: Request): SupabaseClient {
  const authorization = request.headers.get('Authorization');
  if (!authorization) throw new FunctionError('not_authenticated', 'Sign in first');
  const { url, anonKey } = supabaseSettings();
  return createClient(url, anonKey, {
    global: { headers: { Authorization: authorization } },
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
}

/**
 * The signed-in user behind a request. The token was verified by the platform
 * (verify_jwt) and is verified again by PostgREST on every query; reading its claims
 * here only decides which error to give, never what data is reachable.
 */
export function callerUserId(request: Request): string {
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get('Authorization')?.trim() ?? '')?.[1];
  const payload = token?.split('.')[1];
  let claims: { sub?: unknown; role?: unknown } = {};
  try {
    claims = payload ? JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) : {};
  } catch {
    claims = {};
  }
  if (claims.role !== 'authenticated' || typeof claims.sub !== 'string') {
    throw new FunctionError('not_authenticated', 'Sign in first');
  }
  return claims.sub;
}

/**
 * A supabase-js client with the service role: RLS does not apply, so only for writes the
 * database reserves for the platform (Stripe's state, the seat outbox), after the function
 * has checked the caller itself or verified the sender.
 */
export function serviceClient(): SupabaseClient {
  return createClient(supabaseSettings().url, serviceRoleKey(), {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
}
