import pg from 'pg';
import { StackError } from '../errors.ts';
import { SUPERUSER } from '../processes/postgres.ts';
import { applyBootstrap, bootstrapState } from './apply-bootstrap.ts';

/** SQLSTATEs of a refused login: no such role, wrong password. */
const LOGIN_REFUSED = new Set(['28000', '28P01']);

function outdated(dataDir: string): StackError {
  return new StackError(
    'database_outdated',
    `the database in ${dataDir} was made by an older groundwork, in which postgres was the ` +
      'superuser; hosted Supabase (and this groundwork) make supabase_admin the superuser, which ' +
      'an existing database cannot be changed to. Run "groundwork reset" to make it anew ' +
      '(the local database, its users and stored files are lost; migrations and seed run again)',
    'bootstrap',
  );
}

/**
 * Brings the cluster's platform bootstrap up to date, connected as the superuser. A cluster
 * made before supabase_admin became the bootstrap superuser (its first role, oid 10, is
 * `postgres`) is refused with `database_outdated`: Postgres never takes superuser away from
 * that role, and renaming roles under a project's objects, grants and default privileges
 * would silently change who owns and may do what.
 */
export async function bootstrapCluster(superuserUrl: string, dataDir: string): Promise<void> {
  const client = new pg.Client({ connectionString: superuserUrl });
  try {
    await client.connect();
  } catch (error) {
    if (LOGIN_REFUSED.has((error as { code?: string }).code ?? '')) throw outdated(dataDir);
    throw error;
  }
  try {
    const { rows } = await client.query<{ rolname: string }>(
      'select rolname from pg_catalog.pg_roles where oid = 10',
    );
    if (rows[0]?.rolname !== SUPERUSER) throw outdated(dataDir);
    // The bootstrap converges (additions only), so a newer one applies over an older database.
    if ((await bootstrapState(client)) !== 'current') await applyBootstrap(client);
  } finally {
    await client.end().catch(() => {});
  }
}
