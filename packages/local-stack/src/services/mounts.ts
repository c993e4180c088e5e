import type { GatewayMode } from '../config/config-schema.ts';

export type { GatewayMode };

/**
 * Where each part of the Supabase API lives on the gateway, Kong's key rule there, and the
 * largest request body each accepts. Owned by the services layer (each service's `mount` is
 * its row); the gateway reads it to route, to require API keys, to leave CORS to Functions,
 * to limit request bodies, and to answer 503 for a service that is switched off.
 */
export interface Mount {
  /** Who answers here; named in the 503 while it is not running. */
  readonly service: string;
  readonly path: `/${string}`;
  /**
   * Kong's key-auth on hosted: a project API key (header or `?apikey=`) or 401. Storage and
   * Functions need none at the gateway: they check JWTs themselves.
   */
  readonly requiresApiKey: boolean;
  /**
   * The service itself refuses a call without a project key, whatever the gateway does
   * (Realtime's server reads the key as its token), so the rule holds in `supabase-start`
   * mode too, where Kong checks no keys.
   */
  readonly serviceRequiresApiKey?: boolean;
  /** Paths under `path` that need no key: reached from e-mail links, OAuth redirects, JWKS fetches. */
  readonly openRoutes?: readonly `/${string}`[];
  /** On hosted, CORS (preflights included) is answered by what runs here, not by the gateway. */
  readonly ownCors?: boolean;
  /**
   * The largest request body (bytes) the gateway lets the service read; a larger one is
   * refused with 413 in the service's error shape (`Service.refuseBody`), before a byte is
   * read when its length is declared, once it passes the limit when it is not. Hosted
   * publishes no such figure for REST, Auth or Functions; these are local choices, large
   * enough for what apps send and small enough that one request can't exhaust the stack.
   */
  readonly maxBodyBytes: number;
}

const MiB = 1024 * 1024;

export const MOUNTS = {
  /** PostgREST, proxied by the gateway itself; bulk inserts and upserts can be large. */
  rest: { service: 'rest', path: '/rest/v1', requiresApiKey: true, maxBodyBytes: 50 * MiB },
  /** pg_graphql is not part of the local stack. */
  graphql: { service: 'graphql', path: '/graphql/v1', requiresApiKey: true, maxBodyBytes: 1 * MiB },
  /** Auth's requests are small JSON (a user's metadata ends up in every access token). */
  auth: {
    service: 'auth',
    path: '/auth/v1',
    requiresApiKey: true,
    openRoutes: ['/verify', '/callback', '/authorize', '/.well-known/jwks.json'],
    maxBodyBytes: 1 * MiB,
  },
  /**
   * Storage's JSON routes, with Fastify's default body limit, which Storage's server keeps.
   * Uploads are read past it: Storage limits an object's size itself (the bucket's
   * `file_size_limit`, else `[storage] file_size_limit`), on the stream.
   */
  storage: { service: 'storage', path: '/storage/v1', requiresApiKey: false, maxBodyBytes: 1 * MiB },
  realtime: {
    service: 'realtime',
    path: '/realtime/v1',
    requiresApiKey: true,
    serviceRequiresApiKey: true,
    maxBodyBytes: 1 * MiB,
  },
  // Hosted hands preflights and CORS headers to the function itself: one that forgets them
  // must fail locally as it would once deployed.
  functions: {
    service: 'functions',
    path: '/functions/v1',
    requiresApiKey: false,
    ownCors: true,
    maxBodyBytes: 50 * MiB,
  },
  /** The local mail catcher's API (Mailpit's), also on its own port. Not part of hosted. */
  mail: { service: 'mail', path: '/__mail', requiresApiKey: false, maxBodyBytes: 1 * MiB },
  /** The local SMS catcher (services/sms): Auth's text messages, a page and a JSON API. Not part of hosted. */
  sms: { service: 'sms', path: '/__sms', requiresApiKey: false, maxBodyBytes: 1 * MiB },
} as const satisfies Record<string, Mount>;

export type MountTable = { readonly [name in keyof typeof MOUNTS]: Mount };

export function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** The mount a request path falls under, if any. */
export function mountOf(mounts: MountTable, path: string): Mount | undefined {
  return Object.values(mounts).find((mount) => isUnder(path, mount.path));
}

/** The gateway's key rule for this path: does it need a project API key? */
export function requiresApiKey(mount: Mount | undefined, path: string, mode: GatewayMode): boolean {
  const required = mode === 'hosted' ? mount?.requiresApiKey : mount?.serviceRequiresApiKey;
  if (!mount || !required) return false;
  return !mount.openRoutes?.some((route) => isUnder(path, `${mount.path}${route}`));
}

/** Does the gateway answer CORS (preflights and headers) for this mount? */
export function gatewayAnswersCors(mount: Mount | undefined, mode: GatewayMode): boolean {
  return mode === 'supabase-start' || !mount?.ownCors;
}
