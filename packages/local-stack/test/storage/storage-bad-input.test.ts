import { request } from 'node:http';
import { Readable } from 'node:stream';
import { SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackClients, uniqueName, userToken } from './storage-client.ts';

const { service, storageUrl, stack } = stackClients();
const bucket = uniqueName('bad-input');
const imagesOnly = uniqueName('images-only');
const tiny = uniqueName('tiny');
let db: pg.Client;

beforeAll(async () => {
  db = new pg.Client({ connectionString: stack.dbUrl });
  await db.connect();
  await service.storage.createBucket(bucket);
  await service.storage.createBucket(imagesOnly, {
    public: false,
    allowedMimeTypes: ['image/png', 'video/*'],
  });
  await service.storage.createBucket(tiny, { public: false, fileSizeLimit: 1024 });
  await service.storage.from(bucket).upload('known.txt', 'known');
});

afterAll(async () => {
  for (const id of [bucket, imagesOnly, tiny]) {
    await service.storage.emptyBucket(id);
    await service.storage.deleteBucket(id);
  }
  await db.end();
});

/** A request whose path is sent exactly as written (fetch would normalise `..`). */
function rawRequest(
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = new URL(storageUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: `${url.pathname}${path}`,
        headers: { Authorization: `Bearer ${stack.serviceRoleKey}`, 'content-type': 'text/plain' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : {} });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function objectRow(bucketId: string, name: string) {
  const { rows } = await db.query('select id from storage.objects where bucket_id = $1 and name = $2', [
    bucketId,
    name,
  ]);
  return rows[0];
}

describe('object keys that could escape the bucket folder', () => {
  it.each([
    ['a literal parent segment', `/object/${bucket}/../../../../escape.txt`],
    ['a literal parent segment in the middle', `/object/${bucket}/a/../../../b.txt`],
  ])(
    'never stores an upload whose path has %s (the URL is normalised before routing)',
    async (_what, path) => {
      const response = await rawRequest('POST', path, 'x');
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      const { rows } = await db.query(
        `select name from storage.objects where name like '%escape.txt' or name = 'b.txt'`,
      );
      expect(rows).toEqual([]);
    },
  );

  it.each([
    ['an encoded parent segment', `/object/${bucket}/..%2F..%2Fescape.txt`],
    ['an encoded parent segment in the middle', `/object/${bucket}/a%2F..%2F..%2Fescape.txt`],
    ['a current-directory segment', `/object/${bucket}/.%2Fhere.txt`],
    ['an empty segment', `/object/${bucket}/a//b.txt`],
    ['a NUL byte', `/object/${bucket}/nul%00.txt`],
    ['a newline', `/object/${bucket}/line%0Abreak.txt`],
    ['a backslash', `/object/${bucket}/a%5C..%5Cb.txt`],
    ['non-ASCII letters', `/object/${bucket}/%C3%BCber.txt`],
    ['a right-to-left override', `/object/${bucket}/evil%E2%80%AEtxt.exe`],
  ])('refuses an upload whose key has %s with 400 InvalidKey', async (_what, path) => {
    const response = await rawRequest('POST', path, 'x');
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ statusCode: '400', code: 'InvalidKey' });
    expect(String(response.json.message)).toMatch(/^Invalid key: /);
  });

  it('refuses the same keys on download, move and copy without a 500', async () => {
    expect((await rawRequest('GET', `/object/${bucket}/a%2F..%2F..%2Fknown.txt`)).json).toMatchObject({
      code: 'InvalidKey',
    });
    const moved = await service.storage.from(bucket).move('known.txt', '../outside.txt');
    expect(moved.error).toMatchObject({
      status: 400,
      statusCode: '400',
      message: 'Invalid key: ../outside.txt',
    });
    const copied = await service.storage.from(bucket).copy('known.txt', 'a/./b.txt');
    expect(copied.error).toMatchObject({ status: 400, statusCode: '400' });
    expect(await objectRow(bucket, 'known.txt')).toBeDefined();
  });
});

