import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { parseBucketFileSizeLimit } from '../byte-size.ts';
import { STORAGE_ADMIN } from '../caller-identity.ts';
import { asCaller } from '../caller-transaction.ts';
import { type StorageError, storageErrors } from '../errors.ts';
import { assertValidBucketName } from '../object-key.ts';
import { type BucketRow, findBucket, listBuckets } from '../object-rows.ts';
import { callerOf, jsonBody } from '../request-input.ts';
import type { StorageContext } from '../storage-context.ts';

const SORTABLE_BUCKET_COLUMNS = new Set(['id', 'name', 'created_at', 'updated_at']);

/** Hosted's answer to `GET /bucket/:id`: its column list has no `type`. */
function bucketJson(bucket: BucketRow) {
  return {
    id: bucket.id,
    name: bucket.name,
    owner: bucket.owner_id ?? bucket.owner ?? '',
    public: bucket.public,
    file_size_limit: bucket.file_size_limit,
    allowed_mime_types: bucket.allowed_mime_types,
    created_at: bucket.created_at,
    updated_at: bucket.updated_at,
  };
}

/** Only the list (`GET /bucket`) adds the bucket's `type`. */
function listedBucketJson(bucket: BucketRow) {
  return { ...bucketJson(bucket), type: bucket.type };
}

/** supabase/storage's `STORAGE_EMPTY_BUCKET_MAX` default: larger buckets are refused, not emptied. */
const EMPTY_BUCKET_MAX = 200_000;

/** Hosted queues the deletion; here it is done before answering, which the sentence still covers. */
const EMPTY_BUCKET_QUEUED = 'Empty bucket has been queued. Completion may take up to an hour.';

interface BucketSettings {
  public?: boolean;
  fileSizeLimit?: number | null;
  allowedMimeTypes?: string[] | null;
}

/** The settable fields of a bucket body, checked as hosted's JSON schema does. */
function bucketSettings(context: StorageContext, body: Record<string, unknown>): BucketSettings {
  const settings: BucketSettings = {};
  if (body.public !== undefined && body.public !== null) {
    if (typeof body.public !== 'boolean') throw storageErrors.invalidRequest('body/public must be boolean');
    settings.public = body.public;
  }
  const limit = body.file_size_limit;
  if (limit === null) settings.fileSizeLimit = null;
  else if (limit !== undefined) {
    if (typeof limit !== 'number' && typeof limit !== 'string') {
      throw storageErrors.invalidRequest('body/file_size_limit must be integer or string');
    }
    const bytes = parseBucketFileSizeLimit(limit);
    if (bytes > context.globalFileSizeLimit) throw storageErrors.bucketLimitAboveGlobal();
    // Hosted treats 0 as "no bucket limit".
    settings.fileSizeLimit = bytes === 0 ? null : bytes;
  }
  const types = body.allowed_mime_types;
  if (types === null) settings.allowedMimeTypes = null;
  else if (types !== undefined) {
    if (!Array.isArray(types) || types.some((type) => typeof type !== 'string')) {
      throw storageErrors.invalidRequest('body/allowed_mime_types must be array of strings');
    }
    settings.allowedMimeTypes = (types as string[]).filter((type) => type !== '');
  }
  return settings;
}

