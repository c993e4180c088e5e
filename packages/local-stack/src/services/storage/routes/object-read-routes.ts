import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { type CallerIdentity, STORAGE_ADMIN } from '../caller-identity.ts';
import { asCaller } from '../caller-transaction.ts';
import { storageErrors } from '../errors.ts';
import { readTransformOptions, tokenTransformations } from '../images/transform-options.ts';
import { assertValidBucketName, assertValidObjectKey, isValidObjectKey } from '../object-key.ts';
import { findObjectAs, findPublicObject } from '../object-lookup.ts';
import { objectResponse } from '../object-response.ts';
import { findObject, type ObjectRow } from '../object-rows.ts';
import {
  callerOf,
  downloadParam,
  jsonBody,
  objectAddress,
  positiveInteger,
  type StorageRequest,
} from '../request-input.ts';
import { type SignedImageClaims, signDownloadToken, verifySignedToken } from '../signed-url.ts';
import type { StorageContext } from '../storage-context.ts';

/**
 * `transform` of a signing body, checked as hosted checks it. With transformations off
 * (`[storage.image_transformation] enabled = false`) hosted signs a plain object URL, and
 * so do we.
 */
function signedImageClaims(context: StorageContext, transform: unknown): SignedImageClaims | undefined {
  if (transform === undefined || transform === null) return undefined;
  if (typeof transform !== 'object' || Array.isArray(transform)) {
    throw storageErrors.invalidRequest('body/transform must be object');
  }
  const options = readTransformOptions(
    (name) => (transform as Record<string, unknown>)[name],
    'body/transform',
  );
  if (!context.images) return undefined;
  const transformations = tokenTransformations(options);
  if (transformations === '') return undefined;
  return { transformations, ...(options.format ? { format: options.format } : {}) };
}

function objectInfoJson(object: ObjectRow) {
  return {
    id: object.id,
    version: object.version,
    name: object.name,
    bucket_id: object.bucket_id,
    size: object.metadata?.size ?? null,
    content_type: object.metadata?.mimetype ?? null,
    cache_control: object.metadata?.cacheControl ?? null,
    etag: object.metadata?.eTag ?? null,
    metadata: object.user_metadata ?? {},
    last_modified: object.updated_at,
    created_at: object.created_at,
  };
}

/** Downloads (authenticated, public, signed), HEAD, info and signing, as hosted routes them. */
export function objectReadRoutes(context: StorageContext): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();
  const { db, keys, store } = context;

  const findAs = (identity: CallerIdentity, c: StorageRequest, operation: string) =>
    findObjectAs(context, identity, c, operation);
  const findPublic = (c: StorageRequest, operation: string) => findPublicObject(context, c, operation);

  const serve = (c: StorageRequest, object: ObjectRow, expires?: Date) =>
    objectResponse(store, object, {
      method: c.req.method === 'HEAD' ? 'HEAD' : 'GET',
      headers: c.req.raw.headers,
      download: downloadParam(c),
      ...(expires ? { expires } : {}),
    });

  // Specific prefixes first: Hono tries routes in the order they were added.
  app.on(['GET', 'HEAD'], '/object/public/:bucket/:key{[\\s\\S]+}', async (c) =>
    serve(c, await findPublic(c, 'storage.object.get_public')),
  );
  app.on(['GET', 'HEAD'], '/object/authenticated/:bucket/:key{[\\s\\S]+}', async (c) =>
    serve(c, await findAs(callerOf(c), c, 'storage.object.get_authenticated')),
  );

  app.get('/object/info/public/:bucket/:key{[\\s\\S]+}', async (c) =>
    c.json(objectInfoJson(await findPublic(c, 'storage.object.info'))),
  );
  app.get('/object/info/authenticated/:bucket/:key{[\\s\\S]+}', async (c) =>
    c.json(objectInfoJson(await findAs(callerOf(c), c, 'storage.object.info'))),
  );
  app.get('/object/info/:bucket/:key{[\\s\\S]+}', async (c) =>
    c.json(
      objectInfoJson(
        c.get('caller')?.token
          ? await findAs(callerOf(c), c, 'storage.object.info')
          : await findPublic(c, 'storage.object.info'),
      ),
    ),
  );

  app.get('/object/sign/:bucket/:key{[\\s\\S]+}', async (c) => {
    const { bucketId, key } = objectAddress(c);
    assertValidBucketName(bucketId);
    assertValidObjectKey(key);
    const token = await verifySignedToken(keys, c.req.query('token'), `${bucketId}/${key}`);
    const object = await asCaller(db, STORAGE_ADMIN, 'storage.object.get_signed', (sql) =>
      findObject(sql, bucketId, key),
    );
    return serve(c, object, new Date(token.exp * 1000));
  });

  app.post('/object/sign/:bucket/:key{[\\s\\S]+}', async (c) => {
    const caller = callerOf(c);
    const body = await jsonBody(c);
    const expiresIn = positiveInteger(body, 'expiresIn');
    const image = signedImageClaims(context, body.transform);
    const object = await findAs(caller, c, 'storage.object.sign');
    const url = `${object.bucket_id}/${object.name}`;
    const token = await signDownloadToken(keys, url, expiresIn, image);
    // A token that says how to transform is spent at the render route, as on hosted.
    return c.json({ signedURL: `/${image ? 'render/image' : 'object'}/sign/${url}?token=${token}` });
  });

  app.post('/object/sign/:bucket', async (c) => {
    const caller = callerOf(c);
    const bucketId = c.req.param('bucket');
    assertValidBucketName(bucketId);
    const body = await jsonBody(c);
    const expiresIn = positiveInteger(body, 'expiresIn');
    const paths = body.paths;
    if (!Array.isArray(paths) || paths.length === 0 || paths.some((path) => typeof path !== 'string')) {
      throw storageErrors.invalidRequest('body/paths must be a non-empty array of strings');
    }
    const visible = await asCaller(db, caller, 'storage.object.sign_many', async (sql) => {
      const { rows } = await sql.query<{ name: string }>(
        'select name from storage.objects where bucket_id = $1 and name = any($2::text[])',
        [bucketId, (paths as string[]).filter(isValidObjectKey)],
      );
      return new Set(rows.map((row) => row.name));
    });
    const results = await Promise.all(
      (paths as string[]).map(async (path) => {
        if (!visible.has(path)) {
          return {
            error: 'Either the object does not exist or you do not have access to it',
            path,
            signedURL: null,
          };
        }
        const url = `${bucketId}/${path}`;
        const token = await signDownloadToken(keys, url, expiresIn);
        return { error: null, path, signedURL: `/object/sign/${url}?token=${token}` };
      }),
    );
    return c.json(results);
  });

  // Last: `/object/<bucket>/<key>` would otherwise swallow the prefixed routes above.
  // Without any token hosted answers this path as the public one (public buckets only).
  app.on(['GET', 'HEAD'], '/object/:bucket/:key{[\\s\\S]+}', async (c) =>
    serve(
      c,
      c.get('caller')?.token
        ? await findAs(callerOf(c), c, 'storage.object.get_authenticated')
        : await findPublic(c, 'storage.object.get_public'),
    ),
  );

  return app;
}
