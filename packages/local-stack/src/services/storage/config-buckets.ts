import type pg from 'pg';
import type { StackConfig } from '../../config/load-config.ts';
import { parseConfigByteSize } from './byte-size.ts';
import { assertValidBucketName } from './object-key.ts';

/**
 * `[storage.buckets.<name>]` in config.toml, created or brought up to date when the service
 * starts, as `supabase start` seeds them. Buckets made by migrations are left alone unless
 * config.toml names them too.
 */
export async function applyConfigBuckets(db: pg.Pool, config: StackConfig): Promise<string[]> {
  const applied: string[] = [];
  for (const [name, bucket] of Object.entries(config.toml.storage.buckets)) {
    assertValidBucketName(name);
    await db.query(
      `insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
       values ($1, $1, $2, $3, $4)
       on conflict (id) do update set public = excluded.public, file_size_limit = excluded.file_size_limit,
         allowed_mime_types = excluded.allowed_mime_types, updated_at = now()`,
      [
        name,
        bucket.public,
        bucket.file_size_limit === undefined ? null : parseConfigByteSize(bucket.file_size_limit),
        bucket.allowed_mime_types ?? null,
      ],
    );
    applied.push(name);
  }
  return applied;
}
