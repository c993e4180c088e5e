import type pg from 'pg';
import { recordAudit } from '../audit-log.ts';
import type { AuthRuntime } from '../auth-runtime.ts';
import { AuthError } from '../error-codes.ts';
import { addProvider, insertIdentity } from '../identities.ts';
import { databaseError } from '../user-creation.ts';
import {
  findUserByEmail,
  findUserById,
  type IdentityRow,
  insertUser,
  isBanned,
  mergeMetadata,
  type UserRow,
  updateUser,
} from '../users.ts';

/** What an external provider says about the person signing in (an ID token's claims). */
export interface ExternalClaims {
  iss: string;
  sub: string;
  email?: string | undefined;
  email_verified?: boolean | undefined;
  name?: string | undefined;
  preferred_username?: string | undefined;
  picture?: string | undefined;
}

/** identity_data (and user_metadata) as GoTrue fills them from a provider's claims. */
export function identityDataOf(claims: ExternalClaims): Record<string, unknown> {
  const data: Record<string, unknown> = {
    iss: claims.iss,
    sub: claims.sub,
    provider_id: claims.sub,
    email: claims.email,
    email_verified: claims.email_verified === true,
    phone_verified: false,
    name: claims.name,
    full_name: claims.name,
    preferred_username: claims.preferred_username,
    user_name: claims.preferred_username,
    picture: claims.picture,
    avatar_url: claims.picture,
  };
  return Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined));
}

async function findIdentity(
  client: pg.PoolClient,
  provider: string,
  sub: string,
): Promise<IdentityRow | undefined> {
  const { rows } = await client.query<IdentityRow>(
    'select * from auth.identities where provider = $1 and provider_id = $2',
    [provider, sub],
  );
  return rows[0];
}

export interface ExternalSignIn {
  user: UserRow;
  /** A new user was made for this identity. */
  created: boolean;
}

/**
 * The user an external identity signs in, as GoTrue's createAccountFromExternalIdentity
 * decides: the identity's own user; when linking, the signed-in user (refused if the identity
 * belongs to someone else); else the user with the same verified address (linked); else a new
 * user. The identity's claims are kept in identity_data and merged into user_metadata.
 */
export async function signInExternalIdentity(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  options: {
    provider: string;
    claims: ExternalClaims;
    linkingTargetId?: string | undefined;
    ip: string | undefined;
  },
): Promise<ExternalSignIn> {
  const { provider, claims } = options;
  const data = identityDataOf(claims);
  const identity = await findIdentity(client, provider, claims.sub);
  const emailVerified = claims.email_verified === true && !!claims.email;

  let user: UserRow | undefined;
  let created = false;
  if (options.linkingTargetId) {
    if (identity) {
      throw new AuthError(
        'identity_already_exists',
        identity.user_id === options.linkingTargetId
          ? 'Identity is already linked'
          : 'Identity is already linked to another user',
      );
    }
    user = await findUserById(client, options.linkingTargetId);
    if (!user) throw new AuthError('user_not_found', 'Linking target user not found', { status: 422 });
    await insertIdentity(client, { providerId: claims.sub, userId: user.id, provider, data });
    // A user without an address (anonymous, phone) takes the identity's, confirmed by the provider.
    if (!user.email && claims.email && emailVerified) {
      user = await updateUser(client, user.id, { email: claims.email, email_confirmed_at: new Date() });
    }
    user = await addProvider(client, user, provider);
    await recordAudit(client, user, 'identity_linked', options.ip, { provider });
  } else if (identity) {
    user = await findUserById(client, identity.user_id);
    if (!user) throw new AuthError('user_not_found', 'User not found');
  } else {
    const sameAddress = emailVerified ? await findUserByEmail(client, claims.email ?? '') : undefined;
    if (sameAddress) {
      // Linked by address: the provider vouches for it. An address nobody had confirmed loses
      // the password set with it, so whoever typed it in cannot keep a way into the account.
      user = sameAddress;
      await insertIdentity(client, { providerId: claims.sub, userId: user.id, provider, data });
      if (!user.email_confirmed_at) {
        user = await updateUser(client, user.id, { email_confirmed_at: new Date(), encrypted_password: '' });
      }
      user = await addProvider(client, user, provider);
    } else {
      if (!runtime.settings.signupEnabled) {
        throw new AuthError('signup_disabled', 'Signups not allowed for this instance');
      }
      await client.query('savepoint create_external_user');
      try {
        user = await insertUser(client, {
          email: claims.email ?? null,
          encryptedPassword: null,
          appMetadata: { provider, providers: [provider] },
          userMetadata: data,
          emailConfirmedAt: emailVerified || runtime.settings.emailAutoconfirm ? new Date() : null,
        });
        await insertIdentity(client, { providerId: claims.sub, userId: user.id, provider, data });
        await client.query('release savepoint create_external_user');
      } catch (error) {
        await client.query('rollback to savepoint create_external_user');
        throw databaseError('Database error saving new user', error);
      }
      created = true;
      await recordAudit(client, user, 'user_signedup', options.ip, { provider });
    }
  }
  if (isBanned(user)) throw new AuthError('user_banned', 'User is banned');
  // Each sign-in refreshes what the provider said, in the identity and in user_metadata.
  await client.query(
    `update auth.identities set identity_data = $3, last_sign_in_at = now(), updated_at = now()
      where provider = $1 and provider_id = $2`,
    [provider, claims.sub, JSON.stringify(data)],
  );
  if (!created && !options.linkingTargetId) {
    user = await updateUser(client, user.id, {
      raw_user_meta_data: mergeMetadata(user.raw_user_meta_data, data),
    });
    await recordAudit(client, user, 'login', options.ip, { provider });
  }
  return { user, created };
}
