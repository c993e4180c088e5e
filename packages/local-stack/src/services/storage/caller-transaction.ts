import type pg from 'pg';
import type { CallerIdentity } from './caller-identity.ts';
import { storageErrorFromDatabase } from './database-errors.ts';
import { isStorageError } from './errors.ts';

export type Sql = Pick<pg.PoolClient, 'query'>;

/**
 * Runs metadata work in one transaction as the caller, the way supabase/storage scopes its
 * connection: `role`, `request.jwt.claims` (and the legacy per-claim settings) are set
 * locally so RLS on storage.objects / storage.buckets decides, and service_role bypasses it.
 * `storage.allow_delete_query` marks us as the Storage API, which hosted's delete guard allows.
 */
export async function asCaller<T>(
  db: pg.Pool,
  identity: CallerIdentity,
  operation: string,
  work: (sql: Sql) => Promise<T>,
): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('begin');
    await client.query(
      `select set_config('role', $1, true),
              set_config('request.jwt.claim.role', $1, true),
              set_config('request.jwt', $2, true),
              set_config('request.jwt.claim.sub', $3, true),
              set_config('request.jwt.claims', $4, true),
              set_config('storage.operation', $5, true),
              set_config('storage.allow_delete_query', 'true', true)`,
      [
        identity.role,
        identity.jwt,
        String(identity.claims.sub ?? ''),
        JSON.stringify(identity.claims),
        operation,
      ],
    );
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    if (isStorageError(error)) throw error;
    throw storageErrorFromDatabase(error) ?? error;
  } finally {
    client.release();
  }
}

/** Asks "would RLS let this caller write here?" by doing the write and rolling it back. */
export async function testPermission(
  db: pg.Pool,
  identity: CallerIdentity,
  operation: string,
  attempt: (sql: Sql) => Promise<void>,
): Promise<void> {
  const rolledBack = Symbol('rolled back');
  try {
    await asCaller(db, identity, operation, async (sql) => {
      await attempt(sql);
      throw rolledBack;
    });
  } catch (error) {
    if (error !== rolledBack) throw error;
  }
}
