/**
 * Groundwork's error vocabulary, declared once: every stable snake_case code the data layer
 * raises (as the MESSAGE of a Postgres error) or an edge function answers (as `code` in its
 * JSON body), with the HTTP status a client sees, the SQLSTATE a migration raises it with, what
 * travels beside it, and the SDK's coarse `GroundworkErrorCode` it becomes.
 *
 * Imported by the functions (`_shared/errors.ts`, `invite-member`) and by the SDK
 * (`packages/sdk/src/error-mapping.ts`); `tests/data/error-vocabulary.test.ts` checks it
 * against every `raise` in `supabase/migrations/`, every `FunctionError` in the functions and
 * the table in `docs/data-model.md`. No imports: Deno and Node both load it as it is.
 *
 * Status follows from the SQLSTATE as PostgREST maps it: `PTxyz` answers `xyz`, `42501` answers
 * 401 to anon and 403 to a signed-in caller, `23505` 409, `22023` 400.
 */

/** What travels beside a code. */
export type ErrorDetailShape =
  /** A human sentence: the Postgres DETAIL (optional), or the function's `message`. */
  | 'sentence'
  /**
   * JSON `{ limit: 'members' | 'projects' | 'storage' | 'past_due', max, current }` (storage adds
   * `requested`, the upload's size; `max` and `current` are null for a caller who is not a
   * member): the Postgres DETAIL, or the function's `details`.
   */
  | 'plan_limit'
  /** The function's `fields`: field path → what is wrong with it. */
  | 'fields'
  /** JSON `{ retry_after_seconds }`: the Postgres DETAIL, or the function's `details`. */
  | 'retry_after';

interface ErrorDefinition {
  /** The HTTP status a client sees. */
  readonly status: number;
  /** The SQLSTATE migrations raise it with; absent when only functions answer it. */
  readonly sqlstate?: string;
  /**
   * Raised in a trigger on a `storage` table: hosted Storage passes only 42501 on with its
   * message (as a 403); any other SQLSTATE becomes a 500 "database error".
   */
  readonly underStorage?: { readonly sqlstate: string; readonly status: number };
  /** Edge functions answer it too. */
  readonly functions?: true;
  readonly detail: ErrorDetailShape;
  /** The SDK's `GroundworkErrorCode` (checked against that union where the SDK imports this). */
  readonly sdkCode: string;
  /** When it happens, for the docs. */
  readonly when: string;
}

