import { isDatabaseUnavailable } from '../database-unavailable.ts';
import { type StorageError, storageErrors } from './errors.ts';

interface PgErrorLike {
  code?: string;
  message?: string;
}

function isPgError(value: unknown): value is PgErrorLike & Error {
  return value instanceof Error && typeof (value as PgErrorLike).code === 'string';
}

/**
 * Postgres errors as hosted Storage reports them (supabase/storage's DBError): RLS denials
 * become 403 "new row violates row-level security policy", duplicates 409, and anything
 * unexpected a 500 that names only the SQLSTATE.
 */
export function storageErrorFromDatabase(error: unknown): StorageError | undefined {
  if (isDatabaseUnavailable(error)) return storageErrors.databaseUnavailable(error);
  if (!isPgError(error)) return undefined;
  const message = error.message ?? '';
  switch (error.code) {
    case '42501':
      return storageErrors.accessDenied(
        message.includes('row-level security') ? 'new row violates row-level security policy' : message,
      );
    case '23505':
      return storageErrors.resourceAlreadyExists();
    case '23503':
      return storageErrors.invalidRequest('The related resource does not exist');
    case '57014':
      return storageErrors.databaseTimeout();
    // Bytes Postgres cannot store in text (NUL, broken UTF-8) or values too large to index:
    // the input is wrong, not the server.
    case '22021':
    case '22P05':
    case '54000':
      return storageErrors.invalidRequest(
        'Invalid input: a value contains characters or a size the database cannot store',
      );
    case '22P02':
      return storageErrors.invalidParameter(
        'value',
        message || 'Invalid value format or type conversion failed',
      );
    default:
      return storageErrors.databaseError(error.code ?? 'unknown', error);
  }
}
