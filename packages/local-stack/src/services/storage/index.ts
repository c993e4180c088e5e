import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { type BodyRefusal, BodyRefusedError } from '../../http/guarded-body.ts';
import type { ServiceEnv } from '../caller.ts';
import { isDatabaseUnavailable } from '../database-unavailable.ts';
import { MOUNTS } from '../mounts.ts';
import type { ServiceFactory } from '../service.ts';
import { applyConfigBuckets } from './config-buckets.ts';
import { createDiskStore } from './disk-store.ts';
import { isStorageError, storageErrorResponse, storageErrors } from './errors.ts';
import { createImageRenderer } from './images/image-renderer.ts';
import { bucketRoutes } from './routes/bucket-routes.ts';
import { cdnRoutes } from './routes/cdn-routes.ts';
import { listV2Route } from './routes/list-v2-route.ts';
import { objectManageRoutes } from './routes/object-manage-routes.ts';
import { objectReadRoutes } from './routes/object-read-routes.ts';
import { objectUploadRoutes } from './routes/object-upload-routes.ts';
import { renderRoutes } from './routes/render-routes.ts';
import type { StorageContext } from './storage-context.ts';

function bodyRefusalError(refusal: BodyRefusal) {
  return refusal.reason === 'too_large' ? storageErrors.bodyTooLarge() : storageErrors.bodyTimeout();
}

/** The supabase/storage release whose HTTP API this service follows. */
const STORAGE_API_VERSION = 'v1.33.0';

/**
 * The Storage API at /storage/v1, speaking supabase/storage's HTTP API to storage-js:
 * metadata in storage.buckets / storage.objects under the caller's RLS, bytes on disk in
 * `<stateDir>/storage`.
 */
export const createStorageService: ServiceFactory = async (ctx) => {
  const log = ctx.log.child('storage');
  const storageDir = join(ctx.config.stateDir, 'storage');
  const context: StorageContext = {
    db: ctx.db,
    keys: ctx.keys,
    store: createDiskStore(storageDir),
    log,
    globalFileSizeLimit: ctx.config.toml.storage.file_size_limit,
    images: ctx.config.toml.storage.image_transformation.enabled ? createImageRenderer() : undefined,
  };
  const seeded = await applyConfigBuckets(context, ctx.config);
  if (seeded.length > 0) log.info(`buckets from config.toml: ${seeded.join(', ')}`);

  const app = new Hono<ServiceEnv>();
  // Unauthenticated probes hosted Storage answers (health checks, `supabase status`).
  app.get('/version', (c) => c.text(STORAGE_API_VERSION));
  app.get('/status', (c) => c.body(null, 200));
  // Order matters: the generic `/object/:bucket/:key` routes of the upload module come last.
  app.route('/', bucketRoutes(context));
  app.route('/', objectReadRoutes(context));
  app.route('/', objectManageRoutes(context));
  app.route('/', listV2Route(context));
  app.route('/', renderRoutes(context));
  app.route('/', cdnRoutes());
  app.route('/', objectUploadRoutes(context));
  // Fastify's not-found answer, which hosted Storage gives for unknown routes.
  app.all('*', (c) =>
    c.json(
      { statusCode: 404, error: 'Not Found', message: `Route ${c.req.method}:${c.req.path} not found` },
      404,
    ),
  );
  app.onError((error) => {
    if (isStorageError(error)) return storageErrorResponse(error);
    // The gateway stopped reading the body (too large, stalled); it answers with this too.
    if (error instanceof BodyRefusedError) return storageErrorResponse(bodyRefusalError(error.refusal));
    // Postgres stopped or restarting before any transaction began (acquiring the connection).
    if (isDatabaseUnavailable(error)) return storageErrorResponse(storageErrors.databaseUnavailable(error));
    log.error(`${error.stack ?? error.message}`);
    return storageErrorResponse(storageErrors.internal(error));
  });

  return {
    mount: MOUNTS.storage,
    app,
    refuseBody: (_c, refusal) => storageErrorResponse(bodyRefusalError(refusal)),
    afterDatabaseReset: async () => {
      // storage.objects is the template's again: bytes of objects it no longer lists go.
      rmSync(storageDir, { recursive: true, force: true });
      await applyConfigBuckets(context, ctx.config);
    },
    close: async () => {},
  };
};
