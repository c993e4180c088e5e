import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { userForAdmin } from '../admin-users.ts';
import { recordAudit } from '../audit-log.ts';
import { type AuthRuntime, inTransaction } from '../auth-runtime.ts';
import { AuthError } from '../error-codes.ts';
import { factorsOf } from '../mfa/factors.ts';
import { sessionAal } from '../mfa/session-aal.ts';
import {
  claimedUserId,
  passkeyAuthenticationOptions,
  passkeyRegistrationOptions,
  verifyPasskeyAssertion,
  verifyPasskeyRegistration,
} from '../passkeys/passkey-ceremonies.ts';
import {
  consumePasskeyChallenge,
  countPasskeys,
  createPasskeyChallenge,
  deletePasskey,
  findOwnedPasskey,
  insertPasskey,
  type PasskeyRow,
  passkeyJson,
  passkeysOf,
  recordPasskeyUse,
  renamePasskey,
} from '../passkeys/passkey-store.ts';
import { type JsonBody, type JsonObject, readJsonBody } from '../request-body.ts';
import {
  type AuthContext,
  type AuthenticatedUser,
  clientInfo,
  clientIp,
  isUuid,
  requireAdmin,
  requireUser,
} from '../request-context.ts';
import { startSession } from '../sessions.ts';
import { findUserById, isBanned, isEmailConfirmed, type Queryable } from '../users.ts';

const MAX_FRIENDLY_NAME_LENGTH = 120;

/**
 * Supabase Auth's passkeys (GoTrue internal/api/passkey_*.go, supabase-js `auth.passkey` /
 * `registerPasskey` / `signInWithPasskey`): registration and discoverable sign-in ceremonies
 * with the relying party of `[auth.webauthn]`, list / rename / delete, and the admin list and
 * delete. `[auth.passkey] enabled = false` answers every /passkeys route 404 passkey_disabled;
 * the admin routes stay served, as in GoTrue, so an operator can still revoke passkeys.
 */
