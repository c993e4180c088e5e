import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { ownerOf, STORAGE_ADMIN } from '../caller-identity.ts';
import { testPermission } from '../caller-transaction.ts';
import { assertValidBucketName, assertValidObjectKey } from '../object-key.ts';
import { writeObjectRow } from '../object-rows.ts';
import { callerOf, isUpsert, nodeRequestBody, objectAddress } from '../request-input.ts';
import { signUploadToken, verifySignedToken } from '../signed-url.ts';
import type { StorageContext } from '../storage-context.ts';
import { uploadObject } from '../upload-object.ts';

/** Uploads (direct and through signed upload URLs) and updates. */
export function objectUploadRoutes(context: StorageContext): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();
  const { db, keys } = context;

  app.post('/object/upload/sign/:bucket/:key{[\\s\\S]+}', async (c) => {
    const caller = callerOf(c);
    const { bucketId, key } = objectAddress(c);
    assertValidBucketName(bucketId);
    assertValidObjectKey(key);
    const upsert = isUpsert(c);
    const owner = ownerOf(caller);
    // Signing is refused unless the caller could upload there right now, as on hosted.
    await testPermission(db, caller, 'storage.object.upload_sign', async (sql) => {
      await writeObjectRow(
        sql,
        { bucketId, name: key, owner, version: crypto.randomUUID(), metadata: null, userMetadata: null },
        upsert,
      );
    });
    const url = `${bucketId}/${key}`;
    const token = await signUploadToken(keys, url, owner, upsert);
    return c.json({ url: `/object/upload/sign/${url}?token=${token}`, token });
  });

  app.put('/object/upload/sign/:bucket/:key{[\\s\\S]+}', async (c) => {
    const { bucketId, key } = objectAddress(c);
    assertValidBucketName(bucketId);
    assertValidObjectKey(key);
    const token = await verifySignedToken(keys, c.req.query('token'), `${bucketId}/${key}`);
    const row = await uploadObject(context, c.req.raw, {
      bucketId,
      key,
      identity: STORAGE_ADMIN,
      owner: token.owner,
      mode: 'create',
      upsert: token.upsert,
      operation: 'storage.object.upload_signed',
      nodeBody: nodeRequestBody(c),
    });
    return c.json({ Key: `${bucketId}/${key}`, Id: row.id });
  });

  app.post('/object/:bucket/:key{[\\s\\S]+}', async (c) => {
    const caller = callerOf(c);
    const { bucketId, key } = objectAddress(c);
    const row = await uploadObject(context, c.req.raw, {
      bucketId,
      key,
      identity: caller,
      owner: ownerOf(caller),
      mode: 'create',
      upsert: isUpsert(c),
      operation: 'storage.object.upload',
      nodeBody: nodeRequestBody(c),
    });
    return c.json({ Id: row.id, Key: `${bucketId}/${key}` });
  });

  app.put('/object/:bucket/:key{[\\s\\S]+}', async (c) => {
    const caller = callerOf(c);
    const { bucketId, key } = objectAddress(c);
    const row = await uploadObject(context, c.req.raw, {
      bucketId,
      key,
      identity: caller,
      owner: ownerOf(caller),
      mode: 'update',
      upsert: true,
      operation: 'storage.object.update',
      nodeBody: nodeRequestBody(c),
    });
    return c.json({ Id: row.id, Key: `${bucketId}/${key}` });
  });

  return app;
}