describe('bucket limits', () => {
  it('refuses a MIME type the bucket does not allow with invalid_mime_type', async () => {
    const { error } = await service.storage
      .from(imagesOnly)
      .upload('notes.txt', 'text', { contentType: 'text/plain' });
    expect(error).toMatchObject({
      status: 400,
      statusCode: '415',
      message: 'mime type text/plain is not supported',
    });
    expect(await objectRow(imagesOnly, 'notes.txt')).toBeUndefined();
  });

  it('accepts allowed types, including a wildcard entry', async () => {
    const files = service.storage.from(imagesOnly);
    expect((await files.upload('a.png', 'png', { contentType: 'image/png' })).error).toBeNull();
    expect((await files.upload('b.mp4', 'mp4', { contentType: 'video/mp4' })).error).toBeNull();
  });

  it('refuses a body over the bucket limit with 413 Payload too large and stores nothing', async () => {
    const { error } = await service.storage.from(tiny).upload('big.bin', Buffer.alloc(64 * 1024, 7), {
      contentType: 'application/octet-stream',
    });
    expect(error).toMatchObject({
      status: 400,
      statusCode: '413',
      message: 'The object exceeded the maximum allowed size',
    });
    expect(await objectRow(tiny, 'big.bin')).toBeUndefined();
  });

  it('refuses a streamed body of unknown length once it passes the limit', async () => {
    const chunks = Array.from({ length: 64 }, () => Buffer.alloc(1024, 1));
    const { error } = await service.storage.from(tiny).upload('streamed.bin', Readable.from(chunks), {
      contentType: 'application/octet-stream',
    });
    expect(error).toMatchObject({ status: 400, statusCode: '413' });
    expect(await objectRow(tiny, 'streamed.bin')).toBeUndefined();
  });

  it('accepts a body exactly at the limit', async () => {
    const { error } = await service.storage.from(tiny).upload('exact.bin', Buffer.alloc(1024, 2));
    expect(error).toBeNull();
  });

  it('refuses a bucket limit above the global file_size_limit', async () => {
    const { error } = await service.storage.createBucket(uniqueName('huge'), {
      public: false,
      fileSizeLimit: '500GB',
    });
    expect(error).toMatchObject({ status: 400, statusCode: '413' });
  });
});

describe('missing things', () => {
  it('answers an upload to a missing bucket with Bucket not found', async () => {
    const { error } = await service.storage.from(uniqueName('nowhere')).upload('a.txt', 'a');
    expect(error).toMatchObject({ status: 400, statusCode: '404', message: 'Bucket not found' });
  });

  it('answers an unknown storage route with 404', async () => {
    const response = await fetch(`${storageUrl}/nothing-here`, {
      headers: { Authorization: `Bearer ${stack.serviceRoleKey}` },
    });
    expect(response.status).toBe(404);
  });

  it('answers a non-JSON body with 400', async () => {
    const response = await fetch(`${storageUrl}/object/list/${bucket}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${stack.serviceRoleKey}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ statusCode: '400', error: 'InvalidRequest' });
  });
});

describe('signed URLs that must not work', () => {
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(stack.jwtSecret));

  it('refuses an expired signed download URL with hosted InvalidJWT', async () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    const token = await sign({ url: `${bucket}/known.txt`, iat: past - 60, exp: past });
    const response = await fetch(`${storageUrl}/object/sign/${bucket}/known.txt?token=${token}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      statusCode: '400',
      code: 'InvalidJWT',
      error: 'InvalidJWT',
      message: '"exp" claim timestamp check failed',
    });
  });

  it('refuses a tampered token', async () => {
    const { data } = await service.storage.from(bucket).createSignedUrl('known.txt', 60);
    const url = new URL(data?.signedUrl as string);
    const token = url.searchParams.get('token') as string;
    const [header, payload] = token.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ url: `${bucket}/other.txt`, exp: 9999999999 }),
    ).toString('base64url');
    const forged = `${header}.${forgedPayload}.${token.split('.')[2]}`;
    const response = await fetch(`${storageUrl}/object/sign/${bucket}/other.txt?token=${forged}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 'InvalidJWT',
      message: 'signature verification failed',
    });
    expect(payload).toBeTruthy();
  });

  it('refuses a valid token presented for another object', async () => {
    const { data } = await service.storage.from(bucket).createSignedUrl('known.txt', 60);
    const token = new URL(data?.signedUrl as string).searchParams.get('token');
    const response = await fetch(`${storageUrl}/object/sign/${bucket}/other.txt?token=${token}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'InvalidSignature', message: 'Invalid signature' });
  });

  it('refuses a signed URL without a token', async () => {
    const response = await fetch(`${storageUrl}/object/sign/${bucket}/known.txt`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ statusCode: '400' });
  });

  it('refuses an expired signed upload token', async () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    const token = await sign({ url: `${bucket}/late.txt`, upsert: false, iat: past - 60, exp: past });
    const { error } = await service.storage.from(bucket).uploadToSignedUrl('late.txt', token, 'late');
    expect(error).toMatchObject({
      status: 400,
      statusCode: '400',
      message: '"exp" claim timestamp check failed',
    });
    expect(await objectRow(bucket, 'late.txt')).toBeUndefined();
  });
});

