import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { recordAudit } from '../audit-log.ts';
import { type AuthRuntime, inTransaction } from '../auth-runtime.ts';
import { AuthError, isAuthError } from '../error-codes.ts';
import { createChallenge, deleteChallenge, markChallengeVerified, takeChallenge } from '../mfa/challenges.ts';
import {
  deleteExpiredFactors,
  deleteFactor,
  deleteUnverifiedFactors,
  type FactorRow,
  type FactorType,
  factorsOf,
  findOwnedFactor,
  insertFactor,
  markFactorVerified,
} from '../mfa/factors.ts';
import { openSecret, sealSecret } from '../mfa/secret-box.ts';
import { downgradeSessionsOf, sessionAal, upgradeSessionToAal2 } from '../mfa/session-aal.ts';
import { newTotpKey, totpCodeMatches } from '../mfa/totp.ts';
import {
  verifyWebAuthnResponse,
  type WebAuthnAnswer,
  type WebAuthnVerification,
  webAuthnAnswerFrom,
  webAuthnChallengeOptions,
} from '../mfa/webauthn-factor.ts';
import { readJsonBody } from '../request-body.ts';
import {
  type AuthContext,
  type AuthenticatedUser,
  clientIp,
  isUuid,
  requireUser,
} from '../request-context.ts';
import type { Queryable } from '../users.ts';

const FACTOR_TYPE_NAME: Record<FactorType, string> = { totp: 'TOTP', webauthn: 'WebAuthn', phone: 'Phone' };

/**
 * Supabase Auth's MFA API: POST /factors (enroll), /factors/{id}/challenge, /factors/{id}/verify
 * and DELETE /factors/{id}, for TOTP and WebAuthn factors, with `[auth.mfa]`'s switches and
 * limits. Phone factors answer as switched off (`[auth.mfa.phone]` is not served).
 */
export function mfaRoutes(runtime: AuthRuntime): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();
  const mfa = runtime.settings.mfa;

  app.post('/factors', async (c) => {
    const signedIn = await requireSession(c, runtime);
    const body = await readJsonBody(c);
    const type = body.string('factor_type');
    const friendlyName = body.string('friendly_name') ?? '';
    const issuer = body.string('issuer');
    if (type === 'phone') {
      throw new AuthError('mfa_phone_enroll_not_enabled', 'MFA enroll is disabled for Phone');
    }
    if (type !== 'totp' && type !== 'webauthn') {
      throw new AuthError('validation_failed', 'factor_type needs to be totp, phone, or webauthn');
    }
    if (!(type === 'totp' ? mfa.totp : mfa.webAuthn).enroll) {
      throw new AuthError(
        type === 'totp' ? 'mfa_totp_enroll_not_enabled' : 'mfa_webauthn_enroll_not_enabled',
        `MFA enroll is disabled for ${FACTOR_TYPE_NAME[type]}`,
      );
    }
    const { user } = signedIn;
    const enrolled = await inTransaction(runtime, async (client) => {
      await checkRoomForFactor(runtime, client, signedIn, friendlyName);
      const id = crypto.randomUUID();
      const key =
        type === 'totp' ? await newTotpKey(issuer || mfa.defaultTotpIssuer, user.email ?? '') : undefined;
      const factor = await insertFactor(client, {
        id,
        userId: user.id,
        type,
        friendlyName,
        secret: key ? sealSecret(runtime.keys.jwtSecret, id, key.secret) : null,
      });
      await recordAudit(client, user, 'factor_in_progress', clientIp(c, runtime), {
        factor_id: id,
        factor_type: type,
      });
      return { factor, key };
    });
    return c.json({
      id: enrolled.factor.id,
      type,
      friendly_name: friendlyName,
      ...(enrolled.key
        ? { totp: { qr_code: enrolled.key.qrCode, secret: enrolled.key.secret, uri: enrolled.key.uri } }
        : {}),
    });
  });

  app.post('/factors/:id/challenge', async (c) => {
    const signedIn = await requireSession(c, runtime);
    const factor = await loadOwnFactor(runtime.db, signedIn, c.req.param('id'));
    assertVerifyEnabled(runtime, factor);
    const ip = clientIp(c, runtime);
    const challenge = await inTransaction(runtime, async (client) => {
      const webauthn =
        factor.factor_type === 'webauthn'
          ? await webAuthnChallengeOptions(runtime, client, signedIn.user, factor, await readJsonBody(c))
          : undefined;
      const created = await createChallenge(
        client,
        factor.id,
        ip,
        mfa.challengeExpirySeconds,
        webauthn?.sessionData ?? null,
      );
      await recordAudit(client, signedIn.user, 'challenge_created', ip, {
        factor_id: factor.id,
        factor_status: factor.status,
      });
      return { ...created, webauthn };
    });
    return c.json({
      id: challenge.id,
      type: factor.factor_type,
      expires_at: challenge.expiresAt,
      ...(challenge.webauthn ? { webauthn: challenge.webauthn.response } : {}),
    });
  });

  app.post('/factors/:id/verify', async (c) => {
    const signedIn = await requireSession(c, runtime);
    const factor = await loadOwnFactor(runtime.db, signedIn, c.req.param('id'));
    const body = await readJsonBody(c);
    const challengeId = body.string('challenge_id');
    if (challengeId !== undefined && !isUuid(challengeId)) {
      throw new AuthError('bad_json', 'Could not parse request body as JSON: challenge_id must be a UUID');
    }
    const code = body.string('code') ?? '';
    if (code === '' && factor.factor_type !== 'webauthn') {
      throw new AuthError('validation_failed', 'Code needs to be non-empty');
    }
    assertVerifyEnabled(runtime, factor);
    const webAuthnAnswer =
      factor.factor_type === 'webauthn' ? webAuthnAnswerFrom(body.object('webauthn')) : undefined;
    const ip = clientIp(c, runtime);
    const session = await inTransaction(
      runtime,
      async (client) => {
        const challenge = await takeChallenge(client, factor.id, challengeId, ip, mfa.challengeExpirySeconds);
        let verification: WebAuthnVerification | undefined;
        if (factor.factor_type === 'totp') {
          const secret = openSecret(runtime.keys.jwtSecret, factor.id, factor.secret ?? '');
          if (!(await totpCodeMatches(secret, code))) {
            throw new AuthError('mfa_verification_failed', 'Invalid TOTP code entered');
          }
          await markChallengeVerified(client, challenge.id);
        } else {
          verification = await verifyWebAuthnResponse(
            runtime,
            client,
            factor,
            challenge,
            webAuthnAnswer as WebAuthnAnswer,
          );
          // A WebAuthn challenge is used up whether or not it was the first verification.
          await deleteChallenge(client, challenge.id);
        }
        await recordAudit(client, signedIn.user, 'verification_attempted', ip, {
          factor_id: factor.id,
          challenge_id: challenge.id,
          factor_type: factor.factor_type,
        });
        if (factor.status !== 'verified') await markFactorVerified(client, factor.id);
        if (verification) await verification.save();
        const response = await upgradeSessionToAal2(
          runtime,
          client,
          signedIn.user.id,
          signedIn.sessionId,
          factor,
        );
        await deleteUnverifiedFactors(client, signedIn.user.id, factor.factor_type);
        return response;
      },
      // An expired challenge is deleted before the refusal, as GoTrue does.
      (error) => isAuthError(error) && error.code === 'mfa_challenge_expired',
    );
    return c.json(session);
  });

  app.delete('/factors/:id', async (c) => {
    const signedIn = await requireSession(c, runtime);
    const factor = await loadOwnFactor(runtime.db, signedIn, c.req.param('id'));
    if (factor.status === 'verified' && (await sessionAal(runtime.db, signedIn.sessionId)) !== 'aal2') {
      throw new AuthError('insufficient_aal', 'AAL2 required to unenroll verified factor', { status: 422 });
    }
    await inTransaction(runtime, async (client) => {
      await downgradeSessionsOf(client, factor);
      await deleteFactor(client, factor.id);
      await recordAudit(client, signedIn.user, 'factor_unenrolled', clientIp(c, runtime), {
        factor_id: factor.id,
        factor_status: factor.status,
        session_id: signedIn.sessionId,
      });
    });
    return c.json({ id: factor.id });
  });

  return app;
}

