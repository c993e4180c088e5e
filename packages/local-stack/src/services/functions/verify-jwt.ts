import type { Caller } from '../caller.ts';
import { invalidJwtResponse } from './function-errors.ts';

/**
 * The platform check behind `verify_jwt = true`: the `Authorization` header must carry
 * a JWT signed by this project (a user's access token or a legacy anon/service_role
 * key). The new `sb_publishable_…`/`sb_secret_…` keys are not JWTs and fail it, as on
 * hosted. Returns the rejection, or undefined when the request may reach the function.
 * The gateway has verified the token already (`caller`).
 */
export function rejectUnlessValidJwt(caller: Caller, hasAuthorizationHeader: boolean): Response | undefined {
  if (!hasAuthorizationHeader) return invalidJwtResponse('Missing authorization header');
  if (caller.bearer !== 'token' || !caller.claims) return invalidJwtResponse('Invalid JWT');
  return undefined;
}
