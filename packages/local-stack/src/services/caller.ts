import type { JWTPayload } from 'jose';

/**
 * Who is calling: resolved once per request (HTTP and WebSocket upgrade alike) by
 * `resolveCaller`, before any service runs. Services read this instead of parsing
 * `apikey` or `Authorization` again.
 */
export interface Caller {
  /** The role the request runs as: the token's `role` claim, else the API key's role, else `anon`. */
  role: string;
  /** The project API key the request carried (`apikey` header, else `?apikey=`). */
  apiKey: CallerApiKey;
  /** What `Authorization: Bearer …` carried: nothing, one of the project's opaque keys, or a token. */
  bearer: 'none' | 'api_key' | 'token';
  /** The JWT the request acts with (and PostgREST is given): the Bearer token, else the API key's JWT. */
  token: string | undefined;
  /** Verified claims of `token`. Exactly one of `claims` and `tokenFailure` is set. */
  claims: JWTPayload | undefined;
  /** Why `token` could not be used. */
  tokenFailure: TokenFailure | undefined;
}

export interface CallerApiKey {
  kind: ApiKeyKind;
  /** The JWT the key stands for (the key itself when it is a legacy JWT); Realtime's socket default. */
  jwt: string | undefined;
}

/**
 * The kinds of project API key: the opaque `sb_publishable_…`/`sb_secret_…` keys, the
 * legacy anon/service_role JWTs, no key, or something that is not a key of this project.
 */
export type ApiKeyKind =
  | 'publishable'
  | 'secret'
  | 'legacy_anon'
  | 'legacy_service_role'
  | 'none'
  | 'invalid';

/** Why a token was refused. Each service words it in its own wire format. */
export type TokenFailure = 'missing' | 'malformed' | 'expired' | 'bad_signature';

/** The Hono environment of every service app: the gateway has set `c.get('caller')`. */
export type ServiceEnv = { Variables: { caller: Caller } };