type SignedIn = AuthenticatedUser & { sessionId: string };

/** Every MFA route needs a session: the factor's verification raises that session to aal2. */
async function requireSession(c: AuthContext, runtime: AuthRuntime): Promise<SignedIn> {
  const signedIn = await requireUser(c, runtime);
  if (!signedIn.sessionId) {
    throw new AuthError(
      'unexpected_failure',
      'A valid session and a registered user are required to enroll a factor',
    );
  }
  return signedIn as SignedIn;
}

/** GoTrue's loadFactor: a non-UUID id and another user's factor are both 404s. */
async function loadOwnFactor(db: Queryable, signedIn: SignedIn, factorId: string): Promise<FactorRow> {
  if (!isUuid(factorId)) {
    throw new AuthError('validation_failed', 'factor_id must be an UUID', { status: 404 });
  }
  const factor = await findOwnedFactor(db, signedIn.user.id, factorId);
  if (!factor) throw new AuthError('mfa_factor_not_found', 'Factor not found');
  return factor;
}

function assertVerifyEnabled(runtime: AuthRuntime, factor: FactorRow) {
  const mfa = runtime.settings.mfa;
  if (factor.factor_type === 'totp' && !mfa.totp.verify) {
    throw new AuthError('mfa_totp_verify_not_enabled', 'MFA verification is disabled for TOTP');
  }
  if (factor.factor_type === 'webauthn' && !mfa.webAuthn.verify) {
    throw new AuthError('mfa_webauthn_verify_not_enabled', 'MFA verification is disabled for WebAuthn');
  }
  if (factor.factor_type === 'phone') {
    throw new AuthError('mfa_phone_verify_not_enabled', 'MFA verification is disabled for Phone');
  }
}

/** GoTrue's validateFactors, in its order: name, enrolled count, verified count, then aal2. */
async function checkRoomForFactor(
  runtime: AuthRuntime,
  db: Queryable,
  signedIn: SignedIn,
  friendlyName: string,
) {
  const mfa = runtime.settings.mfa;
  await deleteExpiredFactors(db, signedIn.user.id, mfa.unverifiedFactorExpirySeconds);
  const factors = await factorsOf(db, signedIn.user.id);
  if (factors.some((factor) => (factor.friendly_name ?? '') === friendlyName)) {
    throw new AuthError(
      'mfa_factor_name_conflict',
      `A factor with the friendly name ${JSON.stringify(friendlyName)} for this user already exists`,
    );
  }
  const verified = factors.filter((factor) => factor.status === 'verified').length;
  if (factors.length >= mfa.maxEnrolledFactors || verified >= mfa.maxVerifiedFactors) {
    throw new AuthError(
      'too_many_enrolled_mfa_factors',
      'Maximum number of verified factors reached, unenroll to continue',
    );
  }
  if (verified > 0 && (await sessionAal(db, signedIn.sessionId)) !== 'aal2') {
    throw new AuthError('insufficient_aal', 'AAL2 required to enroll a new factor');
  }
}
