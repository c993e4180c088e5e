/**
 * Failures that mean "the database cannot be reached right now" rather than "this query is
 * wrong": the server is stopped or restarting (connection refused or reset, a connection
 * that ended under the query), or it refuses sessions while shutting down or starting up
 * (SQLSTATE class 08, 57P01–57P03). Auth and Storage answer these 503, as REST does
 * (PostgREST's PGRST001 "Database client error. Retrying the connection."), instead of a 500.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
const SQLSTATES = new Set(['57P01', '57P02', '57P03']);
// node-postgres reports a connection that went away without a code, only in these words.
const LOST_CONNECTION =
  /^(Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect)/;

/** The message both services give, in their own error shapes. */
export const DATABASE_UNAVAILABLE_MESSAGE = 'The database is not reachable right now; retry shortly';

export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, errors } = error as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08')))
    return true;
  if (typeof message === 'string' && LOST_CONNECTION.test(message)) return true;
  // Connecting to a name with several addresses fails with an AggregateError of each attempt.
  return Array.isArray(errors) && errors.length > 0 && errors.every(isDatabaseUnavailable);
}
