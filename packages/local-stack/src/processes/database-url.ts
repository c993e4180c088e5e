/** The password every local role logs in with, as `supabase start` has it. */
export const DB_PASSWORD = 'postgres';

/** A connection URL for the local database (loopback TCP; the server listens on no socket). */
export function databaseUrl(port: number, role = 'postgres', database = 'postgres'): string {
  return `postgresql://${role}:${DB_PASSWORD}@127.0.0.1:${port}/${database}`;
}
