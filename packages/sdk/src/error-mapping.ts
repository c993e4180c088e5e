/**
 * Translation of every wire error the SDK can meet into a {@link GroundworkError}. The data
 * layer's and the edge functions' codes come from the error vocabulary
 * (supabase/functions/_shared/error-vocabulary.ts, the one declaration of them); the tables
 * below cover what others answer: PostgREST, Postgres, Supabase Auth.
 */
import type * as z from 'zod/mini';
import {
  type ErrorCode,
  errorVocabulary,
  isDatabaseErrorCode,
  isErrorCode,
} from '../../../supabase/functions/_shared/error-vocabulary.ts';
import {
  type FieldErrors,
  GroundworkError,
  type GroundworkErrorCode,
  isGroundworkErrorCode,
} from './errors.ts';

/**
 * The vocabulary's code as the SDK's (the return type checks that every `sdkCode` there is one
 * of ours). The data layer's messages are these codes; the SQLSTATE alone is not enough: 42501
 * is both "not signed in" and "forbidden", PT409 is several conflicts.
 */
function groundworkCodeOf(code: ErrorCode): GroundworkErrorCode {
  return errorVocabulary[code].sdkCode;
}

/** PostgREST's own errors (PGRSTxxx) and Postgres SQLSTATEs that reach clients. */
const CODE_BY_POSTGREST_CODE: Readonly<Record<string, GroundworkErrorCode>> = {
  PGRST116: 'not_found', // .single() matched no row
  PGRST301: 'unauthenticated', // JWT invalid or expired
  PGRST302: 'unauthenticated', // no credentials where required
  PGRST303: 'unauthenticated', // JWT claims invalid
  PGRST103: 'validation_failed', // range not satisfiable
  PGRST100: 'validation_failed', // unparsable query
  '23505': 'conflict', // unique_violation
  '23503': 'conflict', // foreign_key_violation
  '23514': 'validation_failed', // check_violation
  '23502': 'validation_failed', // not_null_violation
  '22P02': 'validation_failed', // invalid_text_representation (e.g. a malformed uuid)
  '22023': 'validation_failed', // invalid_parameter_value
  '22001': 'validation_failed', // string too long
  '22007': 'validation_failed', // invalid datetime format
  '22008': 'validation_failed', // datetime out of range
};

/** Supabase Auth's `error_code`s (auth-js `ErrorCode`) that say more than their status. */
const CODE_BY_AUTH_CODE: Readonly<Record<string, GroundworkErrorCode>> = {
  invalid_credentials: 'unauthenticated',
  bad_jwt: 'unauthenticated',
  no_authorization: 'unauthenticated',
  session_not_found: 'unauthenticated',
  session_expired: 'unauthenticated',
  refresh_token_not_found: 'unauthenticated',
  refresh_token_already_used: 'unauthenticated',
  otp_expired: 'unauthenticated',
  reauthentication_needed: 'unauthenticated',
  not_admin: 'forbidden',
  email_not_confirmed: 'forbidden',
  phone_not_confirmed: 'forbidden',
  user_banned: 'forbidden',
  signup_disabled: 'forbidden',
  email_provider_disabled: 'forbidden',
  phone_provider_disabled: 'forbidden',
  anonymous_provider_disabled: 'forbidden',
  provider_disabled: 'forbidden',
  otp_disabled: 'forbidden',
  email_address_not_authorized: 'forbidden',
  insufficient_aal: 'forbidden',
  user_not_found: 'not_found',
  identity_not_found: 'not_found',
  user_already_exists: 'conflict',
  email_exists: 'conflict',
  phone_exists: 'conflict',
  identity_already_exists: 'conflict',
  conflict: 'conflict',
  weak_password: 'validation_failed',
  same_password: 'validation_failed',
  validation_failed: 'validation_failed',
  bad_json: 'validation_failed',
  email_address_invalid: 'validation_failed',
  over_request_rate_limit: 'rate_limited',
  over_email_send_rate_limit: 'rate_limited',
  over_sms_send_rate_limit: 'rate_limited',
};

/** The fallback when nothing more specific is known. */
export function codeForStatus(status: number): GroundworkErrorCode {
  if (status === 0) return 'network';
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 402) return 'plan_limit_reached';
  if (status === 429) return 'rate_limited';
  if (status === 400 || status === 406 || status === 413 || status === 422) return 'validation_failed';
  return 'unknown';
}

interface PostgrestErrorLike {
  message: string;
  code?: string;
  details?: string | null;
  hint?: string | null;
}

/** A PostgREST failure (`{ error, status }` of a supabase-js query) as a GroundworkError. */
export function fromPostgrestError(error: PostgrestErrorLike, status: number): GroundworkError {
  const reason = isDatabaseErrorCode(error.message) ? error.message : undefined;
  const databaseCode = reason && groundworkCodeOf(reason);
  const postgrestCode = error.code ? CODE_BY_POSTGREST_CODE[error.code] : undefined;
  let code = databaseCode ?? postgrestCode ?? codeForStatus(status);
  // An RLS denial for an anonymous caller is "sign in first", not "forbidden".
  if (!databaseCode && error.code === '42501') code = status === 401 ? 'unauthenticated' : 'forbidden';
  // supabase-js reports a failed fetch as status 0 with the fetch error in the message.
  if (status === 0) code = 'network';
  const details =
    reason && errorVocabulary[reason].detail !== 'sentence' ? parseJsonObject(error.details) : undefined;
  return new GroundworkError(code, describe(error), {
    status: status || undefined,
    reason: reason ?? (error.code || undefined),
    details,
    cause: error,
  });
}

