import { randomBytes } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import { inject } from 'vitest';
// Brings in the `inject('stack')` typing the shared test stack provides.
import type {} from '../../../../tests/global-setup.ts';

/** Clients of the shared test stack, as apps build them. */
export function stackClients() {
  const stack = inject('stack');
  const options = { auth: { persistSession: false, autoRefreshToken: false } };
  const client = (key: string, token?: string): SupabaseClient =>
    createClient(stack.apiUrl, key, {
      ...options,
      ...(token ? { global: { headers: { Authorization: `Bearer ${token}` } } } : {}),
    });
  return {
    stack,
    service: client(stack.serviceRoleKey),
    anon: client(stack.anonKey),
    asUser: (token: string) => client(stack.anonKey, token),
    storageUrl: `${stack.apiUrl}/storage/v1`,
  };
}

/** A GoTrue-shaped access token for a user id, signed with the project's secret. */
export async function userToken(
  jwtSecret: string,
  userId: string,
  options: { expiresInSeconds?: number; role?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    aud: 'authenticated',
    sub: userId,
    role: options.role ?? 'authenticated',
    aal: 'aal1',
    session_id: crypto.randomUUID(),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresInSeconds ?? 3600))
    .sign(new TextEncoder().encode(jwtSecret));
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
