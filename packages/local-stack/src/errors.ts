/**
 * Every failure the stack reports is a StackError with a stable code, so the CLI
 * can print one line naming the step and the cause, and tests can assert on codes.
 */
export type StackErrorCode =
  | 'config_invalid'
  | 'workdir_not_found'
  | 'port_in_use'
  | 'postgres_failed'
  | 'database_outdated'
  | 'bootstrap_failed'
  | 'migration_failed'
  | 'seed_failed'
  | 'postgrest_failed'
  | 'service_failed'
  | 'not_running'
  | 'already_running'
  | 'cli_failed'
  | 'pgtap_missing'
  | 'template_outdated';

export class StackError extends Error {
  override readonly name = 'StackError';
  constructor(
    readonly code: StackErrorCode,
    message: string,
    readonly step?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStackError(value: unknown): value is StackError {
  return value instanceof StackError;
}
