import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { ownerOf, STORAGE_ADMIN } from '../caller-identity.ts';
import { asCaller, testPermission } from '../caller-transaction.ts';
import type { ObjectLocation } from '../disk-store.ts';
import { storageErrors } from '../errors.ts';
import { assertValidBucketName, assertValidObjectKey, isValidObjectKey } from '../object-key.ts';
import { deleteObjects, findBucket, findObject, type ObjectRow, writeObjectRow } from '../object-rows.ts';
import { callerOf, isUpsert, jsonBody, optionalString, requiredString } from '../request-input.ts';
import type { StorageContext } from '../storage-context.ts';

const SORTABLE_OBJECT_COLUMNS = new Set(['name', 'updated_at', 'created_at', 'last_accessed_at']);

/** The body of a move or copy, validated: where from and where to. */
function transferRequest(body: Record<string, unknown>) {
  const bucketId = requiredString(body, 'bucketId');
  const sourceKey = requiredString(body, 'sourceKey');
  const destinationKey = requiredString(body, 'destinationKey');
  const destinationBucket = optionalString(body, 'destinationBucket') ?? bucketId;
  assertValidBucketName(bucketId);
  assertValidBucketName(destinationBucket);
  assertValidObjectKey(sourceKey);
  assertValidObjectKey(destinationKey);
  return { bucketId, sourceKey, destinationBucket, destinationKey };
}