describe('tokens that must not work', () => {
  it('refuses an expired user token as hosted does', async () => {
    const token = await userToken(stack.jwtSecret, crypto.randomUUID(), { expiresInSeconds: -60 });
    const response = await fetch(`${storageUrl}/object/list/${bucket}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      statusCode: '403',
      code: 'AccessDenied',
      error: 'Unauthorized',
      message: '"exp" claim timestamp check failed',
    });
  });

  it('refuses a token signed with another secret', async () => {
    const token = await userToken('another-secret-that-is-at-least-32-characters', crypto.randomUUID());
    const response = await fetch(`${storageUrl}/bucket`, { headers: { Authorization: `Bearer ${token}` } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      statusCode: '403',
      message: 'signature verification failed',
    });
  });

  it('refuses a request without any token on a private route', async () => {
    const response = await fetch(`${storageUrl}/object/authenticated/${bucket}/known.txt`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ statusCode: '403', error: 'Unauthorized' });
  });
});

describe('odd input anywhere is a 4xx, never a 500', () => {
  const auth = { Authorization: `Bearer ${stack.serviceRoleKey}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const cases: [string, string, RequestInit][] = [
    ['a NUL bucket id', '/bucket/%00', { headers: auth }],
    ['a NUL bucket id to empty', '/bucket/%00/empty', { method: 'POST', headers: auth }],
    ['a NUL bucket id to delete', '/bucket/%00', { method: 'DELETE', headers: auth }],
    [
      'an overlong bucket name',
      '/bucket',
      { method: 'POST', headers: json, body: JSON.stringify({ name: 'b'.repeat(300) }) },
    ],
    [
      'a non-boolean public flag',
      '/bucket',
      { method: 'POST', headers: json, body: JSON.stringify({ name: uniqueName('x'), public: 'yes' }) },
    ],
    ['an array body', '/bucket', { method: 'POST', headers: json, body: '[]' }],
    [
      'a NUL list prefix',
      `/object/list/${bucket}`,
      { method: 'POST', headers: json, body: JSON.stringify({ prefix: 'a\u0000' }) },
    ],
    [
      'a NUL search',
      `/object/list/${bucket}`,
      { method: 'POST', headers: json, body: JSON.stringify({ search: '\u0000' }) },
    ],
    [
      'a bad sort column',
      `/object/list/${bucket}`,
      { method: 'POST', headers: json, body: JSON.stringify({ sortBy: { column: 'id;drop' } }) },
    ],
    [
      'a negative limit',
      `/object/list/${bucket}`,
      { method: 'POST', headers: json, body: JSON.stringify({ limit: -1 }) },
    ],
    [
      'a NUL listV2 prefix',
      `/object/list-v2/${bucket}`,
      { method: 'POST', headers: json, body: JSON.stringify({ prefix: '\u0000' }) },
    ],
    [
      'a forged listV2 cursor',
      `/object/list-v2/${bucket}`,
      { method: 'POST', headers: json, body: JSON.stringify({ cursor: '!!' }) },
    ],
    [
      'a sign without expiresIn',
      `/object/sign/${bucket}/known.txt`,
      { method: 'POST', headers: json, body: '{}' },
    ],
    [
      'a batch sign with a NUL path',
      `/object/sign/${bucket}`,
      { method: 'POST', headers: json, body: JSON.stringify({ expiresIn: 60, paths: ['a\u0000b'] }) },
    ],
    [
      'a batch sign with no paths',
      `/object/sign/${bucket}`,
      { method: 'POST', headers: json, body: JSON.stringify({ expiresIn: 60, paths: [] }) },
    ],
    [
      'a remove with a NUL name',
      `/object/${bucket}`,
      { method: 'DELETE', headers: json, body: JSON.stringify({ prefixes: ['a\u0000'] }) },
    ],
    ['a remove without prefixes', `/object/${bucket}`, { method: 'DELETE', headers: json, body: '{}' }],
    [
      'a move without keys',
      '/object/move',
      { method: 'POST', headers: json, body: JSON.stringify({ bucketId: bucket }) },
    ],
    [
      'a copy from a missing bucket',
      '/object/copy',
      {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ bucketId: 'nope-nope', sourceKey: 'a', destinationKey: 'b' }),
      },
    ],
    [
      'a malformed multipart body',
      `/object/${bucket}/mp.txt`,
      {
        method: 'POST',
        headers: { ...auth, 'content-type': 'multipart/form-data; boundary=xyz' },
        body: '--xyz\r\nbroken',
      },
    ],
    [
      'multipart without a boundary',
      `/object/${bucket}/mp2.txt`,
      { method: 'POST', headers: { ...auth, 'content-type': 'multipart/form-data' }, body: 'x' },
    ],
    [
      'invalid x-metadata',
      `/object/${bucket}/meta.txt`,
      {
        method: 'POST',
        headers: { ...auth, 'x-metadata': Buffer.from('[1,2]').toString('base64') },
        body: 'x',
      },
    ],
    ['a signed upload without a token', `/object/upload/sign/${bucket}/x.txt`, { method: 'PUT', body: 'x' }],
    ['a Range of garbage', `/object/${bucket}/known.txt`, { headers: { ...auth, Range: 'bytes=zz' } }],
  ];

  it.each(cases)('%s', async (_what, path, init) => {
    const response = await fetch(`${storageUrl}${path}`, init);
    expect(response.status, await response.clone().text()).toBeLessThan(500);
    if (response.status >= 400) {
      const body = (await response.json()) as Record<string, unknown>;
      expect(typeof body.message).toBe('string');
    } else {
      await response.arrayBuffer();
    }
  });
});
