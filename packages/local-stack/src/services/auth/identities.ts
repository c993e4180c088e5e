import { type Queryable, type UserRow, updateUser } from './users.ts';

/** One auth.identities row, as GoTrue's createNewIdentity writes it (`email` is generated from identity_data). */
export async function insertIdentity(
  db: Queryable,
  identity: { providerId: string; userId: string; provider: string; data: Record<string, unknown> },
): Promise<void> {
  await db.query(
    `insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
     values (gen_random_uuid(), $1, $2, $3, $4, now(), now(), now())`,
    [identity.providerId, identity.userId, JSON.stringify(identity.data), identity.provider],
  );
}

/**
 * Adds `provider` to app_metadata.providers, as GoTrue's UpdateAppMetaDataProviders does when
 * an identity is added; an anonymous user becomes a permanent user of that provider.
 */
export async function addProvider(db: Queryable, user: UserRow, provider: string): Promise<UserRow> {
  const app = user.raw_app_meta_data ?? {};
  const providers = Array.isArray(app.providers) ? (app.providers as string[]) : [];
  return updateUser(db, user.id, {
    raw_app_meta_data: {
      ...app,
      ...(app.provider === 'anonymous' || !app.provider ? { provider } : {}),
      providers: [...new Set([...providers.filter((name) => name !== 'anonymous'), provider])],
    },
    ...(user.is_anonymous ? { is_anonymous: false } : {}),
  });
}