export function passkeyRoutes(runtime: AuthRuntime): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();
  const settings = runtime.settings.passkeys;
  const rp = runtime.settings.mfa.relyingParty;

  app.use('/passkeys', requireEnabled);
  app.use('/passkeys/*', requireEnabled);
  async function requireEnabled(_c: AuthContext, next: () => Promise<void>) {
    if (!settings.enabled) throw new AuthError('passkey_disabled', 'Passkeys are disabled');
    await next();
  }

  app.post('/passkeys/authentication/options', async (c) => {
    const options = await passkeyAuthenticationOptions(rp);
    const challenge = await createPasskeyChallenge(
      runtime.db,
      null,
      'authentication',
      { challenge: options.challenge },
      settings.challengeExpirySeconds,
    );
    return c.json({ challenge_id: challenge.id, options, expires_at: challenge.expiresAt });
  });

  app.post('/passkeys/authentication/verify', async (c) => {
    const answer = ceremonyAnswer(await readJsonBody(c));
    // Consumed before the credential is checked: a refused answer uses the challenge up too.
    const challenge = await consumePasskeyChallenge(runtime.db, answer.challengeId, 'authentication', null);
    const credential = parsedCredential(answer.credential);
    const verified = await inTransaction(runtime, async (client) => {
      const user = await findUserById(client, claimedUserId(credential));
      const passkeys = user ? await passkeysOf(client, user.id) : [];
      if (!user || passkeys.length === 0) {
        throw new AuthError('webauthn_verification_failed', 'Credential verification failed');
      }
      const { passkey, newCounter } = await verifyPasskeyAssertion(
        rp,
        challenge.session_data.challenge,
        credential,
        passkeys,
      );
      return { user, passkey, newCounter };
    });
    const { user, passkey, newCounter } = verified;
    if (user.email && !isEmailConfirmed(user)) {
      throw new AuthError('email_not_confirmed', 'Email not confirmed', { status: 403 });
    }
    if (user.phone && !user.phone_confirmed_at) {
      throw new AuthError('phone_not_confirmed', 'Phone not confirmed', { status: 403 });
    }
    if (isBanned(user)) throw new AuthError('user_banned', 'User is banned');
    const info = clientInfo(c, runtime);
    const session = await inTransaction(runtime, async (client) => {
      await recordPasskeyUse(client, passkey.id, newCounter);
      await recordAudit(client, user, 'login', info.ip, { passkey_id: passkey.id });
      return startSession(runtime, client, user, 'passkey', info);
    });
    return c.json(session);
  });

  app.post('/passkeys/registration/options', async (c) => {
    const signedIn = await requireRegisteredUser(c, runtime);
    await requireManagementAal(runtime.db, signedIn);
    if ((await countPasskeys(runtime.db, signedIn.user.id)) >= settings.maxPerUser) {
      throw new AuthError('too_many_passkeys', 'Maximum number of passkeys reached');
    }
    const options = await passkeyRegistrationOptions(
      rp,
      signedIn.user,
      await passkeysOf(runtime.db, signedIn.user.id),
    );
    const challenge = await createPasskeyChallenge(
      runtime.db,
      signedIn.user.id,
      'registration',
      { challenge: options.challenge },
      settings.challengeExpirySeconds,
    );
    return c.json({ challenge_id: challenge.id, options, expires_at: challenge.expiresAt });
  });

  app.post('/passkeys/registration/verify', async (c) => {
    const signedIn = await requireRegisteredUser(c, runtime);
    await requireManagementAal(runtime.db, signedIn);
    const answer = ceremonyAnswer(await readJsonBody(c));
    const { user } = signedIn;
    const challenge = await consumePasskeyChallenge(runtime.db, answer.challengeId, 'registration', user.id);
    const passkey = await verifyPasskeyRegistration(
      rp,
      user.id,
      challenge.session_data.challenge,
      parsedCredential(answer.credential),
    );
    const created = await inTransaction(runtime, async (client) => {
      // Counted again here: two ceremonies may have started under the limit.
      if ((await countPasskeys(client, user.id)) >= settings.maxPerUser) {
        throw new AuthError('too_many_passkeys', 'Maximum number of passkeys reached');
      }
      const row = await insertPasskey(client, passkey);
      await recordAudit(client, user, 'passkey_created', clientIp(c, runtime), { passkey_id: row.id });
      return row;
    });
    return c.json({ id: created.id, friendly_name: created.friendly_name, created_at: created.created_at });
  });

  app.get('/passkeys', async (c) => {
    const { user } = await requireUser(c, runtime);
    return c.json((await passkeysOf(runtime.db, user.id)).map(passkeyJson));
  });

  app.patch('/passkeys/:id', async (c) => {
    const { user } = await requireUser(c, runtime);
    const passkeyId = c.req.param('id');
    if (!isUuid(passkeyId)) throw passkeyNotFound();
    const friendlyName = (await readJsonBody(c)).string('friendly_name') ?? '';
    if (friendlyName === '') throw new AuthError('validation_failed', 'friendly_name is required');
    if ([...friendlyName].length > MAX_FRIENDLY_NAME_LENGTH) {
      throw new AuthError(
        'validation_failed',
        `friendly_name must be ${MAX_FRIENDLY_NAME_LENGTH} characters or less`,
      );
    }
    const passkey = await ownPasskey(runtime.db, user.id, passkeyId);
    const renamed = await inTransaction(runtime, async (client) => {
      const row = await renamePasskey(client, passkey.id, friendlyName);
      await recordAudit(client, user, 'passkey_updated', clientIp(c, runtime), { passkey_id: row.id });
      return row;
    });
    return c.json(passkeyJson(renamed));
  });

  app.delete('/passkeys/:id', async (c) => {
    const signedIn = await requireUser(c, runtime);
    await requireManagementAal(runtime.db, signedIn);
    const passkeyId = c.req.param('id');
    if (!isUuid(passkeyId)) throw passkeyNotFound();
    const passkey = await ownPasskey(runtime.db, signedIn.user.id, passkeyId);
    await inTransaction(runtime, async (client) => {
      await deletePasskey(client, passkey.id);
      await recordAudit(client, signedIn.user, 'passkey_deleted', clientIp(c, runtime), {
        passkey_id: passkey.id,
      });
    });
    return c.body(null, 204);
  });

  app.get('/admin/users/:id/passkeys', async (c) => {
    requireAdmin(c);
    const user = await userForAdmin(runtime.db, c.req.param('id'));
    return c.json((await passkeysOf(runtime.db, user.id)).map(passkeyJson));
  });

  app.delete('/admin/users/:id/passkeys/:passkeyId', async (c) => {
    requireAdmin(c);
    const user = await userForAdmin(runtime.db, c.req.param('id'));
    const passkeyId = c.req.param('passkeyId');
    if (!isUuid(passkeyId)) throw passkeyNotFound();
    const passkey = await ownPasskey(runtime.db, user.id, passkeyId);
    await inTransaction(runtime, async (client) => {
      await deletePasskey(client, passkey.id);
      await recordAudit(client, user, 'passkey_deleted', clientIp(c, runtime), {
        user_id: user.id,
        passkey_id: passkey.id,
      });
    });
    return c.body(null, 204);
  });

  return app;
}

