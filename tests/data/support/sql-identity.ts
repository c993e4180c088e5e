import pg from 'pg';

/** Who a statement runs as, the way PostgREST sets it up for a request. */
export type Identity =
  | { kind: 'anon' }
  | { kind: 'service_role' }
  | { kind: 'user'; id: string; email: string };

export const anon: Identity = { kind: 'anon' };
export const serviceRole: Identity = { kind: 'service_role' };

function claimsOf(identity: Identity): Record<string, unknown> {
  switch (identity.kind) {
    case 'anon':
      return { role: 'anon' };
    case 'service_role':
      return { role: 'service_role' };
    case 'user':
      return { sub: identity.id, email: identity.email, role: 'authenticated', aud: 'authenticated' };
  }
}

function roleOf(identity: Identity): string {
  return identity.kind === 'user' ? 'authenticated' : identity.kind;
}

/**
 * Runs `work` in one transaction as `identity`: `set local role` plus the
 * `request.jwt.claims` setting, exactly what PostgREST does per request. Commits on
 * success, rolls back on error and rethrows the database error.
 */
export async function runAs<T>(
  client: pg.ClientBase,
  identity: Identity,
  work: (client: pg.ClientBase) => Promise<T>,
): Promise<T> {
  await client.query('begin');
  try {
    await client.query(`set local role ${roleOf(identity)}`);
    await client.query(`select set_config('request.jwt.claims', $1, true)`, [
      JSON.stringify(claimsOf(identity)),
    ]);
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}

/** One statement as `identity`; returns its rows. */
export async function queryAs<Row extends pg.QueryResultRow = pg.QueryResultRow>(
  client: pg.ClientBase,
  identity: Identity,
  sql: string,
  params: unknown[] = [],
): Promise<Row[]> {
  return runAs(client, identity, async (c) => (await c.query<Row>(sql, params)).rows);
}

/** The database error a statement raised as `identity`, or undefined when it succeeded. */
export async function errorAs(
  client: pg.ClientBase,
  identity: Identity,
  sql: string,
  params: unknown[] = [],
): Promise<pg.DatabaseError | undefined> {
  try {
    await queryAs(client, identity, sql, params);
    return undefined;
  } catch (error) {
    if (error instanceof pg.DatabaseError) return error;
    throw error;
  }
}

export function connect(dbUrl: string): pg.Client {
  return new pg.Client({ connectionString: dbUrl });
}
