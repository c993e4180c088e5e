import type pg from 'pg';
import { AuthError } from './error-codes.ts';
import {
  findUserById,
  insertEmailIdentity,
  insertUser,
  mergeMetadata,
  type UserRow,
  updateEmailIdentity,
  updateUser,
} from './users.ts';

/** A Postgres failure in user creation (a project trigger raising, a constraint) as GoTrue reports it. */
export function databaseError(message: string, error: unknown): AuthError {
  const code = (error as { code?: string }).code;
  if (code === '23505') {
    return new AuthError('email_exists', 'A user with this email address has already been registered', {
      cause: error,
    });
  }
  return new AuthError('unexpected_failure', message, { cause: error });
}

/**
 * Creates an email user as GoTrue's signup does: INSERT auth.users (project triggers see
 * the caller's metadata), the `email` identity, then the identity claims folded into
 * user_metadata and, when autoconfirmed, the confirmation as a separate UPDATE.
 */
export async function createEmailUser(
  client: pg.PoolClient,
  options: {
    email: string;
    encryptedPassword: string | null;
    userMetadata: Record<string, unknown>;
    appMetadata?: Record<string, unknown>;
    confirmed: boolean;
    invited?: boolean;
    role?: string;
    id?: string;
    bannedUntil?: Date | null;
    foldIdentityIntoMetadata?: boolean;
  },
): Promise<UserRow> {
  await client.query('savepoint create_user');
  try {
    const inserted = await insertUser(client, {
      ...(options.id ? { id: options.id } : {}),
      email: options.email,
      encryptedPassword: options.encryptedPassword,
      appMetadata: { provider: 'email', providers: ['email'], ...(options.appMetadata ?? {}) },
      userMetadata: options.userMetadata,
      invitedAt: options.invited ? new Date() : null,
      ...(options.role ? { role: options.role } : {}),
      ...(options.bannedUntil ? { bannedUntil: options.bannedUntil } : {}),
    });
    const identity = await insertEmailIdentity(client, inserted, options.confirmed, options.userMetadata);
    const patch: Record<string, unknown> = {};
    if (options.foldIdentityIntoMetadata !== false) {
      patch.raw_user_meta_data = mergeMetadata(inserted.raw_user_meta_data, identity);
    }
    if (options.confirmed) patch.email_confirmed_at = new Date();
    const user = Object.keys(patch).length > 0 ? await updateUser(client, inserted.id, patch) : inserted;
    await client.query('release savepoint create_user');
    return user;
  } catch (error) {
    await client.query('rollback to savepoint create_user');
    if (error instanceof AuthError) throw error;
    throw databaseError('Database error saving new user', error);
  }
}

/** A user signed up by phone number (admin-created only: SMS is not served), with its `phone` identity. */
export async function createPhoneUser(
  client: pg.PoolClient,
  options: {
    phone: string;
    encryptedPassword: string | null;
    userMetadata: Record<string, unknown>;
    appMetadata: Record<string, unknown>;
    confirmed: boolean;
    role?: string | undefined;
    id?: string | undefined;
    bannedUntil: Date | null;
    /** Sign-up's `data` keys that don't collide with the identity's own claims, as GoTrue's signup adds them. */
    identityExtra?: Record<string, unknown>;
  },
): Promise<UserRow> {
  try {
    const { rows } = await client.query<UserRow>(
      `insert into auth.users (instance_id, id, aud, role, phone, encrypted_password, raw_app_meta_data, raw_user_meta_data,
                               phone_confirmed_at, banned_until, created_at, updated_at, is_super_admin, is_anonymous,
                               confirmation_token, recovery_token, email_change_token_new, email_change)
       values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', $2, $3, $4, $5, $6, $7, $8, now(), now(),
               false, false, '', '', '', '')
       returning *`,
      [
        options.id ?? crypto.randomUUID(),
        options.role ?? 'authenticated',
        options.phone,
        options.encryptedPassword ?? '',
        JSON.stringify({ provider: 'phone', providers: ['phone'], ...options.appMetadata }),
        JSON.stringify(options.userMetadata),
        options.confirmed ? new Date() : null,
        options.bannedUntil,
      ],
    );
    const user = rows[0] as UserRow;
    await client.query(
      `insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
       values (gen_random_uuid(), $1, $2, $3, 'phone', now(), now(), now())`,
      [
        user.id,
        user.id,
        JSON.stringify({
          ...(options.identityExtra ?? {}),
          sub: user.id,
          phone: options.phone,
          email_verified: false,
          phone_verified: false,
        }),
      ],
    );
    return user;
  } catch (error) {
    throw databaseError('Database error creating new user', error);
  }
}

/** Marks the email confirmed (user, identity and user_metadata), as verifying a link does. */
export async function confirmEmail(client: pg.PoolClient, user: UserRow): Promise<UserRow> {
  if (user.email_confirmed_at) return user;
  await updateEmailIdentity(client, user.id, { email_verified: true });
  const metadata = user.raw_user_meta_data ?? {};
  const patch: Record<string, unknown> = { email_confirmed_at: new Date() };
  if ('email_verified' in metadata) patch.raw_user_meta_data = { ...metadata, email_verified: true };
  await updateUser(client, user.id, patch);
  return (await findUserById(client, user.id)) as UserRow;
}
