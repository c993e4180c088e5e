import { readFileSync } from 'node:fs';
import type { JSONWebKeySet, JWK, JWTPayload, JWTVerifyResult } from 'jose';
// Through jose's subpath entries: the index loads every JWE/JWS/JWK module, which the stack
// process would hold for its lifetime.
import { createLocalJWKSet } from 'jose/jwks/local';
import { SignJWT } from 'jose/jwt/sign';
import { jwtVerify } from 'jose/jwt/verify';
import { importJWK } from 'jose/key/import';
import { StackError } from '../errors.ts';
import type { StackConfig } from './load-config.ts';
import { resolveProjectPath } from './project-location.ts';

/** The Supabase CLI's well-known local defaults, so apps configured for `supabase start` work unchanged. */
export const DEFAULT_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
export const DEFAULT_PUBLISHABLE_KEY = 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH';
export const DEFAULT_SECRET_KEY = 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz';
/** The CLI's demo API keys expire in 2032; keeping the same claims keeps the same HS256 tokens. */
const API_KEY_EXPIRY = 1983812996;

export type ApiKeyRole = 'anon' | 'service_role';

export interface JwtSigner {
  /** `HS256` with the project secret, or the first key of `signing_keys_path`. */
  readonly alg: string;
  readonly kid?: string;
  sign(claims: JWTPayload): Promise<string>;
}

export interface ProjectKeys {
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  publishableKey: string;
  secretKey: string;
  signer: JwtSigner;
  /** Public keys published at /auth/v1/.well-known/jwks.json (empty with HS256 only). */
  jwks: JSONWebKeySet;
  /** Verifies a JWT made by this project (HS256 secret or any configured signing key). */
  verify(token: string): Promise<JWTPayload>;
  /** The role an opaque `sb_publishable_…` / `sb_secret_…` key stands for. */
  roleOfOpaqueKey(key: string): ApiKeyRole | undefined;
}

interface SigningJwk extends JWK {
  kid?: string;
  alg?: string;
}

function readSigningKeys(config: StackConfig): SigningJwk[] {
  const path = config.toml.auth.signing_keys_path;
  if (!path) return [];
  const file = resolveProjectPath(config, path);
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    const keys = Array.isArray(parsed) ? parsed : (parsed as JSONWebKeySet).keys;
    if (!Array.isArray(keys) || keys.length === 0) throw new Error('no keys in file');
    return keys as SigningJwk[];
  } catch (error) {
    throw new StackError(
      'config_invalid',
      `[auth] signing_keys_path ${file}: ${(error as Error).message}`,
      'config',
      { cause: error },
    );
  }
}

function publicPart(jwk: SigningJwk): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, k: _k, ...rest } = jwk;
  return { ...rest, use: 'sig', key_ops: ['verify'] };
}

export async function createProjectKeys(config: StackConfig): Promise<ProjectKeys> {
  const jwtSecret = config.toml.auth.jwt_secret || DEFAULT_JWT_SECRET;
  const secretBytes = new TextEncoder().encode(jwtSecret);
  const signingKeys = readSigningKeys(config).filter((key) => key.kty !== 'oct');
  const first = signingKeys[0];

  let signer: JwtSigner;
  if (first) {
    const alg = first.alg ?? (first.kty === 'RSA' ? 'RS256' : 'ES256');
    // `supabase gen signing-key` writes key_ops ["sign", "verify"], but WebCrypto refuses to
    // import a private key for "verify"; the private half is only ever used to sign.
    const { key_ops: _ops, ...privateJwk } = first;
    const privateKey = await importJWK(privateJwk, alg);
    signer = {
      alg,
      ...(first.kid ? { kid: first.kid } : {}),
      sign: (claims) =>
        new SignJWT(claims)
          .setProtectedHeader({ alg, typ: 'JWT', ...(first.kid ? { kid: first.kid } : {}) })
          .sign(privateKey),
    };
  } else {
    signer = {
      alg: 'HS256',
      sign: (claims) =>
        new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secretBytes),
    };
  }

  const jwks: JSONWebKeySet = { keys: signingKeys.map(publicPart) };
  const localJwks = createLocalJWKSet(jwks);

  const verify = async (token: string): Promise<JWTPayload> => {
    const header = JSON.parse(
      Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8') || '{}',
    ) as { alg?: string };
    const result: JWTVerifyResult =
      header.alg === 'HS256'
        ? await jwtVerify(token, secretBytes, { algorithms: ['HS256'] })
        : await jwtVerify(token, localJwks, { algorithms: ['RS256', 'ES256', 'EdDSA'] });
    return result.payload;
  };

  const apiKey = (role: ApiKeyRole) => signer.sign({ iss: 'supabase-demo', role, exp: API_KEY_EXPIRY });

  const publishableKey = DEFAULT_PUBLISHABLE_KEY;
  const secretKey = DEFAULT_SECRET_KEY;
  return {
    jwtSecret,
    anonKey: await apiKey('anon'),
    serviceRoleKey: await apiKey('service_role'),
    publishableKey,
    secretKey,
    signer,
    jwks,
    verify,
    roleOfOpaqueKey: (key) =>
      key === publishableKey ? 'anon' : key === secretKey ? 'service_role' : undefined,
  };
}
