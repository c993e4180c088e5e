/**
 * supabase-js MFA answers `{ error }` objects (AuthError) rather than the SDK's GroundworkError:
 * turn them into one, so forms show them like every other failure.
 */
import { GroundworkError } from '@groundwork/sdk';

export function authFailure(
  error: { message: string; code?: string | undefined; status?: number | undefined },
  field?: string,
): GroundworkError {
  if (error.code === 'mfa_verification_failed' || error.code === 'mfa_challenge_expired') {
    return new GroundworkError('validation_failed', 'That code didn’t work. Try the current one.', {
      reason: error.code,
      ...(field ? { fields: { [field]: ['is not the current code'] } } : {}),
    });
  }
  if (error.code === 'insufficient_aal') {
    return new GroundworkError('forbidden', 'Confirm a code from your authenticator app first.', {
      reason: error.code,
    });
  }
  return new GroundworkError('unknown', error.message, { reason: error.code, status: error.status });
}

/**
 * A security key's failure: supabase-js's WebAuthnError codes (`ERROR_…`, from the browser's
 * navigator.credentials call) or Auth's refusal of what the key signed.
 */
export function keyFailure(error: {
  message: string;
  code?: string | undefined;
  status?: number | undefined;
}): GroundworkError {
  if (error.code?.startsWith('ERROR_') || /NotAllowedError|timed out|not allowed/i.test(error.message)) {
    return new GroundworkError(
      'validation_failed',
      'Your security key didn’t answer: it was cancelled or timed out.',
      {
        reason: error.code,
      },
    );
  }
  if (error.code === 'mfa_verification_failed' || error.code === 'mfa_challenge_expired') {
    return new GroundworkError(
      'validation_failed',
      'Auth didn’t accept what your security key signed. Try again.',
      {
        reason: error.code,
      },
    );
  }
  return authFailure(error);
}
