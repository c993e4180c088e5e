import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { storageErrors } from './errors.ts';
import { assertValidBucketName, assertValidObjectKey } from './object-key.ts';

export interface StoredBytes {
  size: number;
  /** Hex MD5 of the bytes; hosted's file backend uses it as the ETag. */
  md5: string;
}

export interface ByteRange {
  start: number;
  /** Inclusive, as in HTTP. */
  end: number;
}

/**
 * Object bytes on the local disk, at `<root>/<bucket>/<key>/~<version>`.
 *
 * Each write lands in a temp file and is renamed into place, so readers never see a
 * half-written object. Keeping the version as a file inside a folder named after the key
 * lets "a" and "a/b" coexist (as they do in S3), and lets an overwrite write a new version
 * beside the old one and drop the old one only after the database points at the new one.
 * `~` cannot occur in a valid key, so a version file never collides with a child key.
 */
export interface DiskStore {
  readonly root: string;
  /** Streams `source` to disk, failing with EntityTooLarge as soon as it passes `maxBytes`. */
  write(
    bucket: string,
    key: string,
    version: string,
    source: Readable,
    maxBytes: number,
  ): Promise<StoredBytes>;
  read(bucket: string, key: string, version: string, range?: ByteRange): Readable;
  size(bucket: string, key: string, version: string): Promise<number | undefined>;
  copy(from: ObjectLocation, to: ObjectLocation): Promise<void>;
  move(from: ObjectLocation, to: ObjectLocation): Promise<void>;
  remove(bucket: string, key: string, version: string): Promise<void>;
  removeBucket(bucket: string): Promise<void>;
}

export interface ObjectLocation {
  bucket: string;
  key: string;
  version: string;
}

/** Fails the stream once more than `maxBytes` went through, hashing what passes. */
class LimitedHashStream extends Transform {
  bytes = 0;
  private readonly hash = createHash('md5');
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(storageErrors.entityTooLarge());
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

export function createDiskStore(root: string): DiskStore {
  const absoluteRoot = resolve(root);
  const tempDir = join(absoluteRoot, '.tmp');

  // Defence in depth: keys are validated at the edge, and every path is checked again here.
  const pathOf = (bucket: string, key: string, version?: string): string => {
    assertValidBucketName(bucket);
    assertValidObjectKey(key);
    const path = resolve(absoluteRoot, bucket, key, ...(version ? [`~${version}`] : []));
    const inside = relative(absoluteRoot, path);
    if (inside.startsWith('..') || inside.startsWith(sep) || inside === '') {
      throw storageErrors.invalidKey(key);
    }
    return path;
  };

  /** Removes now-empty key folders up to (not including) the bucket folder. */
  const pruneEmptyFolders = async (bucket: string, from: string): Promise<void> => {
    const bucketDir = resolve(absoluteRoot, bucket);
    let dir = from;
    while (dir.startsWith(bucketDir + sep)) {
      try {
        await rmdir(dir);
      } catch {
        return;
      }
      dir = dirname(dir);
    }
  };

  return {
    root: absoluteRoot,

    async write(bucket, key, version, source, maxBytes) {
      const target = pathOf(bucket, key, version);
      await mkdir(tempDir, { recursive: true });
      const temp = join(tempDir, randomUUID());
      const counter = new LimitedHashStream(maxBytes);
      // The request body is piped rather than part of the pipeline: a refused upload must not
      // destroy it (that would take the keep-alive socket, and the error response, with it).
      const written = pipeline(counter, createWriteStream(temp, { flags: 'wx' }));
      const failSource = (error: Error) => counter.destroy(error);
      source.once('error', failSource);
      source.pipe(counter);
      try {
        await written;
        await mkdir(dirname(target), { recursive: true });
        await rename(temp, target);
      } catch (error) {
        source.unpipe(counter);
        // Let the rest of the body flow by unread so the client gets our answer.
        source.resume();
        await rm(temp, { force: true });
        throw error;
      } finally {
        source.off('error', failSource);
      }
      return { size: counter.bytes, md5: counter.digest() };
    },

    read(bucket, key, version, range) {
      const path = pathOf(bucket, key, version);
      return createReadStream(path, range ? { start: range.start, end: range.end } : {});
    },

    async size(bucket, key, version) {
      try {
        return (await stat(pathOf(bucket, key, version))).size;
      } catch {
        return undefined;
      }
    },

    async copy(from, to) {
      const source = pathOf(from.bucket, from.key, from.version);
      const target = pathOf(to.bucket, to.key, to.version);
      await mkdir(tempDir, { recursive: true });
      const temp = join(tempDir, randomUUID());
      try {
        await copyFile(source, temp);
        await mkdir(dirname(target), { recursive: true });
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },

    async move(from, to) {
      const source = pathOf(from.bucket, from.key, from.version);
      const target = pathOf(to.bucket, to.key, to.version);
      await mkdir(dirname(target), { recursive: true });
      await rename(source, target);
      await pruneEmptyFolders(from.bucket, dirname(source));
    },

    async remove(bucket, key, version) {
      const path = pathOf(bucket, key, version);
      try {
        await unlink(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      await pruneEmptyFolders(bucket, dirname(path));
    },

    async removeBucket(bucket) {
      assertValidBucketName(bucket);
      await rm(resolve(absoluteRoot, bucket), { recursive: true, force: true });
    },
  };
}
