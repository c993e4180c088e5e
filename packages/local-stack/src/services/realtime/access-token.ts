import type { JWTPayload } from 'jose';
import type { ProjectKeys } from '../../config/project-keys.ts';
import type { TokenFailure } from '../caller.ts';
import { verifyToken } from '../verify-token.ts';

/**
 * Why a channel token was refused, with hosted Realtime's error codes (the prefix of
 * the join error `reason`) and messages.
 */
export type TokenRejection = {
  code: 'InvalidJWTToken' | 'MalformedJWT' | 'JwtSignatureError';
  message: string;
};

export type TokenCheck =
  | { ok: true; claims: JWTPayload; expiresAt: number }
  | { ok: false; rejection: TokenRejection };

const MALFORMED: TokenRejection = { code: 'MalformedJWT', message: 'The token provided is not a valid JWT' };

function expiryOf(token: string): number {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return Number(payload?.exp ?? 0);
  } catch {
    return 0;
  }
}

export function expiredMessage(exp: number, now = Date.now()): string {
  return `Token has expired ${Math.max(0, Math.floor(now / 1000) - exp)} seconds ago`;
}

function rejectionFor(failure: TokenFailure, token: string): TokenRejection {
  if (failure === 'expired') return { code: 'InvalidJWTToken', message: expiredMessage(expiryOf(token)) };
  if (failure === 'bad_signature') {
    return { code: 'JwtSignatureError', message: 'Failed to validate JWT signature' };
  }
  return MALFORMED;
}

/**
 * Verifies a channel's access token as hosted Realtime does: a valid signature, and
 * `role` and `exp` present and in the future.
 */
export async function checkAccessToken(keys: ProjectKeys, rawToken: string): Promise<TokenCheck> {
  // Hosted strips whitespace (tokens pasted with line breaks) before verifying.
  const token = rawToken.replace(/\s/g, '');
  const verdict = await verifyToken(keys, token);
  if (verdict.failure) return { ok: false, rejection: rejectionFor(verdict.failure, token) };
  const { claims } = verdict;
  if (typeof claims.role !== 'string' || typeof claims.exp !== 'number') {
    return {
      ok: false,
      rejection: { code: 'InvalidJWTToken', message: 'Fields `role` and `exp` are required in JWT' },
    };
  }
  return { ok: true, claims, expiresAt: claims.exp * 1000 };
}
