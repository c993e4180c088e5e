import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorageService } from '../../src/services/storage/index.ts';
import { startTestStack, type TestStack } from '../../src/testing/index.ts';

/**
 * config.toml's `[storage]` limits, on a stack of its own because they are project-wide:
 * file_size_limit = "1MiB", and a `configured` bucket declared in config.toml.
 */
const fixture = new URL('./fixtures/limits-project', import.meta.url).pathname;
const MiB = 1024 * 1024;

let stack: TestStack;
let service: SupabaseClient;

/** Every file the store holds, temp folder included. */
function storedFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

beforeAll(async () => {
  stack = await startTestStack({ workdir: fixture, services: [createStorageService] });
  service = createClient(stack.apiUrl, stack.keys.serviceRoleKey, { auth: { persistSession: false } });
  await service.storage.createBucket('open', { public: false });
});

afterAll(async () => {
  await stack?.stop();
});

describe('project-wide file_size_limit', () => {
  it('refuses a body over the global limit while streaming it, and writes nothing', async () => {
    const before = storedFiles(join(stack.stateDir, 'storage'));
    // Sent as a stream of unknown length, so only counting the bytes can catch it.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 3; i++) controller.enqueue(new Uint8Array(MiB));
        controller.close();
      },
    });
    const { error } = await service.storage.from('open').upload('too-big.bin', body, {
      contentType: 'application/octet-stream',
    });
    expect(error).toMatchObject({
      status: 400,
      statusCode: '413',
      message: 'The object exceeded the maximum allowed size',
    });
    expect(storedFiles(join(stack.stateDir, 'storage'))).toEqual(before);
    const { rows } = await stack.db.query(`select 1 from storage.objects where name = 'too-big.bin'`);
    expect(rows).toEqual([]);
  });

  it('accepts an upload at the limit and stores its bytes on disk', async () => {
    const { error } = await service.storage.from('open').upload('one-mib.bin', Buffer.alloc(MiB, 1));
    expect(error).toBeNull();
    const files = storedFiles(join(stack.stateDir, 'storage', 'open', 'one-mib.bin'));
    expect(files).toHaveLength(1);
    const removed = await service.storage.from('open').remove(['one-mib.bin']);
    expect(removed.data).toHaveLength(1);
    expect(storedFiles(join(stack.stateDir, 'storage', 'open'))).toEqual([]);
  });

  it('refuses a bucket limit above the global one', async () => {
    const { error } = await service.storage.createBucket('bigger', { public: false, fileSizeLimit: 2 * MiB });
    expect(error).toMatchObject({ statusCode: '413' });
  });
});

describe('[storage.image_transformation] enabled = false', () => {
  it('has no render routes, and signs a plain object URL even when asked to transform', async () => {
    await service.storage.from('open').upload('pic.txt', 'not even a picture', { upsert: true });
    const rendered = await fetch(
      `${stack.apiUrl}/storage/v1/render/image/authenticated/open/pic.txt?width=10`,
      {
        headers: { Authorization: `Bearer ${stack.keys.serviceRoleKey}` },
      },
    );
    expect(rendered.status).toBe(404);
    expect(await rendered.json()).toMatchObject({
      statusCode: 404,
      message: 'Route GET:/storage/v1/render/image/authenticated/open/pic.txt not found',
    });
    // Hosted with the feature off signs without the transformations.
    const { data } = await service.storage
      .from('open')
      .createSignedUrl('pic.txt', 60, { transform: { width: 10 } });
    expect(data?.signedUrl).toContain('/storage/v1/object/sign/open/pic.txt?token=');
    expect(await (await fetch(data?.signedUrl ?? '')).text()).toBe('not even a picture');
  });
});

describe('[storage.buckets] in config.toml', () => {
  it('creates the bucket with its settings when the stack starts', async () => {
    const { data } = await service.storage.getBucket('configured');
    expect(data).toMatchObject({
      id: 'configured',
      public: true,
      file_size_limit: 64 * 1024,
      allowed_mime_types: ['text/plain'],
    });
  });

  it('uploads the files under objects_path into the bucket', async () => {
    const { data } = await service.storage.from('configured').list('', { sortBy: { column: 'name' } });
    expect(data?.map((f) => f.name)).toEqual(['docs', 'readme.txt']);
    const readme = await fetch(service.storage.from('configured').getPublicUrl('readme.txt').data.publicUrl);
    expect(readme.headers.get('content-type')).toBe('text/plain');
    expect(await readme.text()).toBe('hello from config\n');
    const guide = await service.storage.from('configured').download('docs/guide.txt');
    expect(await guide.data?.text()).toBe('nested\n');
  });

  it('enforces the bucket settings from config.toml', async () => {
    const files = service.storage.from('configured');
    expect((await files.upload('a.txt', 'text', { contentType: 'text/plain' })).error).toBeNull();
    expect((await files.upload('a.png', 'png', { contentType: 'image/png' })).error).toMatchObject({
      statusCode: '415',
    });
    expect(
      (await files.upload('big.txt', Buffer.alloc(64 * 1024 + 1), { contentType: 'text/plain' })).error,
    ).toMatchObject({ statusCode: '413' });
  });
});

describe('bytes on disk follow the objects', () => {
  const bucketDir = (bucket: string) => join(stack.stateDir, 'storage', bucket);

  it('keeps one file per object across overwrites, and moves it with the object', async () => {
    await service.storage.createBucket('disk', { public: false });
    const files = service.storage.from('disk');
    await files.upload('doc.txt', 'v1');
    await files.upload('doc.txt', 'v2 longer', { upsert: true });
    await files.update('doc.txt', 'v3');
    expect(storedFiles(bucketDir('disk'))).toHaveLength(1);

    await files.move('doc.txt', 'moved/doc.txt');
    const after = storedFiles(bucketDir('disk'));
    expect(after).toHaveLength(1);
    expect(after[0]).toContain(join('disk', 'moved', 'doc.txt'));

    await files.copy('moved/doc.txt', 'copy.txt');
    expect(storedFiles(bucketDir('disk'))).toHaveLength(2);
  });

  it('removes the files when a bucket is emptied and deleted', async () => {
    await service.storage.createBucket('to-empty', { public: false });
    const files = service.storage.from('to-empty');
    for (const name of ['a.txt', 'b/c.txt', 'b/d/e.txt']) await files.upload(name, name);
    expect(storedFiles(bucketDir('to-empty'))).toHaveLength(3);
    await service.storage.emptyBucket('to-empty');
    expect(storedFiles(bucketDir('to-empty'))).toEqual([]);
    await service.storage.deleteBucket('to-empty');
    expect(existsSync(bucketDir('to-empty'))).toBe(false);
  });

  it('leaves no temp files behind after refused and accepted uploads', async () => {
    expect(storedFiles(join(stack.stateDir, 'storage', '.tmp'))).toEqual([]);
  });
});
