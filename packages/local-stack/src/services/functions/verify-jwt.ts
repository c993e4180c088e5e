import type { ProjectKeys } from '../../config/project-keys.ts';
import type { Caller } from '../../gateway/caller.ts';
import { invalidJwtResponse } from './function-errors.ts';

/**
 * The platform check behind `verify_jwt = true`: the `Authorization` header must carry
 * a JWT signed by this project (a user's access token or a legacy anon/service_role
 * key). The new `sb_publishable_…`/`sb_secret_…` keys are not JWTs and fail it, as on
 * hosted. Returns the rejection, or undefined when the request may reach the function.
 *
 * When the gateway already verified this very token (`caller`), its verdict is reused
 * instead of checking the signature twice on the hot path.
 */
export async function rejectUnlessValidJwt(
  keys: ProjectKeys,
  authorization: string | undefined,
  caller?: Caller,
): Promise<Response | undefined> {
  if (!authorization) return invalidJwtResponse('Missing authorization header');
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim())?.[1];
  if (!token) return invalidJwtResponse('Invalid JWT');
  if (caller && caller.token === token) return caller.claims ? undefined : invalidJwtResponse('Invalid JWT');
  try {
    await keys.verify(token);
    return undefined;
  } catch {
    return invalidJwtResponse('Invalid JWT');
  }
}
