import type pg from 'pg';
import { isDatabaseUnavailable } from '../database-unavailable.ts';
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
  let broken = false;
  try {
    // One round trip for BEGIN and the scope: a simple-protocol query may hold several
    // statements but no parameters, so every value goes in as an escaped literal.
    const literal = (value: string) => client.escapeLiteral(value);
    await client.query(
      `begin;
       select set_config('role', ${literal(identity.role)}, true),
              set_config('request.jwt.claim.role', ${literal(identity.role)}, true),
              set_config('request.jwt', ${literal(identity.jwt)}, true),
              set_config('request.jwt.claim.sub', ${literal(String(identity.claims.sub ?? ''))}, true),
              set_config('request.jwt.claims', ${literal(JSON.stringify(identity.claims))}, true),
              set_config('storage.operation', ${literal(operation)}, true),
              set_config('storage.allow_delete_query', 'true', true);`,
    );
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    // A connection the server dropped is discarded, not handed to the next request.
    broken = isDatabaseUnavailable(error);
    if (!broken) await client.query('rollback').catch(() => {});
    if (isStorageError(error)) throw error;
    throw storageErrorFromDatabase(error) ?? error;
  } finally {
    client.release(broken);
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