export const errorVocabulary = {
  not_authenticated: {
    status: 401,
    sqlstate: '42501',
    functions: true,
    detail: 'sentence',
    sdkCode: 'unauthenticated',
    when: 'an RPC or a function called without a signed-in user',
  },
  forbidden: {
    status: 403,
    sqlstate: '42501',
    functions: true,
    detail: 'sentence',
    sdkCode: 'forbidden',
    when: 'the caller lacks the permission (a viewer moving a task: tasks.update)',
  },
  mfa_required: {
    status: 403,
    sqlstate: '42501',
    functions: true,
    detail: 'sentence',
    sdkCode: 'forbidden',
    when: 'the workspace requires MFA (require_mfa) and the session is below aal2, or require_mfa changed from below aal2',
  },
  workspace_not_found: {
    status: 404,
    sqlstate: 'PT404',
    functions: true,
    detail: 'sentence',
    sdkCode: 'not_found',
    when: 'no such workspace, or one the caller cannot see',
  },
  task_not_found: {
    status: 404,
    sqlstate: 'PT404',
    detail: 'sentence',
    sdkCode: 'not_found',
    when: 'move_task, a comment on an unknown task',
  },
  project_not_found: {
    status: 404,
    sqlstate: 'PT404',
    detail: 'sentence',
    sdkCode: 'not_found',
    when: 'a task inserted into an unknown project',
  },
  comment_not_found: {
    status: 404,
    sqlstate: 'PT404',
    detail: 'sentence',
    sdkCode: 'not_found',
    when: 'a trash RPC on an unknown comment, or one the caller cannot read',
  },
  member_not_found: {
    status: 404,
    sqlstate: 'PT404',
    detail: 'sentence',
    sdkCode: 'not_found',
    when: 'transfer_ownership to someone outside the workspace',
  },
  invitation_not_found: {
    status: 404,
    sqlstate: 'PT404',
    functions: true,
    detail: 'sentence',
    sdkCode: 'not_found',
    when: 'accept_invitation with an unknown token; resending one the caller may not manage',
  },
  // Gone (410): to the caller the invitation no longer exists.
  invitation_expired: {
    status: 410,
    sqlstate: 'PT410',
    functions: true,
    detail: 'sentence',
    sdkCode: 'not_found',
    when: 'accept_invitation after the invitation expired',
  },
  invitation_revoked: {
    status: 410,
    sqlstate: 'PT410',
    functions: true,
    detail: 'sentence',
    sdkCode: 'not_found',
    when: 'accept_invitation of a revoked invitation',
  },
  invitation_email_mismatch: {
    status: 403,
    sqlstate: '42501',
    detail: 'sentence',
    sdkCode: 'forbidden',
    when: 'accept_invitation by someone the invitation was not sent to',
  },
  email_not_confirmed: {
    status: 403,
    sqlstate: '42501',
    detail: 'sentence',
    sdkCode: 'forbidden',
    when: "accept_invitation while the caller's address is unconfirmed",
  },
  invitation_already_accepted: {
    status: 409,
    sqlstate: 'PT409',
    functions: true,
    detail: 'sentence',
    sdkCode: 'conflict',
    when: 'accepting an invitation someone else accepted, or revoking an accepted one',
  },
  invitation_resend_too_soon: {
    status: 429,
    sqlstate: 'PT429',
    functions: true,
    detail: 'retry_after',
    sdkCode: 'rate_limited',
    when: 'resending an invitation before its wait is over',
  },
  invite_link_not_found: {
    status: 404,
    sqlstate: 'PT404',
    detail: 'sentence',
    sdkCode: 'not_found',
    when: 'join_invite_link with an unknown token',
  },
  invite_link_expired: {
    status: 410,
    sqlstate: 'PT410',
    detail: 'sentence',
    sdkCode: 'not_found',
    when: 'join_invite_link of an expired, revoked or used-up link, or one its creator could no longer give',
  },
  domain_not_verified: {
    status: 403,
    sqlstate: '42501',
    detail: 'sentence',
    sdkCode: 'forbidden',
    when: 'verify_workspace_domain without a confirmed address at the domain',
  },
  invitation_pending: {
    status: 409,
    sqlstate: 'PT409',
    detail: 'sentence',
    sdkCode: 'conflict',
    when: 'inviting an address that already has an open invitation',
  },
  already_member: {
    status: 409,
    sqlstate: 'PT409',
    functions: true,
    detail: 'sentence',
    sdkCode: 'conflict',
    when: 'inviting, or accepting as, someone already in the workspace',
  },
  last_owner: {
    status: 409,
    sqlstate: 'PT409',
    detail: 'sentence',
    sdkCode: 'conflict',
    when: 'leaving, removing or demoting the last owner',
  },
  project_archived: {
    status: 409,
    sqlstate: 'PT409',
    detail: 'sentence',
    sdkCode: 'conflict',
    when: 'adding a task to an archived project',
  },
  project_in_trash: {
    status: 409,
    sqlstate: 'PT409',
    detail: 'sentence',
    sdkCode: 'conflict',
    when: 'restoring a task whose project is in the trash',
  },
  task_in_trash: {
    status: 409,
    sqlstate: 'PT409',
    detail: 'sentence',
    sdkCode: 'conflict',
    when: 'restoring a comment whose task is in the trash',
  },
  plan_limit_reached: {
    status: 402,
    sqlstate: 'PT402',
    underStorage: { sqlstate: '42501', status: 403 },
    functions: true,
    detail: 'plan_limit',
    sdkCode: 'plan_limit_reached',
    when: 'members, invitations, projects or storage over the plan; past_due',
  },
  slug_taken: {
    status: 409,
    sqlstate: '23505',
    detail: 'sentence',
    sdkCode: 'conflict',
    when: 'create_workspace with a slug in use',
  },
  invalid_move: {
    status: 400,
    sqlstate: '22023',
    detail: 'sentence',
    sdkCode: 'validation_failed',
    when: 'move_task with neighbours outside the target column',
  },
  invalid_input: {
    status: 400,
    sqlstate: '22023',
    detail: 'sentence',
    sdkCode: 'validation_failed',
    when: 'RPC arguments out of range',
  },
  invalid_permission: {
    status: 400,
    sqlstate: '22023',
    detail: 'sentence',
    sdkCode: 'validation_failed',
    when: 'a custom role with an unknown or owner-only permission; has_permission with an unknown one',
  },
  role_not_found: {
    status: 404,
    sqlstate: 'PT404',
    detail: 'sentence',
    sdkCode: 'not_found',
    when: "a member given a role that is neither built-in nor their workspace's",
  },
  role_in_use: {
    status: 409,
    sqlstate: 'PT409',
    detail: 'sentence',
    sdkCode: 'conflict',
    when: 'deleting a custom role someone still holds',
  },
  role_builtin: {
    status: 409,
    sqlstate: 'PT409',
    detail: 'sentence',
    sdkCode: 'conflict',
    when: 'changing or deleting a built-in role',
  },
  api_key_invalid: {
    status: 401,
    sqlstate: 'PT401',
    functions: true,
    detail: 'sentence',
    sdkCode: 'unauthenticated',
    when: 'a Groundwork-Api-Key header that is no key (unknown, malformed), or current_api_key called without one',
  },
  api_key_revoked: {
    status: 401,
    sqlstate: 'PT401',
    functions: true,
    detail: 'sentence',
    sdkCode: 'unauthenticated',
    when: 'a revoked API key (the answer names neither the key nor its workspace)',
  },
  api_key_expired: {
    status: 401,
    sqlstate: 'PT401',
    functions: true,
    detail: 'sentence',
    sdkCode: 'unauthenticated',
    when: 'an API key past its expiry',
  },
  api_key_rate_limited: {
    status: 429,
    sqlstate: 'PT429',
    functions: true,
    detail: 'sentence',
    sdkCode: 'rate_limited',
    when: "an API key past its plan's requests per minute (answered with Retry-After)",
  },
  api_key_with_session: {
    status: 400,
    sqlstate: 'PT400',
    functions: true,
    detail: 'sentence',
    sdkCode: 'validation_failed',
    when: 'an API key sent together with a user session or the secret key',
  },
  api_key_not_found: {
    status: 404,
    sqlstate: 'PT404',
    detail: 'sentence',
    sdkCode: 'not_found',
    when: 'revoke_api_key of a key that does not exist or belongs to a workspace the caller is not in',
  },
  webhook_endpoint_not_found: {
    status: 404,
    sqlstate: 'PT404',
    detail: 'sentence',
    sdkCode: 'not_found',
    when: 'rotating, testing or replaying on an endpoint that does not exist or the caller may not manage',
  },
  webhook_delivery_not_found: {
    status: 404,
    sqlstate: 'PT404',
    detail: 'sentence',
    sdkCode: 'not_found',
    when: 'replaying a delivery that does not exist or the caller may not manage',
  },
  webhook_endpoint_disabled: {
    status: 409,
    sqlstate: 'PT409',
    detail: 'sentence',
    sdkCode: 'conflict',
    when: 'sending a test event to a disabled endpoint',
  },
  invalid_webhook_url: {
    status: 400,
    sqlstate: '22023',
    detail: 'sentence',
    sdkCode: 'validation_failed',
    when: 'a webhook endpoint URL that is not http(s)://host[/path] of at most 2048 characters',
  },
  invalid_event_type: {
    status: 400,
    sqlstate: '22023',
    detail: 'sentence',
    sdkCode: 'validation_failed',
    when: 'an endpoint filter naming an event type that is not in webhook_event_types (nor `<resource>.*`)',
  },
  validation_failed: {
    status: 400,
    functions: true,
    detail: 'fields',
    sdkCode: 'validation_failed',
    when: "a function's request body fails its schema",
  },
  method_not_allowed: {
    status: 405,
    functions: true,
    detail: 'sentence',
    sdkCode: 'unknown',
    when: 'a function called with a method it does not serve',
  },
  export_too_large: {
    status: 413,
    functions: true,
    detail: 'sentence',
    sdkCode: 'validation_failed',
    when: 'an audit export of more entries than one export may hold',
  },
  internal_error: {
    status: 500,
    functions: true,
    detail: 'sentence',
    sdkCode: 'unknown',
    when: 'a function failed unexpectedly (details in its logs)',
  },
  email_not_sent: {
    status: 502,
    functions: true,
    detail: 'sentence',
    sdkCode: 'unknown',
    when: 'a function could not send its email',
  },
  invalid_signature: {
    status: 400,
    functions: true,
    detail: 'sentence',
    sdkCode: 'validation_failed',
    when: 'a Stripe webhook badly signed',
  },
  unknown_plan: {
    status: 400,
    functions: true,
    detail: 'sentence',
    sdkCode: 'validation_failed',
    when: 'checkout of a plan no price sells',
  },
  subscription_exists: {
    status: 409,
    functions: true,
    detail: 'sentence',
    sdkCode: 'conflict',
    when: 'checkout when already subscribed',
  },
  billing_account_missing: {
    status: 409,
    functions: true,
    detail: 'sentence',
    sdkCode: 'conflict',
    when: 'billing portal before any checkout',
  },
  billing_not_configured: {
    status: 503,
    functions: true,
    detail: 'sentence',
    sdkCode: 'unknown',
    when: 'Stripe secrets unset',
  },
  payment_provider_error: {
    status: 502,
    functions: true,
    detail: 'sentence',
    sdkCode: 'unknown',
    when: 'Stripe failed',
  },
} as const satisfies Record<string, ErrorDefinition>;

