import type { ProjectKeys } from '../config/project-keys.ts';

/**
 * An access token shaped like Supabase Auth's, for tests of the data layer that don't
 * go through sign-in. Auth's own tests use real sign-ins.
 */
export async function mintUserToken(
  keys: ProjectKeys,
  user: { id: string; email?: string; role?: string; expiresInSeconds?: number },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return keys.signer.sign({
    aud: 'authenticated',
    sub: user.id,
    email: user.email ?? '',
    role: user.role ?? 'authenticated',
    aal: 'aal1',
    iat: now,
    exp: now + (user.expiresInSeconds ?? 3600),
    session_id: crypto.randomUUID(),
    is_anonymous: false,
  });
}
