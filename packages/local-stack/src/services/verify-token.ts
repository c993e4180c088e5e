import type { JWTPayload } from 'jose';
import type { ProjectKeys } from '../config/project-keys.ts';
import type { TokenFailure } from './caller.ts';

export type TokenVerdict =
  | { claims: JWTPayload; failure?: undefined }
  | { claims?: undefined; failure: TokenFailure };

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

function hasJsonPayload(token: string): boolean {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null;
  } catch {
    return false;
  }
}

/**
 * Verifies a JWT of this project (HS256 secret or a configured signing key) and says
 * why it failed as a kind, not as jose's message text.
 */
export async function verifyToken(keys: ProjectKeys, token: string | undefined): Promise<TokenVerdict> {
  if (!token) return { failure: 'missing' };
  if (!JWT_SHAPE.test(token) || !hasJsonPayload(token)) return { failure: 'malformed' };
  try {
    return { claims: await keys.verify(token) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_JWT_EXPIRED') return { failure: 'expired' };
    // No key of ours matches the token's kid/alg: as forged as a wrong signature.
    if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || code === 'ERR_JWKS_NO_MATCHING_KEY') {
      return { failure: 'bad_signature' };
    }
    return { failure: 'malformed' };
  }
}
