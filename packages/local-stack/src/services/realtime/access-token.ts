import type { JWTPayload } from 'jose';
import type { ProjectKeys } from '../../config/project-keys.ts';

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

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

function decodedPayload(token: string): JWTPayload | undefined {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as JWTPayload;
  } catch {
    return undefined;
  }
}

export function expiredMessage(exp: number, now = Date.now()): string {
  return `Token has expired ${Math.max(0, Math.floor(now / 1000) - exp)} seconds ago`;
}

/**
 * Verifies a channel's access token as hosted Realtime does: a valid signature, and
 * `role` and `exp` present and in the future.
 */
export async function checkAccessToken(keys: ProjectKeys, rawToken: string): Promise<TokenCheck> {
  // Hosted strips whitespace (tokens pasted with line breaks) before verifying.
  const token = rawToken.replace(/\s/g, '');
  if (!JWT_SHAPE.test(token) || !decodedPayload(token)) {
    return {
      ok: false,
      rejection: { code: 'MalformedJWT', message: 'The token provided is not a valid JWT' },
    };
  }
  let claims: JWTPayload;
  try {
    claims = await keys.verify(token);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_JWT_EXPIRED') {
      const exp = Number(decodedPayload(token)?.exp ?? 0);
      return { ok: false, rejection: { code: 'InvalidJWTToken', message: expiredMessage(exp) } };
    }
    if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || code === 'ERR_JWKS_NO_MATCHING_KEY') {
      return {
        ok: false,
        rejection: { code: 'JwtSignatureError', message: 'Failed to validate JWT signature' },
      };
    }
    return {
      ok: false,
      rejection: { code: 'MalformedJWT', message: 'The token provided is not a valid JWT' },
    };
  }
  if (typeof claims.role !== 'string' || typeof claims.exp !== 'number') {
    return {
      ok: false,
      rejection: { code: 'InvalidJWTToken', message: 'Fields `role` and `exp` are required in JWT' },
    };
  }
  return { ok: true, claims, expiresAt: claims.exp * 1000 };
}
