import type { Sql } from './caller-transaction.ts';
import { storageErrors } from './errors.ts';

/** `storage.objects.metadata` as hosted's file backend writes it. */
export interface ObjectMetadata {
  eTag: string;
  size: number;
  mimetype: string;
  cacheControl: string;
  lastModified: string;
  contentLength: number;
  httpStatusCode: number;
}

export interface ObjectRow {
  id: string;
  bucket_id: string;
  name: string;
  owner: string | null;
  owner_id: string | null;
  version: string | null;
  metadata: ObjectMetadata | null;
  user_metadata: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
  last_accessed_at: Date;
}

export interface BucketRow {
  id: string;
  name: string;
  owner: string | null;
  owner_id: string | null;
  public: boolean;
  type: string;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
  created_at: Date;
  updated_at: Date;
}

const OBJECT_COLUMNS =
  'id, bucket_id, name, owner, owner_id, version, metadata, user_metadata, created_at, updated_at, last_accessed_at';
const BUCKET_COLUMNS =
  'id, name, owner, owner_id, public, type::text as type, file_size_limit, allowed_mime_types, created_at, updated_at';

export async function findBucket(sql: Sql, id: string): Promise<BucketRow> {
  const { rows } = await sql.query<BucketRow>(`select ${BUCKET_COLUMNS} from storage.buckets where id = $1`, [
    id,
  ]);
  const bucket = rows[0];
  if (!bucket) throw storageErrors.bucketNotFound();
  return {
    ...bucket,
    file_size_limit: bucket.file_size_limit === null ? null : Number(bucket.file_size_limit),
  };
}

export async function listBuckets(
  sql: Sql,
  options: {
    limit?: number;
    offset?: number;
    search?: string;
    sortColumn: string;
    sortOrder: 'asc' | 'desc';
  },
): Promise<BucketRow[]> {
  const { rows } = await sql.query<BucketRow>(
    `select ${BUCKET_COLUMNS} from storage.buckets
     where ($1::text is null or name ilike '%' || $1 || '%')
     order by ${options.sortColumn} ${options.sortOrder}, id
     limit $2 offset $3`,
    [options.search ?? null, options.limit ?? null, options.offset ?? 0],
  );
  return rows.map((bucket) => ({
    ...bucket,
    file_size_limit: bucket.file_size_limit === null ? null : Number(bucket.file_size_limit),
  }));
}

export async function findObject(
  sql: Sql,
  bucketId: string,
  name: string,
  forUpdate = false,
): Promise<ObjectRow> {
  const object = await findObjectIfAny(sql, bucketId, name, forUpdate);
  if (!object) throw storageErrors.objectNotFound();
  return object;
}

export async function findObjectIfAny(
  sql: Sql,
  bucketId: string,
  name: string,
  forUpdate = false,
): Promise<ObjectRow | undefined> {
  const { rows } = await sql.query<ObjectRow>(
    `select ${OBJECT_COLUMNS} from storage.objects where bucket_id = $1 and name = $2${forUpdate ? ' for update' : ''}`,
    [bucketId, name],
  );
  return rows[0];
}

export interface NewObject {
  bucketId: string;
  name: string;
  owner: string | undefined;
  version: string;
  metadata: ObjectMetadata | null;
  userMetadata: Record<string, unknown> | null;
}

/**
 * Inserts the row, or with `upsert` replaces an existing one (which RLS then checks
 * against the UPDATE policies too, as on hosted).
 */
export async function writeObjectRow(sql: Sql, object: NewObject, upsert: boolean): Promise<ObjectRow> {
  const { rows } = await sql.query<ObjectRow>(
    `insert into storage.objects (bucket_id, name, owner, owner_id, version, metadata, user_metadata)
     values ($1, $2, $3::uuid, $3::text, $4, $5, $6)
     ${
       upsert
         ? `on conflict (bucket_id, name) do update set
              owner = excluded.owner, owner_id = excluded.owner_id, version = excluded.version,
              metadata = excluded.metadata, user_metadata = excluded.user_metadata,
              last_accessed_at = now()`
         : ''
     }
     returning ${OBJECT_COLUMNS}`,
    [
      object.bucketId,
      object.name,
      object.owner ?? null,
      object.version,
      object.metadata,
      object.userMetadata,
    ],
  );
  const row = rows[0];
  if (!row) throw storageErrors.accessDenied('new row violates row-level security policy');
  return row;
}

export async function deleteObjects(sql: Sql, bucketId: string, names: string[]): Promise<ObjectRow[]> {
  const { rows } = await sql.query<ObjectRow>(
    `delete from storage.objects where bucket_id = $1 and name = any($2::text[]) returning ${OBJECT_COLUMNS}`,
    [bucketId, names],
  );
  return rows;
}
