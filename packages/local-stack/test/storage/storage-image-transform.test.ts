import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackClients, uniqueName } from './storage-client.ts';

/**
 * Image transformations as storage-js asks for them (`download`, `getPublicUrl` and
 * `createSignedUrl` with `transform`), on the shared stack, where config.toml leaves
 * `[storage.image_transformation]` at the CLI's default (on).
 */
const { service, anon, storageUrl, stack } = stackClients();
const privateBucket = uniqueName('images');
const publicBucket = uniqueName('images-public');
const WEBP = 'image/avif,image/webp,image/apng,*/*;q=0.8';
const serviceAuth = { Authorization: `Bearer ${stack.serviceRoleKey}` };

/** A 1000×500 photo-like JPEG (a gradient, so encoders have something to do). */
async function photo(width = 1000, height = 500): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7) % 251;
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function decoded(body: ArrayBuffer | Blob) {
  const bytes = Buffer.from(body instanceof Blob ? await body.arrayBuffer() : body);
  const { format, width, height } = await sharp(bytes).metadata();
  return { format, width, height, size: bytes.length };
}

beforeAll(async () => {
  await service.storage.createBucket(privateBucket, { public: false });
  await service.storage.createBucket(publicBucket, { public: true });
  const jpeg = await photo();
  for (const bucket of [privateBucket, publicBucket]) {
    const { error } = await service.storage
      .from(bucket)
      .upload('cat.jpg', jpeg, { contentType: 'image/jpeg' });
    expect(error).toBeNull();
  }
  await service.storage
    .from(privateBucket)
    .upload('notes.txt', 'not a picture', { contentType: 'image/png' });
});

afterAll(async () => {
  for (const bucket of [privateBucket, publicBucket]) {
    await service.storage.emptyBucket(bucket);
    await service.storage.deleteBucket(bucket);
  }
});

