import type pg from 'pg';
import { addProvider, insertIdentity } from '../identities.ts';
import { clearOneTimeToken } from '../one-time-tokens.ts';
import { findUserById, INSTANCE_ID, type Queryable, type UserRow, updateUser } from '../users.ts';

/** As GoTrue's FindUserByPhoneAndAudience: SSO users are not matched. */
export async function findUserByPhone(db: Queryable, phone: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `select * from auth.users
      where instance_id = $1 and phone = $2 and aud = 'authenticated' and is_sso_user = false
      order by created_at limit 1`,
    [INSTANCE_ID, phone],
  );
  return rows[0];
}

/** The user waiting to move to `phone` (what phone_change codes are checked against). */
export async function findUserByPhoneChange(db: Queryable, phone: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `select * from auth.users where instance_id = $1 and phone_change = $2 and aud = 'authenticated' limit 1`,
    [INSTANCE_ID, phone],
  );
  return rows[0];
}

async function setPhoneIdentity(client: pg.PoolClient, user: UserRow, phone: string): Promise<void> {
  const data = { phone, phone_verified: true };
  const { rowCount } = await client.query(
    `update auth.identities set identity_data = identity_data || $2::jsonb, updated_at = now()
      where user_id = $1 and provider = 'phone'`,
    [user.id, JSON.stringify(data)],
  );
  if (rowCount) return;
  // A user who had no phone identity (signed up by email, OAuth or anonymously) gets one, as GoTrue's verify does.
  await insertIdentity(client, {
    providerId: user.id,
    userId: user.id,
    provider: 'phone',
    data: { sub: user.id, ...data, email_verified: false },
  });
  await addProvider(client, user, 'phone');
}

/** Marks the phone confirmed (user, identity and user_metadata), as verifying an `sms` code does. */
export async function confirmPhone(client: pg.PoolClient, user: UserRow): Promise<UserRow> {
  await clearOneTimeToken(client, user.id, 'confirmation_token');
  const patch: Record<string, unknown> = {};
  if (!user.phone_confirmed_at) patch.phone_confirmed_at = new Date();
  const metadata = user.raw_user_meta_data ?? {};
  if ('phone_verified' in metadata) patch.raw_user_meta_data = { ...metadata, phone_verified: true };
  if (user.is_anonymous) patch.is_anonymous = false;
  if (Object.keys(patch).length > 0) await updateUser(client, user.id, patch);
  await client.query(
    `update auth.identities set identity_data = identity_data || '{"phone_verified": true}'::jsonb, updated_at = now()
      where user_id = $1 and provider = 'phone'`,
    [user.id],
  );
  return (await findUserById(client, user.id)) as UserRow;
}

/** Moves `phone_change` into `phone`, confirmed, for a verified change or an autoconfirmed one. */
export async function applyPhoneChange(client: pg.PoolClient, user: UserRow): Promise<UserRow> {
  const phone = user.phone_change ?? '';
  await clearOneTimeToken(client, user.id, 'phone_change_token');
  const updated = await updateUser(client, user.id, {
    phone,
    phone_change: '',
    phone_change_token: '',
    phone_confirmed_at: new Date(),
    ...(user.is_anonymous ? { is_anonymous: false } : {}),
  });
  await setPhoneIdentity(client, updated, phone);
  return (await findUserById(client, user.id)) as UserRow;
}
