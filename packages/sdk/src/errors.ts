/**
 * The SDK's single error type. Every failure — a bad input caught before any request, a
 * PostgREST, Auth or edge-function error, a network failure — is thrown as a
 * `GroundworkError` with a stable `code`, so apps switch on one field instead of learning
 * three wire formats. Translation from those formats lives in `error-mapping.ts`.
 */

/** Stable, coarse error codes. Switch on these; `reason` carries the finer detail. */
export type GroundworkErrorCode =
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'validation_failed'
  | 'plan_limit_reached'
  | 'rate_limited'
  | 'network'
  | 'unknown';

/** The HTTP status each code stands for when the server gave none (0 = no response at all). */
export const STATUS_BY_CODE: Readonly<Record<GroundworkErrorCode, number>> = {
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  validation_failed: 400,
  plan_limit_reached: 402,
  rate_limited: 429,
  network: 0,
  unknown: 500,
};

export function isGroundworkErrorCode(value: string): value is GroundworkErrorCode {
  return Object.hasOwn(STATUS_BY_CODE, value);
}

/** Field path (`'slug'`, `'labels.0'`) → human-readable problems with that field. */
export type FieldErrors = Record<string, string[]>;

export interface GroundworkErrorOptions {
  status?: number;
  /** The backend's precise reason, e.g. `slug_taken`, `last_owner`, `invalid_credentials`. */
  reason?: string;
  fields?: FieldErrors;
  /** Extra structured detail, e.g. `{ limit: 'members', max: 5, current: 5 }` for plan limits. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * Thrown by every SDK method that fails.
 *
 * @example
 * ```ts
 * try {
 *   await gw.workspaces.create({ name: 'Acme', slug: 'acme' });
 * } catch (error) {
 *   if (isGroundworkError(error) && error.code === 'conflict') showSlugTaken();
 *   else throw error;
 * }
 * ```
 */
export class GroundworkError extends Error {
  override readonly name = 'GroundworkError';
  readonly code: GroundworkErrorCode;
  /** The HTTP status of the failed response; 400 for inputs rejected before sending, 0 without a response. */
  readonly status: number;
  readonly reason: string | undefined;
  readonly fields: FieldErrors | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: GroundworkErrorCode, message: string, options: GroundworkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? STATUS_BY_CODE[code];
    this.reason = options.reason;
    this.fields = options.fields;
    this.details = options.details;
  }

  /** A plain object for logs and JSON responses (the cause is left out: it may hold secrets). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      status: this.status,
      message: this.message,
      reason: this.reason,
      fields: this.fields,
      details: this.details,
    };
  }
}

/**
 * True when `value` is a {@link GroundworkError}. Uses the name too, so it also works when two
 * copies of the SDK are bundled (where `instanceof` fails).
 *
 * @example
 * ```ts
 * catch (error) { if (isGroundworkError(error) && error.code === 'not_found') return null; throw error; }
 * ```
 */
export function isGroundworkError(value: unknown): value is GroundworkError {
  return (
    value instanceof GroundworkError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'GroundworkError' &&
      typeof (value as { code?: unknown }).code === 'string')
  );
}
