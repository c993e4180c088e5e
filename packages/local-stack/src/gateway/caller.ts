import type { MiddlewareHandler } from 'hono';
import type { JWTPayload } from 'jose';
import type { ApiKeyRole, ProjectKeys } from '../config/project-keys.ts';

/**
 * Who is calling, as the gateway understood it. Services read this instead of
 * parsing headers again.
 */
export interface Caller {
  /** The role the request runs as: the JWT's `role` claim (anon, authenticated, service_role, …). */
  role: string;
  /** The role of the API key (`apikey` header or query param), if one was given and valid. */
  apiKeyRole: ApiKeyRole | undefined;
  /** `apikey` was present but is not a key of this project. */
  apiKeyInvalid: boolean;
  /** The JWT forwarded upstream: the user's Bearer token if any, else the API key's JWT. */
  token: string | undefined;
  /** Verified claims of `token`; undefined when there is no token or it failed verification. */
  claims: JWTPayload | undefined;
  /** Why the Bearer token failed verification (expired, bad signature, malformed). */
  tokenError: string | undefined;
}

export type GatewayEnv = { Variables: { caller: Caller } };

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

function bearer(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  return match?.[1]?.trim();
}

async function verifiedClaims(
  keys: ProjectKeys,
  token: string,
): Promise<{ claims?: JWTPayload; error?: string }> {
  try {
    return { claims: await keys.verify(token) };
  } catch (error) {
    const code = (error as { code?: string }).code;
    return { error: code === 'ERR_JWT_EXPIRED' ? 'JWT expired' : 'invalid JWT' };
  }
}

/** Resolves `apikey` and `Authorization` the way Supabase's API gateway does. */
export function resolveCaller(keys: ProjectKeys): MiddlewareHandler<GatewayEnv> {
  const roleKeys: Record<ApiKeyRole, string> = { anon: keys.anonKey, service_role: keys.serviceRoleKey };
  return async function resolveCallerMiddleware(c, next) {
    const apiKey = c.req.header('apikey') ?? c.req.query('apikey') ?? undefined;
    let apiKeyRole: ApiKeyRole | undefined;
    let apiKeyInvalid = false;
    if (apiKey) {
      apiKeyRole = keys.roleOfOpaqueKey(apiKey);
      if (!apiKeyRole && JWT_SHAPE.test(apiKey)) {
        const { claims } = await verifiedClaims(keys, apiKey);
        const role = claims?.role;
        if (role === 'anon' || role === 'service_role') apiKeyRole = role;
      }
      apiKeyInvalid = apiKeyRole === undefined;
    }

    // An opaque key in Authorization (or none) means "act as the API key's role", as hosted.
    let token = bearer(c.req.header('authorization'));
    const bearerRole = token ? keys.roleOfOpaqueKey(token) : undefined;
    if (bearerRole) token = roleKeys[bearerRole];
    if (!token && apiKeyRole) token = roleKeys[apiKeyRole];

    let claims: JWTPayload | undefined;
    let tokenError: string | undefined;
    if (token) ({ claims, error: tokenError } = await verifiedClaims(keys, token));
    const role = typeof claims?.role === 'string' ? claims.role : (apiKeyRole ?? 'anon');

    c.set('caller', { role, apiKeyRole, apiKeyInvalid, token, claims, tokenError });
    await next();
  };
}