describe('resizing', () => {
  it('downloads a resized image, keeping the aspect ratio when one side is given', async () => {
    const { data, error } = await service.storage
      .from(privateBucket)
      .download('cat.jpg', { transform: { width: 200 } });
    expect(error).toBeNull();
    // Node's fetch does not offer WebP, so the source's format is kept.
    expect(data?.type).toBe('image/jpeg');
    expect(await decoded(data as Blob)).toMatchObject({ format: 'jpeg', width: 200, height: 100 });
  });

  it('applies cover, contain and fill as hosted documents them', async () => {
    const sizes: Record<string, [number, number]> = {
      cover: [200, 200],
      contain: [200, 100],
      fill: [200, 200],
    };
    for (const [resize, [width, height]] of Object.entries(sizes)) {
      const { data } = anon.storage.from(publicBucket).getPublicUrl('cat.jpg', {
        transform: { width: 200, height: 200, resize: resize as 'cover' | 'contain' | 'fill' },
      });
      expect(data.publicUrl).toContain('/render/image/public/');
      const response = await fetch(data.publicUrl);
      expect(response.status).toBe(200);
      expect(await decoded(await response.arrayBuffer())).toMatchObject({ width, height });
    }
  });

  it('clamps sizes to hosted limits and never enlarges, reporting what it applied', async () => {
    const response = await fetch(`${storageUrl}/render/image/public/${publicBucket}/cat.jpg?width=9000`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-transformations')).toBe('width:2500,resizing_type:fill');
    expect(await decoded(await response.arrayBuffer())).toMatchObject({ width: 1000, height: 500 });
  });
});

describe('formats and quality', () => {
  it('answers WebP to a client that accepts it, unless the original format is asked for', async () => {
    const url = `${storageUrl}/render/image/public/${publicBucket}/cat.jpg?width=300`;
    const webp = await fetch(url, { headers: { Accept: WEBP } });
    expect(webp.headers.get('content-type')).toBe('image/webp');
    expect(await decoded(await webp.arrayBuffer())).toMatchObject({ format: 'webp', width: 300 });

    const origin = await fetch(`${url}&format=origin`, { headers: { Accept: WEBP } });
    expect(origin.headers.get('content-type')).toBe('image/jpeg');
    expect(await decoded(await origin.arrayBuffer())).toMatchObject({ format: 'jpeg', width: 300 });

    const avif = await fetch(`${url}&format=avif`);
    expect(avif.headers.get('content-type')).toBe('image/avif');
    expect((await decoded(await avif.arrayBuffer())).format).toBe('heif');
  });

  it('encodes at quality 80 unless told otherwise', async () => {
    const url = `${storageUrl}/render/image/public/${publicBucket}/cat.jpg?width=400&format=webp`;
    const sizeAt = async (query: string) => (await (await fetch(url + query)).arrayBuffer()).byteLength;
    const byDefault = await sizeAt('');
    expect(byDefault).toBe(await sizeAt('&quality=80'));
    expect(await sizeAt('&quality=20')).toBeLessThan(byDefault);
  });

  it('sends the source ETag and Cache-Control, and Content-Disposition for ?download', async () => {
    const original = await fetch(`${storageUrl}/object/public/${publicBucket}/cat.jpg`, { method: 'HEAD' });
    const response = await fetch(
      `${storageUrl}/render/image/public/${publicBucket}/cat.jpg?width=50&download=small.jpg`,
    );
    expect(response.headers.get('etag')).toBe(original.headers.get('etag'));
    expect(response.headers.get('cache-control')).toBe(original.headers.get('cache-control'));
    expect(response.headers.get('content-disposition')).toBe(
      "attachment; filename=small.jpg; filename*=UTF-8''small.jpg;",
    );
    const body = await response.arrayBuffer();
    expect(response.headers.get('content-length')).toBe(String(body.byteLength));
  });
});

describe('signed URLs', () => {
  it('signs the transformations into the token, where the query cannot change them', async () => {
    const { data, error } = await service.storage
      .from(privateBucket)
      .createSignedUrl('cat.jpg', 60, { transform: { width: 120, height: 120, resize: 'contain' } });
    expect(error).toBeNull();
    expect(data?.signedUrl).toContain(`/storage/v1/render/image/sign/${privateBucket}/cat.jpg?token=`);
    const response = await fetch(`${data?.signedUrl}&width=900`);
    expect(response.status).toBe(200);
    expect(response.headers.get('expires')).toMatch(/GMT$/);
    expect(await decoded(await response.arrayBuffer())).toMatchObject({ width: 120, height: 60 });
  });

  it('keeps serving plain objects at signed URLs without transformations', async () => {
    const { data } = await service.storage.from(privateBucket).createSignedUrl('cat.jpg', 60);
    expect(data?.signedUrl).toContain('/storage/v1/object/sign/');
    expect(await decoded(await (await fetch(data?.signedUrl ?? '')).arrayBuffer())).toMatchObject({
      width: 1000,
      height: 500,
    });
  });

  it('refuses a signed object token for another image', async () => {
    const { data } = await service.storage
      .from(privateBucket)
      .createSignedUrl('cat.jpg', 60, { transform: { width: 10 } });
    const token = new URL(data?.signedUrl ?? '').searchParams.get('token');
    const response = await fetch(`${storageUrl}/render/image/sign/${privateBucket}/notes.txt?token=${token}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ statusCode: '400', code: 'InvalidSignature' });
  });
});

describe('refusals', () => {
  it('answers a non-image with imgproxy 422 "Invalid source image", never the original', async () => {
    const { data, error } = await service.storage
      .from(privateBucket)
      .download('notes.txt', { transform: { width: 100 } });
    expect(data).toBeNull();
    expect(error).toMatchObject({ status: 400 });
    const response = await fetch(
      `${storageUrl}/render/image/authenticated/${privateBucket}/notes.txt?width=100`,
      {
        headers: serviceAuth,
      },
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      statusCode: '422',
      code: 'InvalidRequest',
      error: 'InvalidRequest',
      message: 'Invalid source image',
    });
  });

  it('refuses sources over 50 MP or 25 MB', async () => {
    const files = service.storage.from(privateBucket);
    const huge = await sharp({ create: { width: 8000, height: 7000, channels: 3, background: '#888' } })
      .png()
      .toBuffer();
    await files.upload('huge.png', huge, { contentType: 'image/png' });
    await files.upload('heavy.jpg', Buffer.alloc(26 * 1024 * 1024), { contentType: 'image/jpeg' });
    for (const name of ['huge.png', 'heavy.jpg']) {
      const response = await fetch(
        `${storageUrl}/render/image/authenticated/${privateBucket}/${name}?width=10`,
        {
          headers: serviceAuth,
        },
      );
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ statusCode: '422', message: 'Invalid source image' });
    }
  });

  it.each([
    ['width=-1', 'querystring/width must be >= 0'],
    ['height=wide', 'querystring/height must be integer'],
    ['quality=10', 'querystring/quality must be >= 20'],
    ['quality=101', 'querystring/quality must be <= 100'],
    ['resize=stretch', 'querystring/resize must be equal to one of the allowed values'],
    ['format=gif', 'querystring/format must be equal to one of the allowed values'],
  ])('refuses %s with a 400 naming the option', async (query, message) => {
    const response = await fetch(`${storageUrl}/render/image/public/${publicBucket}/cat.jpg?${query}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ statusCode: '400', code: 'InvalidRequest', message });
  });

  it('decides who may see the picture as the plain object routes do', async () => {
    const hidden = await fetch(`${storageUrl}/render/image/public/${privateBucket}/cat.jpg?width=10`);
    expect(hidden.status).toBe(400);
    expect(await hidden.json()).toMatchObject({ statusCode: '404', message: 'Bucket not found' });
    const noToken = await fetch(`${storageUrl}/render/image/authenticated/${privateBucket}/cat.jpg?width=10`);
    expect(noToken.status).toBe(400);
    expect(await noToken.json()).toMatchObject({ statusCode: '403', error: 'Unauthorized' });
    const missing = await service.storage
      .from(privateBucket)
      .download('nope.jpg', { transform: { width: 10 } });
    expect(missing.error).toMatchObject({ status: 400 });
  });
});
