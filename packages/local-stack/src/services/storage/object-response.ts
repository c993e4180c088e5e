import { Readable } from 'node:stream';
import type { ByteRange, DiskStore } from './disk-store.ts';
import { storageErrors } from './errors.ts';
import type { ObjectRow } from './object-rows.ts';

export interface ObjectResponseOptions {
  method: 'GET' | 'HEAD';
  headers: Headers;
  /** `?download` (attachment, default name) or `?download=name`; undefined when absent. */
  download: string | undefined;
  /** Signed URLs say until when the link is valid. */
  expires?: Date;
}

/** "bytes=0-99", "bytes=100-", "bytes=-100"; one range only, as hosted serves. */
export function parseRange(header: string | null, size: number): ByteRange | undefined | 'unsatisfiable' {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(size - suffix, 0);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

/** `?download` → attachment with the default name; `?download=name` → that name. */
export function contentDisposition(download: string): string {
  if (download === '') return 'attachment;';
  const encoded = encodeURIComponent(download);
  return `attachment; filename=${encoded}; filename*=UTF-8''${encoded};`;
}

function etagMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((candidate) => bare(candidate) === bare(etag));
}

/**
 * An object's bytes as hosted Storage serves them: Content-Type/Length, Cache-Control,
 * ETag and Last-Modified from the stored metadata, 304 for a matching If-None-Match, 206
 * for a satisfiable Range, and the bytes streamed from disk.
 */
export async function objectResponse(
  store: DiskStore,
  object: ObjectRow,
  options: ObjectResponseOptions,
): Promise<Response> {
  const metadata = object.metadata;
  if (!object.version || !metadata) throw storageErrors.objectNotFound();
  const size = await store.size(object.bucket_id, object.name, object.version);
  if (size === undefined) throw storageErrors.objectNotFound();

  const headers = new Headers({
    'content-type': metadata.mimetype || 'application/octet-stream',
    'cache-control': metadata.cacheControl || 'no-cache',
    etag: metadata.eTag,
    'last-modified': new Date(metadata.lastModified ?? object.updated_at).toUTCString(),
    'accept-ranges': 'bytes',
  });
  if (options.expires) headers.set('expires', options.expires.toUTCString());
  if (options.download !== undefined)
    headers.set('content-disposition', contentDisposition(options.download));

  const ifNoneMatch = options.headers.get('if-none-match');
  const ifModifiedSince = options.headers.get('if-modified-since');
  const notModified = ifNoneMatch
    ? etagMatches(ifNoneMatch, metadata.eTag)
    : ifModifiedSince !== null &&
      Date.parse(ifModifiedSince) >= Math.floor(Date.parse(headers.get('last-modified') ?? '') / 1000) * 1000;
  if (notModified) return new Response(null, { status: 304, headers });

  const range = parseRange(options.headers.get('range'), size);
  if (range === 'unsatisfiable') {
    headers.set('content-range', `bytes */${size}`);
    throw storageErrors.invalidRange();
  }
  const length = range ? range.end - range.start + 1 : size;
  headers.set('content-length', String(length));
  if (range) headers.set('content-range', `bytes ${range.start}-${range.end}/${size}`);
  const status = range ? 206 : 200;
  if (options.method === 'HEAD' || length === 0) return new Response(null, { status, headers });

  const bytes = store.read(object.bucket_id, object.name, object.version, range);
  return new Response(Readable.toWeb(bytes) as ReadableStream<Uint8Array>, { status, headers });
}
