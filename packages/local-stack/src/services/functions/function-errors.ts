/**
 * What the functions gateway answers when it, not the function, ends a request. Codes
 * are the ones hosted Supabase puts in the body and in the `sb-error-code` header, so
 * clients that branch on them behave the same locally.
 */
export type FunctionsGatewayErrorCode =
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'BOOT_ERROR'
  | 'WORKER_ERROR'
  | 'IDLE_TIMEOUT'
  | 'REQUEST_TOO_LARGE'
  | 'REQUEST_TIMEOUT';

const STATUS: Record<FunctionsGatewayErrorCode, number> = {
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  BOOT_ERROR: 503,
  WORKER_ERROR: 500,
  IDLE_TIMEOUT: 504,
  REQUEST_TOO_LARGE: 413,
  REQUEST_TIMEOUT: 408,
};

// The `sb-error-code` header names differ from the body codes for thrown errors only.
const HEADER_CODE: Record<FunctionsGatewayErrorCode, string> = {
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  BOOT_ERROR: 'BOOT_ERROR',
  WORKER_ERROR: 'EDGE_FUNCTION_ERROR',
  IDLE_TIMEOUT: 'IDLE_TIMEOUT',
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
};

export function functionsErrorResponse(code: FunctionsGatewayErrorCode, message: string): Response {
  return Response.json(
    { code, message },
    { status: STATUS[code], headers: { 'sb-error-code': HEADER_CODE[code] } },
  );
}

/**
 * The platform's JWT check answers with a numeric `code`, unlike every other error
 * body: that is what hosted sends, and what supabase-js callers see in `error.context`.
 */
export function invalidJwtResponse(message: 'Missing authorization header' | 'Invalid JWT'): Response {
  return Response.json({ code: 401, message }, { status: 401 });
}
