import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import type { TestUser } from './fixtures.ts';

export interface StackInfo {
  apiUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
}

const clientOptions = { auth: { persistSession: false, autoRefreshToken: false } } as const;

export function anonClient(stack: StackInfo): SupabaseClient {
  return createClient(stack.apiUrl, stack.anonKey, clientOptions);
}

export function serviceRoleClient(stack: StackInfo): SupabaseClient {
  return createClient(stack.apiUrl, stack.serviceRoleKey, clientOptions);
}

let authAvailable: Promise<boolean> | undefined;

/** Whether the stack mounts Auth (GoTrue's /health answers 200). */
export function hasAuth(stack: StackInfo): Promise<boolean> {
  authAvailable ??= fetch(`${stack.apiUrl}/auth/v1/health`, { headers: { apikey: stack.anonKey } })
    .then((res) => res.ok)
    .catch(() => false);
  return authAvailable;
}

/**
 * A supabase-js client signed in as `user` (password `password123`, as the fixtures
 * create them). Signs in through Auth when the stack serves it; otherwise uses an
 * access token of the same shape Auth issues, signed with the project's JWT secret.
 */
export async function userClient(stack: StackInfo, user: TestUser): Promise<SupabaseClient> {
  if (await hasAuth(stack)) {
    const client = createClient(stack.apiUrl, stack.anonKey, clientOptions);
    const { error } = await client.auth.signInWithPassword({ email: user.email, password: 'password123' });
    if (error) throw error;
    return client;
  }
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({
    aud: 'authenticated',
    sub: user.id,
    email: user.email,
    role: 'authenticated',
    aal: 'aal1',
    session_id: crypto.randomUUID(),
    is_anonymous: false,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(stack.jwtSecret));
  return createClient(stack.apiUrl, stack.anonKey, {
    ...clientOptions,
    global: { headers: { Authorization: `Bearer ${token}` } },
  });
}
