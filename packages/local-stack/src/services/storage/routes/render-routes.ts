import { buffer } from 'node:stream/consumers';
import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { STORAGE_ADMIN } from '../caller-identity.ts';
import { storageErrors } from '../errors.ts';
import { type ImageRenderer, SOURCE_LIMITS } from '../images/image-renderer.ts';
import {
  appliedTransformations,
  parseTokenTransformations,
  readTransformOptions,
  type TransformOptions,
} from '../images/transform-options.ts';
import { findObjectAs, findPublicObject } from '../object-lookup.ts';
import { contentDisposition } from '../object-response.ts';
import type { ObjectRow } from '../object-rows.ts';
import { callerOf, downloadParam, objectAddress, type StorageRequest } from '../request-input.ts';
import { verifySignedToken } from '../signed-url.ts';
import type { StorageContext } from '../storage-context.ts';

const KEY = ':key{[\\s\\S]+}';

/**
 * GET/HEAD /render/image/{authenticated,public,sign}/:bucket/:key: the object, resized
 * and re-encoded (storage-js `download`, `getPublicUrl` and `createSignedUrl` with
 * `transform`). Who may read is decided as for the plain object routes. With
 * transformations switched off none of these routes exist, so they answer 404 "Route …
 * not found", as hosted's do when its image routes are not registered.
 */
export function renderRoutes(context: StorageContext): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();
  const images = context.images;
  if (!images) return app;

  const fromQuery = (c: StorageRequest) => readTransformOptions((name) => c.req.query(name), 'querystring');

  app.on(['GET', 'HEAD'], `/render/image/authenticated/:bucket/${KEY}`, async (c) => {
    const options = fromQuery(c);
    const object = await findObjectAs(context, callerOf(c), c, 'storage.render.authenticated');
    return renderObject(context, images, c, object, options);
  });

  app.on(['GET', 'HEAD'], `/render/image/public/:bucket/${KEY}`, async (c) => {
    const options = fromQuery(c);
    const object = await findPublicObject(context, c, 'storage.render.public');
    return renderObject(context, images, c, object, options);
  });

  app.on(['GET', 'HEAD'], `/render/image/sign/:bucket/${KEY}`, async (c) => {
    const { bucketId, key } = objectAddress(c);
    const token = await verifySignedToken(context.keys, c.req.query('token'), `${bucketId}/${key}`);
    // The transformations were fixed when the URL was signed; the query cannot change them.
    const options = parseTokenTransformations(token.image?.transformations ?? '', token.image?.format);
    const object = await findObjectAs(context, STORAGE_ADMIN, c, 'storage.render.signed');
    return renderObject(context, images, c, object, options, new Date(token.exp * 1000));
  });

  return app;
}

async function renderObject(
  context: StorageContext,
  images: ImageRenderer,
  c: StorageRequest,
  object: ObjectRow,
  options: TransformOptions,
  expires?: Date,
): Promise<Response> {
  const metadata = object.metadata;
  if (!object.version || !metadata) throw storageErrors.objectNotFound();
  const size = await context.store.size(object.bucket_id, object.name, object.version);
  if (size === undefined) throw storageErrors.objectNotFound();
  // Checked before reading, so an oversized file is refused without being loaded.
  if (size > SOURCE_LIMITS.bytes) throw storageErrors.invalidSourceImage();
  const source = await buffer(context.store.read(object.bucket_id, object.name, object.version));
  const rendered = await images.render(source, options, c.req.header('accept') ?? null);

  // Hosted's headers for a rendered image: the source's ETag and Cache-Control (or
  // Expires for a signed URL), the produced type and length, the applied options.
  const headers = new Headers({
    'accept-ranges': 'bytes',
    'content-type': rendered.contentType,
    'content-length': String(rendered.bytes.length),
    etag: metadata.eTag,
  });
  if (expires) headers.set('expires', expires.toUTCString());
  else headers.set('cache-control', metadata.cacheControl || 'no-cache');
  const applied = appliedTransformations(options);
  if (applied.length > 0) headers.set('x-transformations', applied.join(','));
  const download = downloadParam(c);
  if (download !== undefined) headers.set('content-disposition', contentDisposition(download));
  const body = c.req.method === 'HEAD' ? null : new Uint8Array(rendered.bytes);
  return new Response(body, { status: 200, headers });
}
