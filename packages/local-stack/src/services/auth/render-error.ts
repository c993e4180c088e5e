import type { Context } from 'hono';
import type { AuthError } from './error-codes.ts';

export const API_VERSION_HEADER = 'X-Supabase-Api-Version';
const API_VERSION_2024 = '2024-01-01';

/** True when the client asked for the 2024-01-01 API (supabase-js always does). */
export function wantsApiVersion2024(c: Context): boolean {
  const asked = c.req.header(API_VERSION_HEADER);
  return asked !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(asked) && asked >= API_VERSION_2024;
}

/**
 * The error body GoTrue sends: `{code, message}` to clients on API version 2024-01-01
 * (echoing the version header, which is how supabase-js knows `code` is the error code),
 * and the original `{code: <status>, error_code, msg}` to everyone else.
 */
export function renderAuthError(c: Context, error: AuthError): Response {
  const reasons = error.weakPasswordReasons ? { weak_password: { reasons: error.weakPasswordReasons } } : {};
  if (wantsApiVersion2024(c)) {
    c.header(API_VERSION_HEADER, API_VERSION_2024);
    return c.json({ code: error.code, message: error.message, ...reasons }, error.status as 400);
  }
  return c.json(
    { code: error.status, error_code: error.code, msg: error.message, ...reasons },
    error.status as 400,
  );
}
