import * as z from 'zod/mini';
import { corsHeaders } from './cors.ts';
import { type FunctionErrorCode, httpStatusByCode } from './error-vocabulary.ts';
import type { FunctionErrorBody } from './schemas/function-error.ts';
import { issueMessage } from './schemas/issue-messages.ts';

/** A failure a function reports to its caller; anything else thrown becomes `internal_error`. */
export class FunctionError extends Error {
  override readonly name = 'FunctionError';
  constructor(
    readonly code: FunctionErrorCode,
    message: string,
    readonly extra: Pick<FunctionErrorBody, 'fields' | 'details'> = {},
    /** Response headers that belong to the answer, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** From the error vocabulary, the one code → status table. */
  get status(): number {
    return httpStatusByCode[this.code];
  }
}

export function isFunctionError(value: unknown): value is FunctionError {
  return value instanceof FunctionError;
}

/** The single place an error body is rendered, in the shape the SDK parses. */
export function errorResponse(error: FunctionError): Response {
  const body: FunctionErrorBody = { code: error.code, message: error.message, ...error.extra };
  return Response.json(body, { status: error.status, headers: { ...corsHeaders, ...error.headers } });
}

/**
 * The database refusing a person whose session is below aal2 in a workspace that requires MFA
 * (`workspaces.require_mfa`): every function answers it the same way, before its own mapping.
 */
export function mfaRequiredError(error: { message: string }): FunctionError | undefined {
  if (error.message !== 'mfa_required') return undefined;
  return new FunctionError(
    'mfa_required',
    'This workspace requires multi-factor authentication: verify a second factor first',
  );
}

/** `validation_failed` listing every bad field, from a zod failure. */
export function validationError(error: z.core.$ZodError): FunctionError {
  const { formErrors, fieldErrors } = z.flattenError(error);
  const fields: Record<string, string[]> = {};
  for (const [field, problems] of Object.entries(fieldErrors)) {
    if (Array.isArray(problems) && problems.length > 0) fields[field] = problems;
  }
  if (formErrors.length > 0) fields._ = formErrors;
  const summary = Object.entries(fields)
    .map(([field, problems]) => `${field} ${problems.join(', ')}`)
    .join('; ');
  return new FunctionError('validation_failed', `Invalid input: ${summary}`, { fields });
}

/** Reads a JSON body and validates it, or throws `validation_failed`. */
export async function parseJsonBody<Schema extends z.ZodMiniType>(
  request: Request,
  schema: Schema,
): Promise<z.infer<Schema>> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new FunctionError('validation_failed', 'The request body must be a JSON object', {
      fields: { _: ['must be a JSON object'] },
    });
  }
  const parsed = schema.safeParse(body, { error: issueMessage });
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

/**
 * Wraps a handler: preflights, typed errors rendered once, anything unexpected logged
 * and answered as `internal_error` without leaking its details.
 */
export function handleErrors(
  handler: (request: Request) => Promise<Response>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method === 'OPTIONS') return new Response('ok', { headers: corsHeaders });
    try {
      return await handler(request);
    } catch (error) {
      if (isFunctionError(error)) return errorResponse(error);
      console.error(error);
      return errorResponse(
        new FunctionError('internal_error', 'Something went wrong; see the function logs'),
      );
    }
  };
}