/** GET/POST/PUT/DELETE /bucket… as storage-js's StorageBucketApi calls them. */
export function bucketRoutes(context: StorageContext): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();
  const { db } = context;

  app.get('/bucket', async (c) => {
    const caller = callerOf(c);
    const limit = c.req.query('limit');
    const offset = c.req.query('offset');
    const sortColumn = c.req.query('sortColumn') ?? 'name';
    const sortOrder = (c.req.query('sortOrder') ?? 'asc').toLowerCase();
    if (!SORTABLE_BUCKET_COLUMNS.has(sortColumn)) throw storageErrors.invalidParameter('sortColumn');
    if (sortOrder !== 'asc' && sortOrder !== 'desc') throw storageErrors.invalidParameter('sortOrder');
    if ((limit && !/^\d+$/.test(limit)) || (offset && !/^\d+$/.test(offset))) {
      throw storageErrors.invalidParameter(limit && !/^\d+$/.test(limit) ? 'limit' : 'offset');
    }
    const search = c.req.query('search');
    const buckets = await asCaller(db, caller, 'storage.bucket.list', (sql) =>
      listBuckets(sql, {
        ...(limit ? { limit: Number(limit) } : {}),
        ...(offset ? { offset: Number(offset) } : {}),
        ...(search ? { search } : {}),
        sortColumn,
        sortOrder,
      }),
    );
    return c.json(buckets.map(listedBucketJson));
  });

  app.get('/bucket/:id', async (c) => {
    const caller = callerOf(c);
    const bucket = await asCaller(db, caller, 'storage.bucket.get', (sql) =>
      findBucket(sql, c.req.param('id')),
    );
    return c.json(bucketJson(bucket));
  });

  app.post('/bucket', async (c) => {
    const caller = callerOf(c);
    const body = await jsonBody(c);
    const name = typeof body.name === 'string' ? body.name : undefined;
    if (!name) throw storageErrors.missingParameter('name');
    const id = typeof body.id === 'string' && body.id !== '' ? body.id : name;
    assertValidBucketName(id);
    assertValidBucketName(name);
    const settings = bucketSettings(context, body);
    const owner = typeof caller.claims.sub === 'string' ? caller.claims.sub : null;
    try {
      await asCaller(db, caller, 'storage.bucket.create', (sql) =>
        sql.query(
          `insert into storage.buckets (id, name, owner, owner_id, public, file_size_limit, allowed_mime_types)
           values ($1, $2, $3::uuid, $4, $5, $6, $7)`,
          [
            id,
            name,
            owner && /^[0-9a-f-]{36}$/i.test(owner) ? owner : null,
            owner,
            settings.public ?? false,
            settings.fileSizeLimit ?? null,
            settings.allowedMimeTypes ?? null,
          ],
        ),
      );
    } catch (error) {
      if ((error as StorageError).code === 'ResourceAlreadyExists') throw storageErrors.bucketAlreadyExists();
      throw error;
    }
    return c.json({ name });
  });

  app.put('/bucket/:id', async (c) => {
    const caller = callerOf(c);
    const id = c.req.param('id');
    assertValidBucketName(id);
    const settings = bucketSettings(context, await jsonBody(c));
    await asCaller(db, caller, 'storage.bucket.update', async (sql) => {
      const { rowCount } = await sql.query(
        `update storage.buckets set
           public = coalesce($2, public),
           file_size_limit = case when $3 then $4 else file_size_limit end,
           allowed_mime_types = case when $5 then $6 else allowed_mime_types end,
           updated_at = now()
         where id = $1`,
        [
          id,
          settings.public ?? null,
          settings.fileSizeLimit !== undefined,
          settings.fileSizeLimit ?? null,
          settings.allowedMimeTypes !== undefined,
          settings.allowedMimeTypes ?? null,
        ],
      );
      if (!rowCount) throw storageErrors.bucketNotFound();
    });
    return c.json({ message: 'Successfully updated' });
  });

  app.post('/bucket/:id/empty', async (c) => {
    const caller = callerOf(c);
    // Since storage#1334 emptying is the service role's alone, asked before anything else.
    if (caller.role !== 'service_role') throw storageErrors.serviceRoleRequired();
    const id = c.req.param('id');
    assertValidBucketName(id);
    const removed = await asCaller(db, caller, 'storage.bucket.empty', async (sql) => {
      await findBucket(sql, id);
      const { rows: counted } = await sql.query<{ count: string }>(
        'select count(*) from (select 1 from storage.objects where bucket_id = $1 limit $2) as capped',
        [id, EMPTY_BUCKET_MAX + 1],
      );
      if (Number(counted[0]?.count ?? 0) > EMPTY_BUCKET_MAX) throw storageErrors.tooManyObjectsToEmpty();
      // Hosted removes what existed when it was asked; later uploads stay.
      const { rows } = await sql.query<{ name: string; version: string | null }>(
        'delete from storage.objects where bucket_id = $1 and created_at <= now() returning name, version',
        [id],
      );
      return rows;
    });
    await Promise.allSettled(
      removed.map((row) => (row.version ? context.store.remove(id, row.name, row.version) : undefined)),
    );
    return c.json({ message: EMPTY_BUCKET_QUEUED });
  });

  app.delete('/bucket/:id', async (c) => {
    const caller = callerOf(c);
    const id = c.req.param('id');
    assertValidBucketName(id);
    // Counted with admin rights: objects the caller cannot see still keep the bucket from going.
    const { rows } = await asCaller(db, STORAGE_ADMIN, 'storage.bucket.delete', (admin) =>
      admin.query<{ count: string }>('select count(*) from storage.objects where bucket_id = $1', [id]),
    );
    await asCaller(db, caller, 'storage.bucket.delete', async (sql) => {
      await findBucket(sql, id);
      if (Number(rows[0]?.count ?? 0) > 0) throw storageErrors.bucketNotEmpty();
      const { rowCount } = await sql.query('delete from storage.buckets where id = $1', [id]);
      if (!rowCount) throw storageErrors.accessDenied('new row violates row-level security policy');
    });
    await context.store.removeBucket(id).catch(() => {});
    return c.json({ message: 'Successfully deleted' });
  });

  return app;
}
