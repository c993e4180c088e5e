/**
 * The HTTP status a raised SQLSTATE reaches clients with: through PostgREST (its documented
 * table, https://docs.postgrest.org/en/v12/references/errors.html) or through Storage, which
 * answers a database error from a trigger on `storage.objects` itself.
 */

/** The statuses PostgREST may answer `sqlstate` with (42501 depends on whether the caller is anon). */
export function postgrestStatuses(sqlstate: string): number[] {
  const custom = /^PT(\d{3})$/.exec(sqlstate);
  if (custom) return [Number(custom[1])];
  const exact: Record<string, number[]> = {
    '42501': [401, 403],
    '23503': [409],
    '23505': [409],
    '25006': [405],
    '53400': [500],
    '42883': [404],
    '42P01': [404],
    '42P17': [500],
    P0001: [400],
  };
  if (exact[sqlstate]) return exact[sqlstate];
  const byClass: Record<string, number> = {
    '08': 503,
    '09': 500,
    '0L': 403,
    '0P': 403,
    '25': 500,
    '28': 403,
    '2D': 500,
    '38': 500,
    '39': 500,
    '3B': 500,
    '40': 500,
    '53': 503,
    '54': 500,
    '55': 500,
    '57': 500,
    '58': 500,
    F0: 500,
    HV: 500,
    P0: 500,
    XX: 500,
  };
  return [byClass[sqlstate.slice(0, 2)] ?? 400];
}

/**
 * The status hosted Storage answers a database error with: an RLS-style denial (42501) is a 403
 * carrying the message, a duplicate a 409; anything else is a 500 "database error".
 */
export function storageStatus(sqlstate: string): number {
  if (sqlstate === '42501') return 403;
  if (sqlstate === '23505') return 409;
  return 500;
}
