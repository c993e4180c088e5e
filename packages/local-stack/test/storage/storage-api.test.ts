import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackClients, uniqueName, userToken } from './storage-client.ts';

const { service, anon, asUser, storageUrl, stack } = stackClients();
const bucket = uniqueName('api');
const publicBucket = uniqueName('api-public');

beforeAll(async () => {
  expect((await service.storage.createBucket(bucket, { public: false })).error).toBeNull();
  expect((await service.storage.createBucket(publicBucket, { public: true })).error).toBeNull();
});

afterAll(async () => {
  for (const id of [bucket, publicBucket]) {
    await service.storage.emptyBucket(id);
    await service.storage.deleteBucket(id);
  }
});

describe('buckets', () => {
  it('creates, reads, lists, updates, empties and deletes a bucket', async () => {
    const id = uniqueName('lifecycle');
    const created = await service.storage.createBucket(id, {
      public: false,
      fileSizeLimit: '1MB',
      allowedMimeTypes: ['image/png'],
    });
    expect(created).toEqual({ data: { name: id }, error: null });

    const { data: got } = await service.storage.getBucket(id);
    expect(got).toMatchObject({ id, name: id, public: false, file_size_limit: 1_000_000 });
    expect(got?.allowed_mime_types).toEqual(['image/png']);

    const { data: listed } = await service.storage.listBuckets({ search: id });
    expect(listed?.map((b) => b.id)).toEqual([id]);

    const updated = await service.storage.updateBucket(id, {
      public: true,
      fileSizeLimit: 2048,
      allowedMimeTypes: null,
    });
    expect(updated).toEqual({ data: { message: 'Successfully updated' }, error: null });
    const { data: after } = await service.storage.getBucket(id);
    expect(after).toMatchObject({ public: true, file_size_limit: 2048, allowed_mime_types: null });

    await service.storage.from(id).upload('a.txt', 'hello');
    const refused = await service.storage.deleteBucket(id);
    expect(refused.error).toMatchObject({ status: 400, statusCode: '409' });
    expect(refused.error?.message).toBe('The bucket you tried to delete is not empty');

    expect(await service.storage.emptyBucket(id)).toEqual({
      data: { message: 'Empty bucket has been queued. Completion may take up to an hour.' },
      error: null,
    });
    expect(await service.storage.deleteBucket(id)).toEqual({
      data: { message: 'Successfully deleted' },
      error: null,
    });
    const gone = await service.storage.getBucket(id);
    expect(gone.error).toMatchObject({ status: 400, statusCode: '404', message: 'Bucket not found' });
  });

  it('answers get-bucket without a type, which only the list carries', async () => {
    const { data: got } = await service.storage.getBucket(bucket);
    expect(got).toMatchObject({ id: bucket, name: bucket, public: false });
    expect(got).not.toHaveProperty('type');
    const { data: listed } = await service.storage.listBuckets({ search: bucket });
    expect(listed?.find((b) => b.id === bucket)).toMatchObject({ id: bucket, type: 'STANDARD' });
  });

  it('empties a bucket for the service role only, answering as current Storage does', async () => {
    const id = uniqueName('emptied');
    await service.storage.createBucket(id, { public: true });
    const files = service.storage.from(id);
    for (const name of ['a.txt', 'deep/b.txt', 'deep/er/c.txt']) await files.upload(name, name);

    const user = asUser(await userToken(stack.jwtSecret, crypto.randomUUID()));
    for (const client of [anon, user]) {
      const refused = await client.storage.emptyBucket(id);
      expect(refused.error).toMatchObject({
        status: 403,
        statusCode: '403',
        message: 'Access denied: Invalid role',
      });
    }
    const raw = await fetch(`${storageUrl}/bucket/${id}/empty`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${stack.anonKey}` },
    });
    expect(raw.status).toBe(403);
    expect(await raw.json()).toEqual({
      statusCode: '403',
      code: 'AccessDenied',
      error: 'Unauthorized',
      message: 'Access denied: Invalid role',
    });
    expect((await files.listV2()).data?.objects).toHaveLength(3);

    expect(await service.storage.emptyBucket(id)).toEqual({
      data: { message: 'Empty bucket has been queued. Completion may take up to an hour.' },
      error: null,
    });
    expect((await files.listV2()).data?.objects).toEqual([]);
    // Emptying an empty bucket answers the same; a missing one is Bucket not found.
    expect((await service.storage.emptyBucket(id)).error).toBeNull();
    expect(await service.storage.deleteBucket(id)).toMatchObject({ error: null });
    expect((await service.storage.emptyBucket(id)).error).toMatchObject({
      status: 400,
      statusCode: '404',
      message: 'Bucket not found',
    });
  });

  it('refuses a second bucket with the same id', async () => {
    const again = await service.storage.createBucket(bucket);
    expect(again.error).toMatchObject({
      status: 400,
      statusCode: '409',
      message: 'The resource already exists',
    });
  });

  it('refuses an invalid bucket name', async () => {
    const { error } = await service.storage.createBucket('no/slashes');
    expect(error).toMatchObject({ status: 400, statusCode: '400', message: 'Bucket name invalid' });
  });
});

describe('upload and download', () => {
  it('uploads a raw body with content type and cache control, and downloads the same bytes', async () => {
    const files = service.storage.from(bucket);
    const { data, error } = await files.upload('docs/readme.txt', Buffer.from('hello world'), {
      contentType: 'text/markdown',
      cacheControl: '120',
    });
    expect(error).toBeNull();
    expect(data).toMatchObject({ path: 'docs/readme.txt', fullPath: `${bucket}/docs/readme.txt` });
    expect(data?.id).toMatch(/^[0-9a-f-]{36}$/);

    const downloaded = await files.download('docs/readme.txt');
    expect(await downloaded.data?.text()).toBe('hello world');
    expect(downloaded.data?.type).toBe('text/markdown');

    const response = await fetch(`${storageUrl}/object/${bucket}/docs/readme.txt`, {
      headers: { Authorization: `Bearer ${stack.serviceRoleKey}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/markdown');
    expect(response.headers.get('content-length')).toBe('11');
    expect(response.headers.get('cache-control')).toBe('max-age=120');
    expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('uploads a Blob as multipart form data with its type and user metadata', async () => {
    const files = service.storage.from(bucket);
    const blob = new Blob([new Uint8Array([1, 2, 3, 4])], { type: 'image/png' });
    const { error } = await files.upload('images/dot.png', blob, { metadata: { kind: 'icon' } });
    expect(error).toBeNull();
    const { data: info } = await files.info('images/dot.png');
    expect(info).toMatchObject({
      name: 'images/dot.png',
      size: 4,
      contentType: 'image/png',
      cacheControl: 'max-age=3600',
    });
    expect(info?.metadata).toEqual({ kind: 'icon' });
  });

  it('uploads from a stream', async () => {
    const files = service.storage.from(bucket);
    const stream = Readable.from([Buffer.from('chunk-1 '), Buffer.from('chunk-2')]);
    const { error } = await files.upload('streamed.txt', stream, { contentType: 'text/plain' });
    expect(error).toBeNull();
    expect(await (await files.download('streamed.txt')).data?.text()).toBe('chunk-1 chunk-2');
  });

  it('refuses to overwrite without upsert, and overwrites with it', async () => {
    const files = service.storage.from(bucket);
    await files.upload('same.txt', 'first');
    const again = await files.upload('same.txt', 'second');
    expect(again.error).toMatchObject({
      status: 400,
      statusCode: '409',
      message: 'The resource already exists',
    });
    const upserted = await files.upload('same.txt', 'third', { upsert: true });
    expect(upserted.error).toBeNull();
    expect(await (await files.download('same.txt')).data?.text()).toBe('third');
  });

  it('updates an existing object and refuses to update a missing one', async () => {
    const files = service.storage.from(bucket);
    await files.upload('update-me.txt', 'old');
    expect((await files.update('update-me.txt', 'new', { contentType: 'text/csv' })).error).toBeNull();
    const { data } = await files.download('update-me.txt');
    expect(await data?.text()).toBe('new');
    expect(data?.type).toBe('text/csv');
    const missing = await files.update('never-was.txt', 'x');
    expect(missing.error).toMatchObject({ status: 400, statusCode: '404', message: 'Object not found' });
  });

  it('reports whether an object exists', async () => {
    const files = service.storage.from(bucket);
    await files.upload('exists.txt', 'yes');
    expect(await files.exists('exists.txt')).toMatchObject({ data: true, error: null });
    expect((await files.exists('nope.txt')).data).toBe(false);
  });

  it('answers a download of a missing object with hosted Object not found', async () => {
    const { error } = await service.storage.from(bucket).download('missing.txt');
    expect(error).toMatchObject({ status: 400 });
    const response = await fetch(`${storageUrl}/object/${bucket}/missing.txt`, {
      headers: { Authorization: `Bearer ${stack.serviceRoleKey}` },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      statusCode: '404',
      code: 'NoSuchKey',
      error: 'not_found',
      message: 'Object not found',
    });
  });
});

describe('HTTP semantics of downloads', () => {
  const path = 'http/alphabet.txt';
  beforeAll(async () => {
    await service.storage
      .from(bucket)
      .upload(path, 'abcdefghijklmnopqrstuvwxyz', { contentType: 'text/plain' });
  });
  const get = (headers: Record<string, string> = {}) =>
    fetch(`${storageUrl}/object/authenticated/${bucket}/${path}`, {
      headers: { Authorization: `Bearer ${stack.serviceRoleKey}`, ...headers },
    });

  it('serves a byte range with 206 and Content-Range', async () => {
    const response = await get({ Range: 'bytes=2-5' });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe('bytes 2-5/26');
    expect(response.headers.get('content-length')).toBe('4');
    expect(await response.text()).toBe('cdef');
    const suffix = await get({ Range: 'bytes=-3' });
    expect(await suffix.text()).toBe('xyz');
  });

  it('answers an unsatisfiable range with hosted invalid_range', async () => {
    const response = await get({ Range: 'bytes=100-200' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ statusCode: '400', error: 'invalid_range' });
  });

  it('answers 304 when If-None-Match carries the current ETag', async () => {
    const first = await get();
    const etag = first.headers.get('etag') as string;
    await first.arrayBuffer();
    const again = await get({ 'If-None-Match': etag });
    expect(again.status).toBe(304);
    const changed = await get({ 'If-None-Match': '"something-else"' });
    expect(changed.status).toBe(200);
    await changed.arrayBuffer();
  });

  it('sets Content-Disposition for ?download', async () => {
    const plain = await fetch(`${storageUrl}/object/${bucket}/${path}?download`, {
      headers: { Authorization: `Bearer ${stack.serviceRoleKey}` },
    });
    expect(plain.headers.get('content-disposition')).toBe('attachment;');
    await plain.arrayBuffer();
    const named = await fetch(`${storageUrl}/object/${bucket}/${path}?download=abc.txt`, {
      headers: { Authorization: `Bearer ${stack.serviceRoleKey}` },
    });
    expect(named.headers.get('content-disposition')).toBe(
      "attachment; filename=abc.txt; filename*=UTF-8''abc.txt;",
    );
    await named.arrayBuffer();
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await fetch(`${storageUrl}/object/${bucket}/${path}`, {
      method: 'HEAD',
      headers: { Authorization: `Bearer ${stack.serviceRoleKey}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('26');
  });
});

describe('list, remove, move, copy', () => {
  const folder = uniqueName('list');
  beforeAll(async () => {
    const files = service.storage.from(bucket);
    for (const name of ['b.txt', 'a.txt', 'c.txt', 'sub/d.txt', 'sub/deeper/e.txt']) {
      await files.upload(`${folder}/${name}`, name);
    }
  });

  it('lists one level: folders first, then files, sorted and paged', async () => {
    const files = service.storage.from(bucket);
    const { data } = await files.list(folder);
    expect(data?.map((f) => f.name)).toEqual(['sub', 'a.txt', 'b.txt', 'c.txt']);
    expect(data?.[0]).toMatchObject({ name: 'sub', id: null, metadata: null });
    expect(data?.[1]?.metadata).toMatchObject({ size: 5, mimetype: 'text/plain;charset=UTF-8' });

    const page = await files.list(folder, { limit: 2, offset: 1 });
    expect(page.data?.map((f) => f.name)).toEqual(['a.txt', 'b.txt']);
    const desc = await files.list(folder, { sortBy: { column: 'name', order: 'desc' } });
    expect(desc.data?.map((f) => f.name)).toEqual(['sub', 'c.txt', 'b.txt', 'a.txt']);
    const searched = await files.list(folder, { search: 'b' });
    expect(searched.data?.map((f) => f.name)).toEqual(['b.txt']);
    const nested = await files.list(`${folder}/sub`);
    expect(nested.data?.map((f) => f.name)).toEqual(['deeper', 'd.txt']);
  });

  it('removes many objects at once and returns them', async () => {
    const files = service.storage.from(bucket);
    await files.upload(`${folder}/gone-1.txt`, '1');
    await files.upload(`${folder}/gone-2.txt`, '2');
    const { data, error } = await files.remove([
      `${folder}/gone-1.txt`,
      `${folder}/gone-2.txt`,
      `${folder}/none`,
    ]);
    expect(error).toBeNull();
    expect(data?.map((f) => f.name).sort()).toEqual([`${folder}/gone-1.txt`, `${folder}/gone-2.txt`]);
    expect((await files.exists(`${folder}/gone-1.txt`)).data).toBe(false);
  });

  it('moves an object, within and across buckets', async () => {
    const files = service.storage.from(bucket);
    await files.upload(`${folder}/move-me.txt`, 'moving');
    expect(await files.move(`${folder}/move-me.txt`, `${folder}/moved.txt`)).toEqual({
      data: { message: 'Successfully moved' },
      error: null,
    });
    expect((await files.exists(`${folder}/move-me.txt`)).data).toBe(false);
    expect(await (await files.download(`${folder}/moved.txt`)).data?.text()).toBe('moving');

    await files.move(`${folder}/moved.txt`, `${folder}/elsewhere.txt`, { destinationBucket: publicBucket });
    const { data } = await service.storage.from(publicBucket).download(`${folder}/elsewhere.txt`);
    expect(await data?.text()).toBe('moving');
    const missing = await files.move(`${folder}/never.txt`, `${folder}/x.txt`);
    expect(missing.error).toMatchObject({ statusCode: '404', message: 'Object not found' });
  });

  it('copies an object and keeps the source', async () => {
    const files = service.storage.from(bucket);
    await files.upload(`${folder}/original.txt`, 'copy me', { contentType: 'text/x-original' });
    const { data, error } = await files.copy(`${folder}/original.txt`, `${folder}/copy.txt`);
    expect(error).toBeNull();
    expect(data).toEqual({ path: `${bucket}/${folder}/copy.txt` });
    const copied = await files.download(`${folder}/copy.txt`);
    expect(await copied.data?.text()).toBe('copy me');
    expect(copied.data?.type).toBe('text/x-original');
    expect(await (await files.download(`${folder}/original.txt`)).data?.text()).toBe('copy me');
  });
});

describe('signed and public URLs', () => {
  beforeAll(async () => {
    await service.storage
      .from(bucket)
      .upload('signed/report.pdf', 'pdf bytes', { contentType: 'application/pdf' });
    await service.storage.from(publicBucket).upload('logo.txt', 'public bytes');
  });

  it('makes a signed download URL anyone can fetch until it expires', async () => {
    const { data, error } = await service.storage.from(bucket).createSignedUrl('signed/report.pdf', 60);
    expect(error).toBeNull();
    const response = await fetch(data?.signedUrl as string);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(await response.text()).toBe('pdf bytes');
  });

  it('adds Content-Disposition when the signed URL asks for a download', async () => {
    const { data } = await service.storage
      .from(bucket)
      .createSignedUrl('signed/report.pdf', 60, { download: 'report-2024.pdf' });
    const response = await fetch(data?.signedUrl as string);
    expect(response.headers.get('content-disposition')).toContain('filename=report-2024.pdf');
    await response.arrayBuffer();
  });

  it('signs many paths at once and reports the ones that do not exist', async () => {
    const { data, error } = await service.storage
      .from(bucket)
      .createSignedUrls(['signed/report.pdf', 'signed/missing.pdf'], 60);
    expect(error).toBeNull();
    expect(data?.[0]).toMatchObject({ path: 'signed/report.pdf', error: null });
    expect(data?.[1]).toMatchObject({
      path: 'signed/missing.pdf',
      signedUrl: null,
      error: 'Either the object does not exist or you do not have access to it',
    });
    const response = await fetch(data?.[0]?.signedUrl as string);
    expect(await response.text()).toBe('pdf bytes');
  });

  it('refuses to sign a missing object', async () => {
    const { error } = await service.storage.from(bucket).createSignedUrl('signed/missing.pdf', 60);
    expect(error).toMatchObject({ statusCode: '404', message: 'Object not found' });
  });

  it('makes a signed upload URL that takes one upload', async () => {
    const files = service.storage.from(bucket);
    const { data, error } = await files.createSignedUploadUrl('signed/upload.txt');
    expect(error).toBeNull();
    expect(data?.path).toBe('signed/upload.txt');
    const uploaded = await anon.storage
      .from(bucket)
      .uploadToSignedUrl('signed/upload.txt', data?.token as string, 'via signed url');
    expect(uploaded.error).toBeNull();
    expect(uploaded.data).toMatchObject({
      path: 'signed/upload.txt',
      fullPath: `${bucket}/signed/upload.txt`,
    });
    expect(await (await files.download('signed/upload.txt')).data?.text()).toBe('via signed url');
    const twice = await anon.storage
      .from(bucket)
      .uploadToSignedUrl('signed/upload.txt', data?.token as string, 'x');
    expect(twice.error).toMatchObject({ statusCode: '409' });
  });

  it('serves public buckets without a token at the public URL, and hides private ones there', async () => {
    const { data } = anon.storage.from(publicBucket).getPublicUrl('logo.txt');
    const response = await fetch(data.publicUrl);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('public bytes');

    const privateUrl = anon.storage.from(bucket).getPublicUrl('signed/report.pdf').data.publicUrl;
    const refused = await fetch(privateUrl);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ statusCode: '404', message: 'Bucket not found' });
  });
});

describe('listV2, streams and cache purges', () => {
  const folder = uniqueName('v2');
  beforeAll(async () => {
    const files = service.storage.from(bucket);
    for (const name of ['b.txt', 'a.txt', 'sub/c.txt', 'sub/d.txt', 'other/e.txt']) {
      await files.upload(`${folder}/${name}`, name);
    }
  });

  it('lists full keys under a prefix, flat or grouped into folders', async () => {
    const files = service.storage.from(bucket);
    const flat = await files.listV2({ prefix: `${folder}/` });
    expect(flat.error).toBeNull();
    expect(flat.data?.objects.map((o) => o.name)).toEqual(
      ['a.txt', 'b.txt', 'other/e.txt', 'sub/c.txt', 'sub/d.txt'].map((name) => `${folder}/${name}`),
    );
    expect(flat.data).toMatchObject({ hasNext: false, folders: [] });

    const grouped = await files.listV2({ prefix: `${folder}/`, with_delimiter: true });
    expect(grouped.data?.folders.map((f) => f.name)).toEqual([`${folder}/other/`, `${folder}/sub/`]);
    expect(grouped.data?.objects.map((o) => o.name)).toEqual([`${folder}/a.txt`, `${folder}/b.txt`]);
  });

  it('gives grouped entries their own segment as key: folders without a trailing slash', async () => {
    const files = service.storage.from(bucket);
    const { data } = await files.listV2({ prefix: `${folder}/`, with_delimiter: true });
    expect(data?.folders).toEqual([
      expect.objectContaining({ key: 'other', name: `${folder}/other/`, id: null, created_at: null }),
      expect.objectContaining({ key: 'sub', name: `${folder}/sub/`, id: null, created_at: null }),
    ]);
    expect(data?.objects.map((o) => [o.key, o.name])).toEqual([
      ['a.txt', `${folder}/a.txt`],
      ['b.txt', `${folder}/b.txt`],
    ]);
    // Sorted by time a folder dates from its first object; a flat listing has no keys.
    const byTime = await files.listV2({
      prefix: `${folder}/`,
      with_delimiter: true,
      sortBy: { column: 'created_at' },
    });
    expect(byTime.data?.folders.every((f) => f.key && !f.key.endsWith('/'))).toBe(true);
    expect(byTime.data?.folders[0]).toHaveProperty('created_at', expect.any(String));
    const flat = await files.listV2({ prefix: `${folder}/` });
    expect(flat.data?.objects[0]).not.toHaveProperty('key');
  });

  it('pages with a cursor until hasNext is false', async () => {
    const files = service.storage.from(bucket);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const { data } = await files.listV2({ prefix: `${folder}/`, limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...(data?.objects.map((o) => o.name) ?? []));
      if (!data?.hasNext) break;
      cursor = data.nextCursor;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it('downloads as a stream', async () => {
    const { data, error } = await service.storage.from(bucket).download(`${folder}/a.txt`).asStream();
    expect(error).toBeNull();
    const text = await new Response(data as ReadableStream).text();
    expect(text).toBe('a.txt');
  });

  it('accepts cache purges (there is no CDN locally)', async () => {
    const files = service.storage.from(bucket);
    expect((await files.purgeCache(`${folder}/a.txt`)).error).toBeNull();
    expect((await service.storage.purgeBucketCache(bucket)).error).toBeNull();
  });
});

describe('requests without any token', () => {
  it('reads public buckets at the plain object path, as hosted does, and nothing else', async () => {
    await service.storage.from(publicBucket).upload('plain/open.txt', 'open');
    const head = await fetch(`${storageUrl}/object/${publicBucket}/plain/open.txt`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('4');
    const info = await fetch(`${storageUrl}/object/info/${publicBucket}/plain/open.txt`);
    expect(await info.json()).toMatchObject({ name: 'plain/open.txt', size: 4 });
    const hidden = await fetch(`${storageUrl}/object/${bucket}/docs/readme.txt`);
    expect(hidden.status).toBe(400);
    expect(await hidden.json()).toMatchObject({ statusCode: '404', message: 'Bucket not found' });
  });
});
