import { AuthError } from '../error-codes.ts';
import type { Queryable } from '../users.ts';

/** A row of auth.webauthn_credentials (GoTrue's models.WebAuthnCredential). */
export interface PasskeyRow {
  id: string;
  user_id: string;
  credential_id: Buffer;
  public_key: Buffer;
  sign_count: string;
  transports: string[];
  friendly_name: string;
  created_at: Date;
  updated_at: Date;
  last_used_at: Date | null;
}

/** What a verified registration stores. */
export interface NewPasskey {
  userId: string;
  credentialId: Buffer;
  publicKey: Buffer;
  signCount: number;
  transports: string[];
  aaguid: string | null;
  backupEligible: boolean;
  backedUp: boolean;
  friendlyName: string;
}

export type ChallengeType = 'registration' | 'authentication';

/** A consumed row of auth.webauthn_challenges. */
export interface PasskeyChallengeRow {
  id: string;
  user_id: string | null;
  session_data: { challenge: string };
  expired: boolean;
}

const COLUMNS = `id, user_id, credential_id, public_key, sign_count, transports, friendly_name,
  created_at, updated_at, last_used_at`;

/** GoTrue's PasskeyListItem: no credential id or key leaves the server. */
export function passkeyJson(row: PasskeyRow) {
  return {
    id: row.id,
    ...(row.friendly_name ? { friendly_name: row.friendly_name } : {}),
    created_at: row.created_at.toISOString(),
    ...(row.last_used_at ? { last_used_at: row.last_used_at.toISOString() } : {}),
  };
}

export async function passkeysOf(db: Queryable, userId: string): Promise<PasskeyRow[]> {
  const { rows } = await db.query<PasskeyRow>(
    `select ${COLUMNS} from auth.webauthn_credentials where user_id = $1 order by created_at asc`,
    [userId],
  );
  return rows;
}

export async function countPasskeys(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ count: string }>(
    'select count(*) from auth.webauthn_credentials where user_id = $1',
    [userId],
  );
  return Number(rows[0]?.count ?? 0);
}

/** A passkey of this user; another user's passkey is not found either. */
export async function findOwnedPasskey(
  db: Queryable,
  userId: string,
  passkeyId: string,
): Promise<PasskeyRow | undefined> {
  const { rows } = await db.query<PasskeyRow>(
    `select ${COLUMNS} from auth.webauthn_credentials where id = $1 and user_id = $2`,
    [passkeyId, userId],
  );
  return rows[0];
}

export async function insertPasskey(db: Queryable, passkey: NewPasskey): Promise<PasskeyRow> {
  try {
    const { rows } = await db.query<PasskeyRow>(
      `insert into auth.webauthn_credentials
         (user_id, credential_id, public_key, attestation_type, aaguid, sign_count, transports,
          backup_eligible, backed_up, friendly_name)
       values ($1, $2, $3, 'none', $4, $5, $6, $7, $8, $9)
       returning ${COLUMNS}`,
      [
        passkey.userId,
        passkey.credentialId,
        passkey.publicKey,
        passkey.aaguid,
        passkey.signCount,
        JSON.stringify(passkey.transports),
        passkey.backupEligible,
        passkey.backedUp,
        passkey.friendlyName,
      ],
    );
    return rows[0] as PasskeyRow;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new AuthError('webauthn_credential_exists', 'This credential is already registered');
    }
    throw error;
  }
}

export async function recordPasskeyUse(db: Queryable, passkeyId: string, signCount: number) {
  await db.query(
    `update auth.webauthn_credentials
        set sign_count = $2, last_used_at = now(), updated_at = now()
      where id = $1`,
    [passkeyId, signCount],
  );
}

export async function renamePasskey(
  db: Queryable,
  passkeyId: string,
  friendlyName: string,
): Promise<PasskeyRow> {
  const { rows } = await db.query<PasskeyRow>(
    `update auth.webauthn_credentials set friendly_name = $2, updated_at = now()
      where id = $1 returning ${COLUMNS}`,
    [passkeyId, friendlyName],
  );
  return rows[0] as PasskeyRow;
}

export async function deletePasskey(db: Queryable, passkeyId: string) {
  await db.query('delete from auth.webauthn_credentials where id = $1', [passkeyId]);
}

/** A ceremony's challenge; a sign-in challenge names no user yet. */
export async function createPasskeyChallenge(
  db: Queryable,
  userId: string | null,
  type: ChallengeType,
  sessionData: { challenge: string },
  expirySeconds: number,
): Promise<{ id: string; expiresAt: number }> {
  const { rows } = await db.query<{ id: string; expires_at: Date }>(
    `insert into auth.webauthn_challenges (user_id, challenge_type, session_data, expires_at)
     values ($1, $2, $3, now() + make_interval(secs => $4))
     returning id, expires_at`,
    [userId, type, sessionData, expirySeconds],
  );
  const row = rows[0] as { id: string; expires_at: Date };
  return { id: row.id, expiresAt: Math.floor(row.expires_at.getTime() / 1000) };
}

/**
 * GoTrue's ConsumeWebAuthnChallengeByID: deletes the challenge of this ceremony and user (none
 * for sign-in) in one statement, so it is single-use even under concurrent verifies; an
 * expired one is consumed too and reported as expired.
 */
export async function consumePasskeyChallenge(
  db: Queryable,
  challengeId: string,
  type: ChallengeType,
  userId: string | null,
): Promise<PasskeyChallengeRow> {
  const { rows } = await db.query<PasskeyChallengeRow>(
    `delete from auth.webauthn_challenges
      where id = $1 and challenge_type = $2 and user_id is not distinct from $3
      returning id, user_id, session_data, expires_at < now() as expired`,
    [challengeId, type, userId],
  );
  const challenge = rows[0];
  if (!challenge) {
    throw new AuthError('webauthn_challenge_not_found', 'Challenge not found or already used');
  }
  if (challenge.expired) throw new AuthError('webauthn_challenge_expired', 'Challenge has expired');
  return challenge;
}
