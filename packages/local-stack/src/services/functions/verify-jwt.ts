import type { ProjectKeys } from '../../config/project-keys.ts';
import { invalidJwtResponse } from './function-errors.ts';

/**
 * The platform check behind `verify_jwt = true`: the `Authorization` header must carry
 * a JWT signed by this project (a user's access token or a legacy anon/service_role
 * key). The new `sb_publishable_…`/`sb_secret_…` keys are not JWTs and fail it, as on
 * hosted. Returns the rejection, or undefined when the request may reach the function.
 */
export async function rejectUnlessValidJwt(
  keys: ProjectKeys,
  authorization: string | undefined,
): Promise<Response | undefined> {
  if (!authorization) return invalidJwtResponse('Missing authorization header');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
  if (!match) return invalidJwtResponse('Invalid JWT');
  try {
    await keys.verify(match[1] as string);
    return undefined;
  } catch {
    return invalidJwtResponse('Invalid JWT');
  }
}
