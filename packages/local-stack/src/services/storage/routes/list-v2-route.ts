import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { asCaller } from '../caller-transaction.ts';
import { storageErrors } from '../errors.ts';
import { assertValidBucketName } from '../object-key.ts';
import { callerOf, jsonBody, optionalString } from '../request-input.ts';
import type { StorageContext } from '../storage-context.ts';

const SORT_COLUMNS = new Set(['name', 'created_at', 'updated_at']);

interface ListedEntry {
  name: string;
  is_folder: boolean;
  id: string | null;
  metadata: unknown;
  created_at: Date;
  updated_at: Date;
  last_accessed_at: Date | null;
}

/** The cursor is opaque to clients; ours is the offset of the next page. */
function readCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  const offset = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw storageErrors.invalidParameter('cursor');
  return offset;
}

/** Hosted serves at most this many entries per page, whatever `limit` asks. */
const MAX_PAGE = 1000;

/**
 * The entry shapes hosted's listObjectsV2 sends. Grouped by folder, every entry carries
 * `key`: its own path segment at the prefix's depth (`split_part(name, '/', levels)` in
 * hosted's `storage.search_v2`), so a folder's key has no trailing slash while its `name`
 * does. A flat listing selects the object columns only, without `key`. A folder has no
 * timestamps when sorted by name; sorted by time it takes its first object's creation.
 */
function folderJson(entry: ListedEntry, depth: number, sortedByName: boolean) {
  return {
    key: pathSegment(entry.name, depth),
    name: entry.name,
    id: null,
    updated_at: sortedByName ? null : entry.updated_at,
    created_at: sortedByName ? null : entry.created_at,
    last_accessed_at: null,
    metadata: null,
  };
}

function objectJson(entry: ListedEntry, depth: number | undefined) {
  return {
    ...(depth === undefined ? {} : { key: pathSegment(entry.name, depth) }),
    id: entry.id,
    name: entry.name,
    metadata: entry.metadata,
    updated_at: entry.updated_at,
    created_at: entry.created_at,
    last_accessed_at: entry.last_accessed_at,
  };
}

/** Postgres' split_part(name, '/', depth), 1-based, '' past the end. */
function pathSegment(name: string, depth: number): string {
  return name.split('/')[depth - 1] ?? '';
}

/**
 * POST /object/list-v2/:bucket (storage-js `listV2`): full keys under a prefix, optionally
 * grouped into "folders" at the next `/`, sorted and paged with a cursor. A folder sorts by
 * when its first object was created, as on hosted.
 */
export function listV2Route(context: StorageContext): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();

  app.post('/object/list-v2/:bucket', async (c) => {
    const caller = callerOf(c);
    const bucketId = c.req.param('bucket');
    assertValidBucketName(bucketId);
    const body = await jsonBody(c);
    const prefix = optionalString(body, 'prefix') ?? '';
    const requested = body.limit ?? MAX_PAGE;
    if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1) {
      throw storageErrors.invalidParameter('limit', 'body/limit must be >= 1');
    }
    const limit = Math.min(requested, MAX_PAGE);
    const withDelimiter = body.with_delimiter === true;
    const sortBy = (body.sortBy ?? {}) as { column?: unknown; order?: unknown };
    const column = typeof sortBy.column === 'string' ? sortBy.column : 'name';
    const order = typeof sortBy.order === 'string' ? sortBy.order.toLowerCase() : 'asc';
    if (!SORT_COLUMNS.has(column)) throw storageErrors.invalidParameter('sortBy.column');
    if (order !== 'asc' && order !== 'desc') throw storageErrors.invalidParameter('sortBy.order');
    const offset = readCursor(optionalString(body, 'cursor'));

    const rows = await asCaller(context.db, caller, 'storage.object.list_v2', async (sql) => {
      // `column` and `order` are whitelisted above, so splicing them is safe.
      const { rows } = await sql.query<ListedEntry>(
        `with matching as (
           select o.id, o.name, o.metadata, o.created_at, o.updated_at, o.last_accessed_at,
                  case when $3 and strpos(substr(o.name, char_length($2) + 1), '/') > 0
                       then $2 || split_part(substr(o.name, char_length($2) + 1), '/', 1) || '/'
                  end as folder
           from storage.objects as o
           where o.bucket_id = $1 and starts_with(o.name, $2)
         ),
         entries as (
           select folder as name, true as is_folder, null::uuid as id, null::jsonb as metadata,
                  min(created_at) as created_at, min(created_at) as updated_at, null::timestamptz as last_accessed_at
           from matching where folder is not null group by folder
           union all
           select name, false, id, metadata, created_at, updated_at, last_accessed_at
           from matching where folder is null
         )
         select * from entries
         order by ${column === 'name' ? '' : `${column} ${order}, `}name collate "C" ${order}
         limit $4 offset $5`,
        [bucketId, prefix, withDelimiter, limit + 1, offset],
      );
      return rows;
    });

    const page = rows.slice(0, limit);
    const hasNext = rows.length > limit;
    const depth = prefix.split('/').length;
    return c.json({
      hasNext,
      folders: page
        .filter((entry) => entry.is_folder)
        .map((entry) => folderJson(entry, depth, column === 'name')),
      objects: page
        .filter((entry) => !entry.is_folder)
        .map((entry) => objectJson(entry, withDelimiter ? depth : undefined)),
      ...(hasNext ? { nextCursor: Buffer.from(String(offset + limit)).toString('base64url') } : {}),
    });
  });

  return app;
}
