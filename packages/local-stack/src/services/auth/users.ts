import type pg from 'pg';

/** GoTrue writes the nil UUID as every row's instance_id. */
export const INSTANCE_ID = '00000000-0000-0000-0000-000000000000';

export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** A row of auth.users, columns as hosted. */
export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  invited_at: Date | null;
  confirmation_token: string | null;
  confirmation_sent_at: Date | null;
  recovery_token: string | null;
  recovery_sent_at: Date | null;
  email_change_token_new: string | null;
  email_change: string | null;
  email_change_sent_at: Date | null;
  email_change_token_current: string | null;
  email_change_confirm_status: number | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: Date | null;
  updated_at: Date | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  phone_change: string | null;
  phone_change_sent_at: Date | null;
  phone_change_token: string | null;
  confirmed_at: Date | null;
  banned_until: Date | null;
  reauthentication_token: string | null;
  reauthentication_sent_at: Date | null;
  is_sso_user: boolean;
  deleted_at: Date | null;
  is_anonymous: boolean;
}

export interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Record<string, unknown>;
  provider: string;
  last_sign_in_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
  email: string | null;
}

export async function findUserById(db: Queryable, id: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>('select * from auth.users where id = $1', [id]);
  return rows[0];
}

/** As GoTrue: case-insensitive, and SSO users (who may share an address) are not matched. */
export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `select * from auth.users
      where instance_id = $1 and lower(email) = lower($2) and is_sso_user = false
      order by created_at limit 1`,
    [INSTANCE_ID, email],
  );
  return rows[0];
}

export async function phoneTaken(db: Queryable, phone: string): Promise<boolean> {
  const { rowCount } = await db.query('select 1 from auth.users where phone = $1', [phone]);
  return (rowCount ?? 0) > 0;
}

/** A page of users, newest first, optionally those whose email or full name contains `filter`. */
export async function listUsers(
  db: Queryable,
  page: { limit: number; offset: number; filter: string | undefined },
): Promise<{ users: UserRow[]; total: number }> {
  const pattern = page.filter ? [`%${page.filter}%`] : [];
  const matching = (param: string) =>
    page.filter ? `where email ilike ${param} or raw_user_meta_data->>'full_name' ilike ${param}` : '';
  const { rows } = await db.query<UserRow>(
    `select * from auth.users ${matching('$3')} order by created_at desc limit $1 offset $2`,
    [page.limit, page.offset, ...pattern],
  );
  const { rows: counted } = await db.query<{ total: string }>(
    `select count(*) as total from auth.users ${matching('$1')}`,
    pattern,
  );
  return { users: rows, total: Number(counted[0]?.total ?? 0) };
}

/**
 * GoTrue's soft delete: the row stays (foreign keys to it keep working) but the address is
 * freed and every way to sign in is gone.
 */
export async function softDeleteUser(db: Queryable, id: string): Promise<void> {
  await db.query('delete from auth.identities where user_id = $1', [id]);
  // GoTrue hard-deletes the user's MFA factors and passkeys too.
  await db.query('delete from auth.mfa_factors where user_id = $1', [id]);
  await db.query('delete from auth.webauthn_credentials where user_id = $1', [id]);
  await db.query('delete from auth.sessions where user_id = $1', [id]);
  await updateUser(db, id, {
    deleted_at: new Date(),
    email: null,
    phone: null,
    encrypted_password: '',
    raw_user_meta_data: {},
    raw_app_meta_data: {},
  });
}

export async function deleteUser(db: Queryable, id: string): Promise<void> {
  await db.query('delete from auth.users where id = $1', [id]);
}

/** The user whose address, or pending new address, is `email` (what /resend of an email change looks for). */
export async function findUserByEmailOrPendingChange(
  db: Queryable,
  email: string,
): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `select * from auth.users where lower(email_change) = lower($1) or lower(email) = lower($1) limit 1`,
    [email],
  );
  return rows[0];
}

const TOKEN_COLUMNS = [
  'confirmation_token',
  'recovery_token',
  'email_change_token_new',
  'email_change_token_current',
  'reauthentication_token',
  'phone_change_token',
] as const;
export type TokenColumn = (typeof TOKEN_COLUMNS)[number];

export async function findUserByToken(
  db: Queryable,
  column: TokenColumn,
  value: string,
): Promise<UserRow | undefined> {
  if (!TOKEN_COLUMNS.includes(column) || value === '') return undefined;
  const { rows } = await db.query<UserRow>(`select * from auth.users where ${column} = $1 limit 1`, [value]);
  return rows[0];
}

export interface NewUser {
  id?: string;
  email: string | null;
  phone?: string | null;
  encryptedPassword: string | null;
  role?: string;
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
  emailConfirmedAt?: Date | null;
  invitedAt?: Date | null;
  isAnonymous?: boolean;
  bannedUntil?: Date | null;
}

