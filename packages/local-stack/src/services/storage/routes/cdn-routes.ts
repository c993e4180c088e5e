import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { assertValidBucketName, assertValidObjectKey } from '../object-key.ts';
import { callerOf, objectAddress } from '../request-input.ts';

/**
 * DELETE /cdn/… (storage-js `purgeCache` / `purgeBucketCache`). Nothing sits in front of
 * the local stack, so there is never a cached copy to drop: the call checks its input and
 * succeeds, as hosted does once its CDN has purged.
 */
export function cdnRoutes(): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();

  app.delete('/cdn/:bucket/:key{[\\s\\S]+}', async (c) => {
    callerOf(c);
    const { bucketId, key } = objectAddress(c);
    assertValidBucketName(bucketId);
    assertValidObjectKey(key);
    return c.json({ message: 'success', statusCode: '200' });
  });

  app.delete('/cdn/:bucket', async (c) => {
    callerOf(c);
    assertValidBucketName(c.req.param('bucket'));
    return c.json({ message: 'success', statusCode: '200' });
  });

  return app;
}