interface AuthErrorLike {
  name: string;
  message: string;
  status?: number | undefined;
  code?: string | undefined;
  reasons?: string[];
}

/** A Supabase Auth failure (auth-js `AuthError` and subclasses) as a GroundworkError. */
export function fromAuthError(error: AuthErrorLike): GroundworkError {
  const status = error.status ?? 0;
  let code: GroundworkErrorCode =
    (error.code ? CODE_BY_AUTH_CODE[error.code] : undefined) ?? codeForStatus(status);
  // Client-side auth-js errors carry no wire code; their class name says what happened.
  if (error.name === 'AuthSessionMissingError') code = 'unauthenticated';
  if (error.name === 'AuthRetryableFetchError' && (status === 0 || status >= 500)) code = 'network';
  if (error.name === 'AuthWeakPasswordError') code = 'validation_failed';
  const fields: FieldErrors | undefined =
    error.name === 'AuthWeakPasswordError' || error.code === 'weak_password'
      ? { password: error.reasons?.length ? error.reasons : [error.message] }
      : undefined;
  return new GroundworkError(code, error.message, {
    status: status || undefined,
    reason: error.code,
    fields,
    cause: error,
  });
}

interface StorageErrorLike {
  name: string;
  message: string;
  status?: number | undefined;
  statusCode?: string | undefined;
}

/**
 * A Storage failure (storage-js `StorageApiError`) as a GroundworkError. Hosted Storage
 * sometimes answers 400 with the real status in `statusCode`; database errors raised under
 * RLS arrive as 403 with the data layer's message (e.g. `plan_limit_reached`).
 */
export function fromStorageError(error: StorageErrorLike): GroundworkError {
  const statusCode = Number(error.statusCode);
  const status = Number.isInteger(statusCode) && statusCode >= 400 ? statusCode : (error.status ?? 0);
  const reason = isDatabaseErrorCode(error.message) ? error.message : undefined;
  let code = reason ? groundworkCodeOf(reason) : codeForStatus(status);
  if (status === 413 || status === 415) code = 'validation_failed';
  if (error.name === 'StorageUnknownError' && !error.status) code = 'network';
  return new GroundworkError(code, error.message, {
    status: status || undefined,
    reason: reason ?? error.statusCode,
    cause: error,
  });
}

interface FunctionsErrorLike {
  name: string;
  message: string;
  context?: unknown;
}

/**
 * An edge-function failure as a GroundworkError. Our functions answer errors as JSON
 * `{ code, message, fields? }`; `code` may be one of ours or a finer reason.
 */
export async function fromFunctionsError(error: FunctionsErrorLike): Promise<GroundworkError> {
  const response = error.context instanceof Response ? error.context : undefined;
  if (error.name !== 'FunctionsHttpError' || !response) {
    // FunctionsFetchError: no response; FunctionsRelayError: the relay could not reach the function.
    const code = error.name === 'FunctionsFetchError' ? 'network' : 'unknown';
    return new GroundworkError(code, error.message, { status: response?.status, cause: error });
  }
  const body = await readJsonBody(response);
  const wireCode = typeof body?.code === 'string' ? body.code : undefined;
  const code = codeForWireCode(wireCode) ?? codeForStatus(response.status);
  const message = typeof body?.message === 'string' ? body.message : error.message;
  return new GroundworkError(code, message, {
    status: response.status,
    reason: typeof body?.reason === 'string' ? body.reason : wireCode,
    fields: isFieldErrors(body?.fields) ? body.fields : undefined,
    details: isObject(body?.details) ? body.details : undefined,
    cause: error,
  });
}

function codeForWireCode(wireCode: string | undefined): GroundworkErrorCode | undefined {
  if (!wireCode) return undefined;
  if (isErrorCode(wireCode)) return groundworkCodeOf(wireCode);
  if (isGroundworkErrorCode(wireCode)) return wireCode;
  return CODE_BY_AUTH_CODE[wireCode];
}

/** A zod failure on an SDK input: `validation_failed` listing every bad field, before any request. */
export function fromZodError(
  error: z.core.$ZodError,
  fieldNames: Record<string, string> = {},
): GroundworkError {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const [head, ...rest] = issue.path.map(String);
    const path = head === undefined ? '_' : [fieldNames[head] ?? head, ...rest].join('.');
    const list = fields[path] ?? [];
    list.push(issue.message);
    fields[path] = list;
  }
  const summary = Object.entries(fields)
    .map(([path, messages]) => `${path}: ${messages.join(', ')}`)
    .join('; ');
  return new GroundworkError('validation_failed', `Invalid input — ${summary}`, {
    status: 400,
    reason: 'invalid_input',
    fields,
    cause: error,
  });
}

function describe(error: PostgrestErrorLike): string {
  // Database messages are codes (`last_owner`); the detail is the human sentence.
  if (
    isDatabaseErrorCode(error.message) &&
    errorVocabulary[error.message].detail === 'sentence' &&
    error.details
  ) {
    return `${error.message}: ${error.details}`;
  }
  return error.message;
}

async function readJsonBody(response: Response): Promise<Record<string, unknown> | undefined> {
  try {
    const body: unknown = await response.clone().json();
    return isObject(body) ? body : undefined;
  } catch {
    return undefined;
  }
}

function parseJsonObject(text: string | null | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFieldErrors(value: unknown): value is FieldErrors {
  return (
    isObject(value) &&
    Object.values(value).every(
      (messages) => Array.isArray(messages) && messages.every((m) => typeof m === 'string'),
    )
  );
}
