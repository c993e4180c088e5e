import { type CallerIdentity, STORAGE_ADMIN } from './caller-identity.ts';
import { asCaller } from './caller-transaction.ts';
import { storageErrors } from './errors.ts';
import { assertValidBucketName, assertValidObjectKey } from './object-key.ts';
import { findBucket, findObject, type ObjectRow } from './object-rows.ts';
import { objectAddress, type StorageRequest } from './request-input.ts';
import type { StorageContext } from './storage-context.ts';

/** The object a `/…/:bucket/:key` route names, as `identity` may see it (RLS decides). */
export async function findObjectAs(
  context: StorageContext,
  identity: CallerIdentity,
  c: StorageRequest,
  operation: string,
): Promise<ObjectRow> {
  const { bucketId, key } = objectAddress(c);
  assertValidBucketName(bucketId);
  assertValidObjectKey(key);
  return asCaller(context.db, identity, operation, (sql) => findObject(sql, bucketId, key));
}

/** Public buckets are readable by anyone, without a token; other buckets look missing here. */
export async function findPublicObject(
  context: StorageContext,
  c: StorageRequest,
  operation: string,
): Promise<ObjectRow> {
  const { bucketId, key } = objectAddress(c);
  assertValidBucketName(bucketId);
  assertValidObjectKey(key);
  return asCaller(context.db, STORAGE_ADMIN, operation, async (sql) => {
    const bucket = await findBucket(sql, bucketId);
    if (!bucket.public) throw storageErrors.bucketNotFound();
    return findObject(sql, bucketId, key);
  });
}