/** One INSERT into auth.users, so the project's triggers on it fire exactly as on hosted. */
export async function insertUser(db: Queryable, user: NewUser): Promise<UserRow> {
  const { rows } = await db.query<UserRow>(
    `insert into auth.users (
       instance_id, id, aud, role, email, phone, encrypted_password, email_confirmed_at, invited_at,
       raw_app_meta_data, raw_user_meta_data, is_super_admin, created_at, updated_at, is_anonymous,
       banned_until, confirmation_token, recovery_token, email_change_token_new, email_change,
       email_change_token_current, reauthentication_token, phone_change, phone_change_token
     ) values ($1, $2, 'authenticated', $3, $4, $5, $6, $7, $8, $9, $10, false, now(), now(), $11, $12,
               '', '', '', '', '', '', '', '')
     returning *`,
    [
      INSTANCE_ID,
      user.id ?? crypto.randomUUID(),
      user.role ?? 'authenticated',
      user.email,
      user.phone ?? null,
      user.encryptedPassword ?? '',
      user.emailConfirmedAt ?? null,
      user.invitedAt ?? null,
      JSON.stringify(user.appMetadata),
      JSON.stringify(user.userMetadata),
      user.isAnonymous ?? false,
      user.bannedUntil ?? null,
    ],
  );
  return rows[0] as UserRow;
}

const UPDATABLE = new Set([
  'email',
  'phone',
  'role',
  'encrypted_password',
  'email_confirmed_at',
  'invited_at',
  'confirmation_token',
  'confirmation_sent_at',
  'recovery_token',
  'recovery_sent_at',
  'email_change_token_new',
  'email_change',
  'email_change_sent_at',
  'email_change_token_current',
  'email_change_confirm_status',
  'last_sign_in_at',
  'raw_app_meta_data',
  'raw_user_meta_data',
  'banned_until',
  'reauthentication_token',
  'reauthentication_sent_at',
  'is_anonymous',
  'deleted_at',
  'phone_confirmed_at',
  'phone_change',
  'phone_change_token',
  'phone_change_sent_at',
]);

export type UserPatch = Partial<Record<string, unknown>>;

/** Updates the named columns (and updated_at) and returns the new row. */
export async function updateUser(db: Queryable, id: string, patch: UserPatch): Promise<UserRow> {
  const entries = Object.entries(patch).filter(([column]) => UPDATABLE.has(column));
  const sets = entries.map(([column], index) => `${column} = $${index + 2}`);
  const values = entries.map(([column, value]) =>
    column.startsWith('raw_') && value !== null ? JSON.stringify(value) : value,
  );
  const { rows } = await db.query<UserRow>(
    `update auth.users set ${[...sets, 'updated_at = now()'].join(', ')} where id = $1 returning *`,
    [id, ...values],
  );
  return rows[0] as UserRow;
}

/** Merges keys into raw_user_meta_data; a null value removes the key, as GoTrue does. */
export function mergeMetadata(
  current: Record<string, unknown> | null,
  update: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(update)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/**
 * The `email` identity GoTrue makes at sign-up: its claims, plus the caller's metadata keys
 * that don't collide with them.
 */
export async function insertEmailIdentity(
  db: Queryable,
  user: UserRow,
  emailVerified: boolean,
  extra: Record<string, unknown> = {},
) {
  const identityData: Record<string, unknown> = {
    ...extra,
    sub: user.id,
    email: user.email,
    email_verified: emailVerified,
    phone_verified: false,
  };
  await db.query(
    `insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
     values (gen_random_uuid(), $1, $2, $3, 'email', now(), now(), now())`,
    [user.id, user.id, JSON.stringify(identityData)],
  );
  return identityData;
}

export async function identitiesOf(db: Queryable, userId: string): Promise<IdentityRow[]> {
  const { rows } = await db.query<IdentityRow>(
    'select * from auth.identities where user_id = $1 order by created_at',
    [userId],
  );
  return rows;
}

/** Sets keys of the email identity's identity_data (email, email_verified). */
export async function updateEmailIdentity(db: Queryable, userId: string, data: Record<string, unknown>) {
  await db.query(
    `update auth.identities set identity_data = identity_data || $2::jsonb, updated_at = now()
      where user_id = $1 and provider = 'email'`,
    [userId, JSON.stringify(data)],
  );
}

/** Stamps last_sign_in_at on the user and the email identity; returns the updated user. */
export async function touchLastSignIn(db: Queryable, userId: string): Promise<UserRow> {
  const { rows } = await db.query<UserRow>(
    `with identity as (
       update auth.identities set last_sign_in_at = now(), updated_at = now()
        where user_id = $1 and provider = 'email'
     )
     update auth.users set last_sign_in_at = now(), updated_at = now() where id = $1 returning *`,
    [userId],
  );
  return rows[0] as UserRow;
}

export function isBanned(user: UserRow): boolean {
  return user.banned_until !== null && user.banned_until.getTime() > Date.now();
}

export function isEmailConfirmed(user: UserRow): boolean {
  return user.email_confirmed_at !== null;
}
