import type { ProjectKeys } from '../../config/project-keys.ts';
import { storageErrors } from './errors.ts';

/** Hosted's default lifetime of a signed upload URL (two hours). */
export const SIGNED_UPLOAD_URL_SECONDS = 2 * 60 * 60;

/** A signed image URL also carries what to do with the picture (hosted's claim names). */
export interface SignedImageClaims {
  /** `height:200,width:200,resize:cover,…`, see images/transform-options.ts. */
  transformations: string;
  /** The requested format as given, which is how `origin` travels. */
  format?: string;
}

export interface SignedUploadToken {
  url: string;
  exp: number;
  owner?: string;
  upsert: boolean;
  image?: SignedImageClaims;
}

/**
 * Tokens of signed URLs are JWTs signed with the project's key holding `url`
 * ("<bucket>/<key>") and `exp`, as hosted makes them. They carry no `role`, so one can
 * never be replayed as an API token.
 */
export async function signDownloadToken(
  keys: ProjectKeys,
  url: string,
  expiresInSeconds: number,
  image?: SignedImageClaims,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return keys.signer.sign({
    ...(image
      ? { transformations: image.transformations, ...(image.format ? { format: image.format } : {}) }
      : {}),
    url,
    iat: now,
    exp: now + expiresInSeconds,
  });
}

export async function signUploadToken(
  keys: ProjectKeys,
  url: string,
  owner: string | undefined,
  upsert: boolean,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return keys.signer.sign({
    url,
    ...(owner ? { owner } : {}),
    upsert,
    iat: now,
    exp: now + SIGNED_UPLOAD_URL_SECONDS,
  });
}

/**
 * Checks a signed URL's token against the path it was presented on. A bad or expired
 * token is hosted's InvalidJWT (with jose's message); a valid token for another object
 * is InvalidSignature.
 */
export async function verifySignedToken(
  keys: ProjectKeys,
  token: string | undefined,
  expectedUrl: string,
): Promise<SignedUploadToken> {
  if (!token) throw storageErrors.missingParameter('token');
  let payload: Record<string, unknown>;
  try {
    payload = (await keys.verify(token)) as Record<string, unknown>;
  } catch (error) {
    throw storageErrors.invalidJwt(
      error instanceof SyntaxError ? 'Invalid Compact JWS' : ((error as Error).message ?? 'Invalid JWT'),
    );
  }
  if (typeof payload.url !== 'string' || payload.url !== expectedUrl) throw storageErrors.invalidSignature();
  const exp = typeof payload.exp === 'number' ? payload.exp : 0;
  if (exp * 1000 < Date.now()) throw storageErrors.expiredSignature();
  return {
    url: payload.url,
    exp,
    upsert: payload.upsert === true,
    ...(typeof payload.owner === 'string' ? { owner: payload.owner } : {}),
    ...(typeof payload.transformations === 'string'
      ? {
          image: {
            transformations: payload.transformations,
            ...(typeof payload.format === 'string' ? { format: payload.format } : {}),
          },
        }
      : {}),
  };
}