type Vocabulary = typeof errorVocabulary;

/** Every code of the vocabulary. */
export type ErrorCode = keyof Vocabulary;

/** The codes migrations raise. */
export type DatabaseErrorCode = {
  [Code in ErrorCode]: Vocabulary[Code] extends { sqlstate: string } ? Code : never;
}[ErrorCode];

/** The codes edge functions answer. */
export type FunctionErrorCode = {
  [Code in ErrorCode]: Vocabulary[Code] extends { functions: true } ? Code : never;
}[ErrorCode];

// Object.keys is typed string[]; the keys of a literal object are exactly its codes.
export const errorCodes = Object.keys(errorVocabulary) as ErrorCode[];

export const databaseErrorCodes: readonly DatabaseErrorCode[] = errorCodes.filter(isDatabaseErrorCode);

export const functionErrorCodes: readonly FunctionErrorCode[] = errorCodes.filter(isFunctionErrorCode);

/** code → HTTP status. */
export const httpStatusByCode = Object.fromEntries(
  errorCodes.map((code) => [code, errorVocabulary[code].status]),
) as { readonly [Code in ErrorCode]: Vocabulary[Code]['status'] };

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorVocabulary, value);
}

export function isDatabaseErrorCode(value: unknown): value is DatabaseErrorCode {
  return isErrorCode(value) && 'sqlstate' in errorVocabulary[value];
}

export function isFunctionErrorCode(value: unknown): value is FunctionErrorCode {
  return isErrorCode(value) && 'functions' in errorVocabulary[value];
}
