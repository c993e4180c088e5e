import { isIP } from 'node:net';
import { AuthError } from '../error-codes.ts';
import type { Queryable } from '../users.ts';

export interface ChallengeRow {
  id: string;
  factor_id: string;
  created_at: Date;
  verified_at: Date | null;
  /** host(ip_address): the address the challenge was asked from, as text. */
  ip: string;
  web_authn_session_data: Record<string, unknown> | null;
}

/** ip_address is `inet not null`; a client whose address is unknown is recorded as 0.0.0.0. */
function inetOf(ip: string | undefined): string {
  return ip && isIP(ip) !== 0 ? ip : '0.0.0.0';
}

/** A new challenge on a factor (and the factor's last_challenged_at), expiring `expirySeconds` later. */
export async function createChallenge(
  db: Queryable,
  factorId: string,
  ip: string | undefined,
  expirySeconds: number,
  webAuthnSessionData: Record<string, unknown> | null = null,
): Promise<{ id: string; expiresAt: number }> {
  const { rows } = await db.query<{ id: string; created_at: Date }>(
    `with touched as (
       update auth.mfa_factors set last_challenged_at = now(), updated_at = now() where id = $1
     )
     insert into auth.mfa_challenges (id, factor_id, created_at, ip_address, web_authn_session_data)
     values (gen_random_uuid(), $1, now(), $2::inet, $3)
     returning id, created_at`,
    [factorId, inetOf(ip), webAuthnSessionData],
  );
  const row = rows[0] as { id: string; created_at: Date };
  return { id: row.id, expiresAt: Math.floor(row.created_at.getTime() / 1000) + expirySeconds };
}

/**
 * GoTrue's validateChallenge: the factor's challenge, unverified and asked from the same
 * address, not expired (an expired one is deleted). Locked for the verification that follows.
 */
export async function takeChallenge(
  db: Queryable,
  factorId: string,
  challengeId: string | undefined,
  ip: string | undefined,
  expirySeconds: number,
): Promise<ChallengeRow> {
  const { rows } =
    challengeId === undefined
      ? { rows: [] as ChallengeRow[] }
      : await db.query<ChallengeRow>(
          `select id, factor_id, created_at, verified_at, host(ip_address) as ip, web_authn_session_data
             from auth.mfa_challenges where id = $1 and factor_id = $2 for update`,
          [challengeId, factorId],
        );
  const challenge = rows[0];
  if (!challenge) {
    throw new AuthError('mfa_factor_not_found', 'MFA factor with the provided challenge ID not found', {
      status: 422,
    });
  }
  const { rows: sameIp } = await db.query<{ same: boolean }>('select host($1::inet) = $2 as same', [
    inetOf(ip),
    challenge.ip,
  ]);
  if (challenge.verified_at || !sameIp[0]?.same) {
    throw new AuthError('mfa_ip_address_mismatch', 'Challenge and verify IP addresses mismatch.');
  }
  if (challenge.created_at.getTime() + expirySeconds * 1000 < Date.now()) {
    await db.query('delete from auth.mfa_challenges where id = $1', [challenge.id]);
    throw new AuthError(
      'mfa_challenge_expired',
      `MFA challenge ${challenge.id} has expired, verify against another challenge or create a new challenge.`,
    );
  }
  return challenge;
}

export async function markChallengeVerified(db: Queryable, challengeId: string) {
  await db.query('update auth.mfa_challenges set verified_at = now() where id = $1', [challengeId]);
}

export async function deleteChallenge(db: Queryable, challengeId: string) {
  await db.query('delete from auth.mfa_challenges where id = $1', [challengeId]);
}
