import { AuthError } from '../error-codes.ts';
import type { Queryable } from '../users.ts';

export type FactorType = 'totp' | 'webauthn' | 'phone';
export type FactorStatus = 'unverified' | 'verified';

/** A row of auth.mfa_factors. */
export interface FactorRow {
  id: string;
  user_id: string;
  friendly_name: string | null;
  factor_type: FactorType;
  status: FactorStatus;
  created_at: Date;
  updated_at: Date;
  secret: string | null;
  phone: string | null;
  last_challenged_at: Date | null;
  web_authn_credential: Record<string, unknown> | null;
  web_authn_aaguid: string | null;
}

/** The `amr` method a verified factor of each type adds to a session (GoTrue's AuthenticationMethod). */
export const FACTOR_AMR_METHOD: Record<FactorType, string> = {
  totp: 'totp',
  webauthn: 'mfa/webauthn',
  phone: 'mfa/phone',
};

/** A factor as GoTrue's JSON has it (in the user's `factors`). Secrets and credentials never leave. */
export function factorJson(factor: FactorRow) {
  return {
    id: factor.id,
    friendly_name: factor.friendly_name || undefined,
    factor_type: factor.factor_type,
    status: factor.status,
    created_at: factor.created_at.toISOString(),
    updated_at: factor.updated_at.toISOString(),
    last_challenged_at: factor.last_challenged_at ? factor.last_challenged_at.toISOString() : null,
    ...(factor.web_authn_aaguid ? { web_authn_aaguid: factor.web_authn_aaguid } : {}),
  };
}

export type FactorJson = ReturnType<typeof factorJson>;

export async function factorsOf(db: Queryable, userId: string): Promise<FactorRow[]> {
  const { rows } = await db.query<FactorRow>(
    'select * from auth.mfa_factors where user_id = $1 order by created_at',
    [userId],
  );
  return rows;
}

/** The user's own factor; another user's id reads as absent (loadFactor's FindOwnedFactorByID). */
export async function findOwnedFactor(
  db: Queryable,
  userId: string,
  factorId: string,
): Promise<FactorRow | undefined> {
  const { rows } = await db.query<FactorRow>(
    'select * from auth.mfa_factors where id = $1 and user_id = $2',
    [factorId, userId],
  );
  return rows[0];
}

/** GoTrue's DeleteExpiredFactors: unverified factors older than the factor expiry go. */
export async function deleteExpiredFactors(db: Queryable, userId: string, expirySeconds: number) {
  await db.query(
    `delete from auth.mfa_factors
      where user_id = $1 and status = 'unverified' and created_at < now() - make_interval(secs => $2)`,
    [userId, expirySeconds],
  );
}

export async function insertFactor(
  db: Queryable,
  factor: { id: string; userId: string; type: FactorType; friendlyName: string; secret: string | null },
): Promise<FactorRow> {
  const { rows } = await db.query<FactorRow>(
    `insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
     values ($1, $2, $3, $4, 'unverified', now(), now(), $5)
     returning *`,
    [factor.id, factor.userId, factor.friendlyName, factor.type, factor.secret],
  );
  return rows[0] as FactorRow;
}

export async function markFactorVerified(db: Queryable, factorId: string) {
  await db.query(`update auth.mfa_factors set status = 'verified', updated_at = now() where id = $1`, [
    factorId,
  ]);
}

/** GoTrue's DeleteUnverifiedFactors: once one factor of a type verifies, pending ones of it go. */
export async function deleteUnverifiedFactors(db: Queryable, userId: string, type: FactorType) {
  await db.query(
    `delete from auth.mfa_factors where user_id = $1 and factor_type = $2 and status = 'unverified'`,
    [userId, type],
  );
}

export async function deleteFactor(db: Queryable, factorId: string) {
  await db.query('delete from auth.mfa_factors where id = $1', [factorId]);
}

/** A new friendly name; the (friendly_name, user_id) unique index refuses a duplicate. */
export async function renameFactor(
  db: Queryable,
  factorId: string,
  friendlyName: string,
): Promise<FactorRow> {
  try {
    const { rows } = await db.query<FactorRow>(
      'update auth.mfa_factors set friendly_name = $2, updated_at = now() where id = $1 returning *',
      [factorId, friendlyName],
    );
    return rows[0] as FactorRow;
  } catch (error) {
    // GoTrue lets the unique violation through as a 500; here it is the caller's input.
    if ((error as { code?: string }).code === '23505') {
      throw new AuthError(
        'mfa_factor_name_conflict',
        `A factor with the friendly name ${JSON.stringify(friendlyName)} for this user already exists`,
      );
    }
    throw error;
  }
}
