import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { StackConfig } from '../../config/load-config.ts';
import { resolveProjectPath } from '../../config/project-location.ts';
import { STORAGE_ADMIN } from './caller-identity.ts';
import { asCaller } from './caller-transaction.ts';
import { assertValidBucketName, isValidObjectKey } from './object-key.ts';
import { findObjectIfAny, type ObjectMetadata, writeObjectRow } from './object-rows.ts';
import type { StorageContext } from './storage-context.ts';

/** Enough to label seeded files sensibly; anything else is stored as octet-stream. */
const MIME_BY_EXTENSION: Record<string, string> = {
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.html': 'text/html',
  '.css': 'text/css',
  '.csv': 'text/csv',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.mp4': 'video/mp4',
  '.mp3': 'audio/mpeg',
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * `[storage.buckets.<name>]` in config.toml, created or brought up to date when the service
 * starts, and the files under its `objects_path` uploaded (replacing same-named objects), as
 * `supabase start` seeds them. Buckets made by migrations are left alone unless config.toml
 * names them too.
 */
export async function applyConfigBuckets(context: StorageContext, config: StackConfig): Promise<string[]> {
  const applied: string[] = [];
  for (const [name, bucket] of Object.entries(config.toml.storage.buckets)) {
    assertValidBucketName(name);
    const fileSizeLimit = bucket.file_size_limit ?? null;
    await context.db.query(
      `insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
       values ($1, $1, $2, $3, $4)
       on conflict (id) do update set public = excluded.public, file_size_limit = excluded.file_size_limit,
         allowed_mime_types = excluded.allowed_mime_types, updated_at = now()`,
      [name, bucket.public, fileSizeLimit, bucket.allowed_mime_types ?? null],
    );
    applied.push(name);
    if (bucket.objects_path) {
      const dir = resolveProjectPath(config, bucket.objects_path);
      if (!existsSync(dir)) {
        context.log.warn(`[storage.buckets.${name}] objects_path ${dir} does not exist; nothing uploaded`);
        continue;
      }
      const limit = Math.min(context.globalFileSizeLimit, fileSizeLimit ?? Number.POSITIVE_INFINITY);
      for (const file of filesUnder(dir)) {
        const key = relative(dir, file).split(sep).join('/');
        if (!isValidObjectKey(key)) {
          context.log.warn(`[storage.buckets.${name}] skipped ${file}: not a valid object key`);
          continue;
        }
        await seedObject(context, name, key, file, limit);
      }
    }
  }
  return applied;
}

async function seedObject(
  context: StorageContext,
  bucketId: string,
  key: string,
  file: string,
  limit: number,
): Promise<void> {
  const version = randomUUID();
  const stored = await context.store.write(bucketId, key, version, createReadStream(file), limit);
  const metadata: ObjectMetadata = {
    eTag: `"${stored.md5}"`,
    size: stored.size,
    mimetype: MIME_BY_EXTENSION[extname(key).toLowerCase()] ?? 'application/octet-stream',
    cacheControl: 'max-age=3600',
    lastModified: new Date().toISOString(),
    contentLength: stored.size,
    httpStatusCode: 200,
  };
  const replaced = await asCaller(context.db, STORAGE_ADMIN, 'storage.object.seed', async (sql) => {
    const existing = await findObjectIfAny(sql, bucketId, key, true);
    await writeObjectRow(
      sql,
      { bucketId, name: key, owner: undefined, version, metadata, userMetadata: null },
      true,
    );
    return existing?.version ?? null;
  });
  if (replaced) await context.store.remove(bucketId, key, replaced).catch(() => {});
}