/** List, remove, move and copy, as storage-js's StorageFileApi calls them. */
export function objectManageRoutes(context: StorageContext): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();
  const { db, store } = context;

  app.post('/object/list/:bucket', async (c) => {
    const caller = callerOf(c);
    const bucketId = c.req.param('bucket');
    assertValidBucketName(bucketId);
    const body = await jsonBody(c);
    let prefix = optionalString(body, 'prefix') ?? '';
    // Hosted lists a "folder": the prefix always ends with a slash.
    if (prefix.length > 0 && !prefix.endsWith('/')) prefix = `${prefix}/`;
    const limit = body.limit ?? 100;
    const offset = body.offset ?? 0;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
      throw storageErrors.invalidParameter('limit', 'body/limit must be >= 1');
    }
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
      throw storageErrors.invalidParameter('offset', 'body/offset must be >= 0');
    }
    const sortBy = (body.sortBy ?? {}) as { column?: unknown; order?: unknown };
    const column = typeof sortBy.column === 'string' ? sortBy.column : 'name';
    const order = typeof sortBy.order === 'string' ? sortBy.order.toLowerCase() : 'asc';
    if (!SORTABLE_OBJECT_COLUMNS.has(column)) throw storageErrors.invalidParameter('sortBy.column');
    if (order !== 'asc' && order !== 'desc') throw storageErrors.invalidParameter('sortBy.order');
    const search = optionalString(body, 'search') ?? '';
    const rows = await asCaller(db, caller, 'storage.object.list', async (sql) => {
      const { rows } = await sql.query(
        `select name, id, updated_at, created_at, last_accessed_at, metadata
         from storage.search($1, $2, $3, $4, $5, $6, $7, $8)`,
        [prefix, bucketId, limit, prefix.split('/').length, offset, search, column, order],
      );
      return rows;
    });
    return c.json(rows);
  });

  app.delete('/object/:bucket', async (c) => {
    const caller = callerOf(c);
    const bucketId = c.req.param('bucket');
    assertValidBucketName(bucketId);
    const body = await jsonBody(c);
    const prefixes = body.prefixes;
    if (!Array.isArray(prefixes) || prefixes.length === 0 || prefixes.some((p) => typeof p !== 'string')) {
      throw storageErrors.invalidRequest('body/prefixes must be a non-empty array of strings');
    }
    // A name no object can have is simply not found, as on hosted.
    const names = (prefixes as string[]).filter(isValidObjectKey);
    const removed =
      names.length === 0
        ? []
        : await asCaller(db, caller, 'storage.object.delete_many', (sql) =>
            deleteObjects(sql, bucketId, names),
          );
    await removeBytes(context, removed);
    return c.json(removed.map(objectListJson));
  });

  app.delete('/object/:bucket/:key{[\\s\\S]+}', async (c) => {
    const caller = callerOf(c);
    const bucketId = c.req.param('bucket');
    const key = c.req.param('key');
    assertValidBucketName(bucketId);
    assertValidObjectKey(key);
    const removed = await asCaller(db, caller, 'storage.object.delete', (sql) =>
      deleteObjects(sql, bucketId, [key]),
    );
    if (removed.length === 0) throw storageErrors.objectNotFound();
    await removeBytes(context, removed);
    return c.json({ message: 'Successfully deleted' });
  });

  app.post('/object/move', async (c) => {
    const caller = callerOf(c);
    const { bucketId, sourceKey, destinationBucket, destinationKey } = transferRequest(await jsonBody(c));
    const newVersion = randomUUID();
    if (destinationBucket !== bucketId) await findBucketAsAdmin(context, destinationBucket);
    let moved: { from: ObjectLocation; to: ObjectLocation } | undefined;
    try {
      await asCaller(db, caller, 'storage.object.move', async (sql) => {
        const source = await findObject(sql, bucketId, sourceKey, true);
        if (!source.version) throw storageErrors.objectNotFound();
        const { rowCount } = await sql.query(
          `update storage.objects set bucket_id = $3, name = $4, version = $5, owner = $6::uuid, owner_id = $6::text
           where bucket_id = $1 and name = $2`,
          [bucketId, sourceKey, destinationBucket, destinationKey, newVersion, ownerOf(caller) ?? null],
        );
        if (!rowCount) throw storageErrors.objectNotFound();
        // The bytes move before the commit, so a committed row always has its bytes; if the
        // commit fails instead, the rename is undone below.
        const from = { bucket: bucketId, key: sourceKey, version: source.version };
        const to = { bucket: destinationBucket, key: destinationKey, version: newVersion };
        await store.move(from, to);
        moved = { from, to };
      });
    } catch (error) {
      if (moved) await store.move(moved.to, moved.from).catch(() => {});
      throw error;
    }
    return c.json({ message: 'Successfully moved' });
  });

  app.post('/object/copy', async (c) => {
    const caller = callerOf(c);
    const { bucketId, sourceKey, destinationBucket, destinationKey } = transferRequest(await jsonBody(c));
    const upsert = isUpsert(c);
    const owner = ownerOf(caller);

    const source = await asCaller(db, caller, 'storage.object.copy', (sql) =>
      findObject(sql, bucketId, sourceKey),
    );
    const sourceMetadata = source.metadata;
    if (!source.version || !sourceMetadata) throw storageErrors.objectNotFound();
    await findBucketAsAdmin(context, destinationBucket);
    const draft = {
      bucketId: destinationBucket,
      name: destinationKey,
      owner,
      version: randomUUID(),
      metadata: sourceMetadata,
      userMetadata: source.user_metadata,
    };
    await testPermission(db, caller, 'storage.object.copy', async (sql) => {
      await writeObjectRow(sql, { ...draft, metadata: null }, upsert);
    });
    const replaced = await asCaller(db, STORAGE_ADMIN, 'storage.object.copy', async (sql) => {
      const { rows } = await sql.query<{ version: string | null }>(
        'select version from storage.objects where bucket_id = $1 and name = $2',
        [destinationBucket, destinationKey],
      );
      return rows[0]?.version ?? null;
    });
    await store.copy(
      { bucket: bucketId, key: sourceKey, version: source.version },
      { bucket: destinationBucket, key: destinationKey, version: draft.version },
    );
    let copied: ObjectRow;
    try {
      copied = await asCaller(db, caller, 'storage.object.copy', (sql) =>
        writeObjectRow(
          sql,
          { ...draft, metadata: { ...sourceMetadata, lastModified: new Date().toISOString() } },
          upsert,
        ),
      );
    } catch (error) {
      await store.remove(destinationBucket, destinationKey, draft.version).catch(() => {});
      throw error;
    }
    if (replaced) await store.remove(destinationBucket, destinationKey, replaced).catch(() => {});
    return c.json({
      Id: copied.id,
      Key: `${destinationBucket}/${destinationKey}`,
      ...objectListJson(copied),
    });
  });

  return app;
}

async function findBucketAsAdmin(context: StorageContext, bucketId: string): Promise<void> {
  await asCaller(context.db, STORAGE_ADMIN, 'storage.bucket.get', (sql) => findBucket(sql, bucketId));
}

async function removeBytes(context: StorageContext, rows: ObjectRow[]): Promise<void> {
  await Promise.allSettled(
    rows.map((row) => (row.version ? context.store.remove(row.bucket_id, row.name, row.version) : undefined)),
  );
}

function objectListJson(row: ObjectRow) {
  return {
    name: row.name,
    id: row.id,
    bucket_id: row.bucket_id,
    owner: row.owner,
    updated_at: row.updated_at,
    created_at: row.created_at,
    last_accessed_at: row.last_accessed_at,
    metadata: row.metadata,
    user_metadata: row.user_metadata,
  };
}
