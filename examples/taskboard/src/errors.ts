/**
 * How failures read to people. The SDK throws one error type with a stable `code`; the app turns
 * codes into sentences and `fields` into messages beside the inputs.
 */
import { type FieldErrors, isGroundworkError } from '@groundwork/sdk';

export interface Problem {
  message: string;
  fields: FieldErrors;
  code: string;
}

export function describeError(error: unknown): Problem {
  if (!isGroundworkError(error)) {
    return { message: 'Something went wrong. Try again.', fields: {}, code: 'unknown' };
  }
  const fields = error.fields ?? {};
  switch (error.code) {
    case 'forbidden':
      return {
        message:
          error.reason === 'mfa_required'
            ? 'This needs two-factor authentication: sign in with your authenticator app or security key first (Account).'
            : "You don't have access to do that.",
        fields,
        code: error.code,
      };
    case 'not_found':
      return { message: "That doesn't exist, or you don't have access to it.", fields, code: error.code };
    case 'unauthenticated':
      return {
        message:
          error.reason === 'invalid_credentials' ? 'Wrong email or password.' : 'Please sign in again.',
        fields,
        code: error.code,
      };
    case 'validation_failed':
      return {
        message: Object.keys(fields).length > 0 ? 'Please fix the highlighted fields.' : error.message,
        fields,
        code: error.code,
      };
    case 'conflict':
      return { message: conflictMessage(error.reason, error.message), fields, code: error.code };
    case 'plan_limit_reached':
      return {
        message: 'Your plan’s limit is reached. Upgrade the workspace in Settings → Billing.',
        fields,
        code: error.code,
      };
    case 'rate_limited':
      return { message: 'Too many attempts. Wait a moment and try again.', fields, code: error.code };
    case 'network':
      return { message: 'Can’t reach the server. Check your connection.', fields, code: error.code };
    default:
      return { message: error.message || 'Something went wrong.', fields, code: error.code };
  }
}

function conflictMessage(reason: string | undefined, fallback: string): string {
  switch (reason) {
    case 'slug_taken':
      return 'That address is taken. Pick another.';
    case 'already_member':
      return 'That person is already a member.';
    case 'last_owner':
      return 'A workspace needs at least one owner.';
    default:
      return fallback;
  }
}
