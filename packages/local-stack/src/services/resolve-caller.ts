import type { ProjectKeys } from '../config/project-keys.ts';
import type { ApiKeyKind, Caller, CallerApiKey } from './caller.ts';
import { verifyToken } from './verify-token.ts';

/** The two credentials a Supabase request can carry, as the client sent them. */
export interface CallerCredentials {
  /** `apikey` header, else the `apikey` query parameter (what browsers' WebSockets send). */
  apiKey: string | undefined;
  /** The `Authorization` header. */
  authorization: string | undefined;
}

/** Reads the credentials from a request's URL and headers (a Fetch request or a Node upgrade alike). */
export function credentialsOf(url: URL, header: (name: string) => string | undefined): CallerCredentials {
  return {
    apiKey: header('apikey') ?? url.searchParams.get('apikey') ?? undefined,
    authorization: header('authorization'),
  };
}

function bearerOf(authorization: string | undefined): string | undefined {
  const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization.trim()) : null;
  return match?.[1]?.trim() || undefined;
}

async function apiKeyOf(keys: ProjectKeys, key: string | undefined): Promise<CallerApiKey> {
  if (!key) return { kind: 'none', jwt: undefined };
  const opaque = keys.roleOfOpaqueKey(key);
  if (opaque === 'anon') return { kind: 'publishable', jwt: keys.anonKey };
  if (opaque === 'service_role') return { kind: 'secret', jwt: keys.serviceRoleKey };
  const { claims } = await verifyToken(keys, key);
  if (claims?.role === 'anon') return { kind: 'legacy_anon', jwt: key };
  if (claims?.role === 'service_role') return { kind: 'legacy_service_role', jwt: key };
  return { kind: 'invalid', jwt: undefined };
}

const KEY_ROLE: Record<ApiKeyKind, string | undefined> = {
  publishable: 'anon',
  legacy_anon: 'anon',
  secret: 'service_role',
  legacy_service_role: 'service_role',
  none: undefined,
  invalid: undefined,
};

/**
 * Resolves `apikey` and `Authorization` the way Supabase's API gateway does: a user's
 * Bearer JWT outranks the API key; an opaque key in `Authorization` (or none) means
 * "act as the API key's role".
 */
export async function resolveCaller(keys: ProjectKeys, credentials: CallerCredentials): Promise<Caller> {
  const apiKey = await apiKeyOf(keys, credentials.apiKey);
  const bearer = bearerOf(credentials.authorization);
  const bearerKeyRole = bearer ? keys.roleOfOpaqueKey(bearer) : undefined;
  let token: string | undefined;
  if (bearerKeyRole) token = bearerKeyRole === 'anon' ? keys.anonKey : keys.serviceRoleKey;
  else token = bearer ?? apiKey.jwt;

  const { claims, failure } = await verifyToken(keys, token);
  const role = typeof claims?.role === 'string' ? claims.role : (KEY_ROLE[apiKey.kind] ?? 'anon');
  return {
    role,
    apiKey,
    bearer: bearerKeyRole ? 'api_key' : bearer ? 'token' : 'none',
    token,
    claims,
    tokenFailure: failure,
  };
}