/** GoTrue answers a passkey that is not the caller's, or no passkey at all, the same way. */
const passkeyNotFound = () => new AuthError('validation_failed', 'Passkey not found', { status: 404 });

async function ownPasskey(db: Queryable, userId: string, passkeyId: string): Promise<PasskeyRow> {
  const passkey = await findOwnedPasskey(db, userId, passkeyId);
  if (!passkey) throw passkeyNotFound();
  return passkey;
}

/**
 * `challenge_id` and `credential` of a verify request, checked in GoTrue's order; the
 * credential's shape is checked only once the challenge is consumed (parsedCredential).
 */
function ceremonyAnswer(body: JsonBody): { challengeId: string; credential: unknown } {
  const challengeId = body.string('challenge_id') ?? '';
  if (challengeId === '') throw new AuthError('validation_failed', 'challenge_id is required');
  const credential = body.raw.credential;
  if (credential === undefined || credential === null) {
    throw new AuthError('validation_failed', 'credential is required');
  }
  if (!isUuid(challengeId)) throw new AuthError('validation_failed', 'challenge_id must be a valid UUID');
  return { challengeId, credential };
}

/** GoTrue parses the credential after consuming the challenge, so a malformed one uses it up. */
function parsedCredential(credential: unknown): JsonObject {
  if (typeof credential !== 'object' || credential === null || Array.isArray(credential)) {
    throw new AuthError('webauthn_verification_failed', 'Invalid credential response');
  }
  return credential as JsonObject;
}

/** Registration needs a signed-in user who is neither anonymous (requireNotAnonymous) nor an SSO user. */
async function requireRegisteredUser(c: AuthContext, runtime: AuthRuntime): Promise<AuthenticatedUser> {
  const signedIn = await requireUser(c, runtime);
  if (signedIn.user.is_anonymous || signedIn.claims.is_anonymous === true) {
    throw new AuthError('no_authorization', 'Anonymous user not allowed to perform these actions', {
      status: 403,
    });
  }
  if (signedIn.user.is_sso_user) {
    throw new AuthError('validation_failed', 'SSO users cannot register passkeys', { status: 422 });
  }
  return signedIn;
}

/**
 * GoTrue's requirePasskeyManagementAAL: a user with a verified MFA factor adds or removes
 * passkeys only from an aal2 session (a passkey sign-in must not undo the second factor).
 */
async function requireManagementAal(db: Queryable, signedIn: AuthenticatedUser) {
  const factors = await factorsOf(db, signedIn.user.id);
  if (!factors.some((factor) => factor.status === 'verified')) return;
  const aal = signedIn.sessionId ? await sessionAal(db, signedIn.sessionId) : 'aal1';
  if (aal !== 'aal2') {
    throw new AuthError(
      'insufficient_aal',
      'AAL2 session is required to manage passkeys when MFA is enabled',
    );
  }
}
