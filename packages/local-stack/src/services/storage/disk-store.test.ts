import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiskStore, type DiskStore } from './disk-store.ts';

let root: string;
let store: DiskStore;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'disk-store-'));
  store = createDiskStore(root);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Every file under root, relative, temp folder included. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(dir, join(prefix, entry.name)) : [join(prefix, entry.name)],
  );
}

const chunks = (count: number, size: number) =>
  Readable.from(Array.from({ length: count }, (_, i) => Buffer.alloc(size, i % 256)));

describe('disk store', () => {
  it('writes a stream to <bucket>/<key>/~<version> and reports size and MD5', async () => {
    const stored = await store.write('b', 'folder/a.txt', 'v1', Readable.from([Buffer.from('hello')]), 100);
    expect(stored).toEqual({ size: 5, md5: '5d41402abc4b2a76b9719d911017c592' });
    expect(readFileSync(join(root, 'b', 'folder', 'a.txt', '~v1'), 'utf8')).toBe('hello');
  });

  it('stops a stream that passes the limit, and leaves no file behind', async () => {
    const source = chunks(64, 1024);
    await expect(store.write('b', 'big.bin', 'v1', source, 10_000)).rejects.toMatchObject({
      code: 'EntityTooLarge',
    });
    expect(filesUnder(root)).toEqual([]);
  });

  it('keeps "a" and "a/b" apart, as S3 does', async () => {
    await store.write('b', 'a', 'v1', Readable.from([Buffer.from('parent')]), 100);
    await store.write('b', 'a/b', 'v1', Readable.from([Buffer.from('child')]), 100);
    const read = async (key: string) => {
      let text = '';
      for await (const chunk of store.read('b', key, 'v1')) text += chunk;
      return text;
    };
    expect(await read('a')).toBe('parent');
    expect(await read('a/b')).toBe('child');
  });

  it('reads a byte range', async () => {
    await store.write('b', 'abc.txt', 'v1', Readable.from([Buffer.from('abcdef')]), 100);
    let text = '';
    for await (const chunk of store.read('b', 'abc.txt', 'v1', { start: 1, end: 3 })) text += chunk;
    expect(text).toBe('bcd');
  });

  it('removes a version and the folders it leaves empty', async () => {
    await store.write('b', 'x/y/z.txt', 'v1', Readable.from([Buffer.from('z')]), 100);
    await store.remove('b', 'x/y/z.txt', 'v1');
    expect(filesUnder(root)).toEqual([]);
    expect(readdirSync(join(root, 'b'))).toEqual([]);
  });

  it('copies and moves between buckets', async () => {
    await store.write('one', 'f.txt', 'v1', Readable.from([Buffer.from('data')]), 100);
    await store.copy(
      { bucket: 'one', key: 'f.txt', version: 'v1' },
      { bucket: 'two', key: 'g.txt', version: 'v2' },
    );
    await store.move(
      { bucket: 'one', key: 'f.txt', version: 'v1' },
      { bucket: 'two', key: 'h.txt', version: 'v3' },
    );
    expect(filesUnder(root).sort()).toEqual([join('two', 'g.txt', '~v2'), join('two', 'h.txt', '~v3')]);
  });

  it('refuses keys and bucket names that would leave the root', async () => {
    for (const [bucket, key] of [
      ['b', '../outside'],
      ['b', 'a/../../outside'],
      ['..', 'x'],
      ['b', '/etc/passwd'],
    ] as const) {
      await expect(
        store.write(bucket, key, 'v1', Readable.from([Buffer.from('x')]), 100),
      ).rejects.toMatchObject({
        code: expect.stringMatching(/InvalidKey|InvalidBucketName/),
      });
    }
    expect(filesUnder(root)).toEqual([]);
  });
});
