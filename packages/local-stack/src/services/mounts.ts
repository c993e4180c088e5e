/**
 * Where each part of the Supabase API lives on the gateway, and Kong's key rule there.
 * Owned by the services layer (each service's `mount` is its row); the gateway reads it
 * to route, to require API keys, to leave CORS to Functions, and to answer 503 for a
 * service that is switched off.
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
  /** Paths under `path` that need no key: reached from e-mail links, OAuth redirects, JWKS fetches. */
  readonly openRoutes?: readonly `/${string}`[];
  /** CORS (preflights included) is answered by what runs here, not by the gateway. */
  readonly ownCors?: boolean;
}

export const MOUNTS = {
  /** PostgREST, proxied by the gateway itself. */
  rest: { service: 'rest', path: '/rest/v1', requiresApiKey: true },
  /** pg_graphql is not part of the local stack. */
  graphql: { service: 'graphql', path: '/graphql/v1', requiresApiKey: true },
  auth: {
    service: 'auth',
    path: '/auth/v1',
    requiresApiKey: true,
    openRoutes: ['/verify', '/callback', '/authorize', '/.well-known/jwks.json'],
  },
  storage: { service: 'storage', path: '/storage/v1', requiresApiKey: false },
  realtime: { service: 'realtime', path: '/realtime/v1', requiresApiKey: true },
  // Hosted hands preflights and CORS headers to the function itself: one that forgets them
  // must fail locally as it would once deployed.
  functions: { service: 'functions', path: '/functions/v1', requiresApiKey: false, ownCors: true },
  /** The local mail catcher's API (Mailpit's), also on its own port. Not part of hosted. */
  mail: { service: 'mail', path: '/__mail', requiresApiKey: false },
} as const satisfies Record<string, Mount>;

export type MountTable = { readonly [name in keyof typeof MOUNTS]: Mount };

export function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** The mount a request path falls under, if any. */
export function mountOf(mounts: MountTable, path: string): Mount | undefined {
  return Object.values(mounts).find((mount) => isUnder(path, mount.path));
}

/** Kong's rule for this path: does it need a project API key? */
export function requiresApiKey(mount: Mount | undefined, path: string): boolean {
  if (!mount?.requiresApiKey) return false;
  return !mount.openRoutes?.some((route) => isUnder(path, `${mount.path}${route}`));
}
