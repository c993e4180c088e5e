import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { type CallerIdentity, STORAGE_ADMIN } from './caller-identity.ts';
import { asCaller, testPermission } from './caller-transaction.ts';
import { storageErrors } from './errors.ts';
import { assertValidBucketName, assertValidObjectKey } from './object-key.ts';
import {
  findBucket,
  findObjectIfAny,
  type ObjectMetadata,
  type ObjectRow,
  writeObjectRow,
} from './object-rows.ts';
import type { StorageContext } from './storage-context.ts';
import { isMimeTypeAllowed, readUploadBody } from './upload-body.ts';

export interface UploadTarget {
  bucketId: string;
  key: string;
  /** Whose rights the metadata writes run with (the signer's rights were checked at signing). */
  identity: CallerIdentity;
  owner: string | undefined;
  /** The Node request under `request`, when there is one (see readUploadBody). */
  nodeBody?: Readable | undefined;
  /** `create` inserts (or upserts); `update` replaces an object that must exist. */
  mode: 'create' | 'update';
  upsert: boolean;
  operation: string;
}

/**
 * The upload flow of hosted Storage: ask RLS first (so a refused caller never gets to send
 * bytes), stream the body to disk under the size and type limits, then write the row as the
 * caller and drop the bytes of any version it replaced.
 */
export async function uploadObject(
  context: StorageContext,
  request: Request,
  target: UploadTarget,
): Promise<ObjectRow> {
  const { db, store } = context;
  assertValidBucketName(target.bucketId);
  assertValidObjectKey(target.key);

  const bucket = await asCaller(db, STORAGE_ADMIN, target.operation, (sql) =>
    findBucket(sql, target.bucketId),
  );
  await checkWritePermission(context, target, declaredRawLength(request));

  const body = await readUploadBody(request, target.nodeBody);
  const limit = Math.min(context.globalFileSizeLimit, bucket.file_size_limit ?? Number.POSITIVE_INFINITY);
  if (!isMimeTypeAllowed(body.mimetype, bucket.allowed_mime_types)) {
    throw storageErrors.invalidMimeType(body.mimetype);
  }
  if (body.declaredLength !== undefined && body.declaredLength > limit) throw storageErrors.entityTooLarge();

  const version = randomUUID();
  const stored = await store.write(target.bucketId, target.key, version, body.stream, limit);
  const metadata: ObjectMetadata = {
    eTag: `"${stored.md5}"`,
    size: stored.size,
    mimetype: body.mimetype,
    cacheControl: body.cacheControl,
    lastModified: new Date().toISOString(),
    contentLength: stored.size,
    httpStatusCode: 200,
  };

  let replacedVersion: string | null = null;
  let row: ObjectRow;
  try {
    replacedVersion =
      (
        await asCaller(db, STORAGE_ADMIN, target.operation, (sql) =>
          findObjectIfAny(sql, target.bucketId, target.key),
        )
      )?.version ?? null;
    row = await asCaller(db, target.identity, target.operation, async (sql) => {
      if (target.mode === 'update') {
        const { rows } = await sql.query<ObjectRow>(
          `update storage.objects
           set version = $3, metadata = $4, user_metadata = $5, owner = $6::uuid, owner_id = $6::text
           where bucket_id = $1 and name = $2
           returning *`,
          [target.bucketId, target.key, version, metadata, body.userMetadata, target.owner ?? null],
        );
        if (!rows[0]) throw storageErrors.objectNotFound();
        return rows[0];
      }
      return writeObjectRow(
        sql,
        {
          bucketId: target.bucketId,
          name: target.key,
          owner: target.owner,
          version,
          metadata,
          userMetadata: body.userMetadata,
        },
        target.upsert,
      );
    });
  } catch (error) {
    await store.remove(target.bucketId, target.key, version).catch(() => {});
    throw error;
  }
  if (replacedVersion && replacedVersion !== version) {
    await store.remove(target.bucketId, target.key, replacedVersion).catch((error: Error) => {
      context.log.warn(
        `could not remove replaced bytes of ${target.bucketId}/${target.key}: ${error.message}`,
      );
    });
  }
  return row;
}

/** Would RLS let this caller create (or replace) the object? Asked before any byte is read. */
async function checkWritePermission(
  context: StorageContext,
  target: UploadTarget,
  declaredSize: number | undefined,
): Promise<void> {
  await testPermission(context.db, target.identity, target.operation, async (sql) => {
    if (target.mode === 'update') {
      const { rowCount } = await sql.query(
        `update storage.objects set last_accessed_at = now(), owner = $3::uuid, owner_id = $3::text
         where bucket_id = $1 and name = $2`,
        [target.bucketId, target.key, target.owner ?? null],
      );
      if (!rowCount) throw storageErrors.objectNotFound();
      return;
    }
    await writeObjectRow(
      sql,
      {
        bucketId: target.bucketId,
        name: target.key,
        owner: target.owner,
        version: randomUUID(),
        // With the announced size, triggers that meter storage (plan quotas) can refuse
        // before a single byte is read.
        metadata: declaredSize === undefined ? null : ({ size: declaredSize } as ObjectMetadata),
        userMetadata: null,
      },
      target.upsert,
    );
  });
}

/** Content-Length of a raw (non-multipart) body, which is exactly the object's size. */
function declaredRawLength(request: Request): number | undefined {
  const contentType = request.headers.get('content-type') ?? '';
  const length = request.headers.get('content-length');
  if (contentType.toLowerCase().startsWith('multipart/') || !length || !/^\d+$/.test(length))
    return undefined;
  return Number(length);
}
