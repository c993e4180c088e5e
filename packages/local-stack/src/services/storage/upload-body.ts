import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type Busboy from 'busboy';
import { storageErrors } from './errors.ts';

/** An upload's bytes (not yet read) and what the request says about them. */
export interface UploadBody {
  stream: Readable;
  mimetype: string;
  cacheControl: string;
  userMetadata: Record<string, unknown> | null;
  /** Bytes the client announced for a raw body, to refuse an oversized one before reading it. */
  declaredLength: number | undefined;
}

const DEFAULT_MIME_TYPE = 'application/octet-stream';

function parseUserMetadata(json: string | undefined): Record<string, unknown> | null {
  if (json === undefined || json === '') return null;
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw storageErrors.invalidParameter('metadata', 'Invalid metadata: expected a JSON object');
}

/**
 * Reads an upload the two ways storage-js sends one: a raw body (content type, `cache-control`
 * and base64 `x-metadata` in headers), or multipart form data (storage-js's `Blob`/`File`/`FormData`
 * path) whose first file part holds the bytes and whose `cacheControl`/`metadata` fields come
 * before it. Nothing is buffered: the returned stream is the request body (or the file part).
 * `nodeBody` is the Node request itself when the gateway runs on Node: reading it directly
 * skips a web-stream round trip per chunk (the Request's own body must then stay untouched).
 */
export async function readUploadBody(request: Request, nodeBody?: Readable): Promise<UploadBody> {
  const contentType = request.headers.get('content-type') ?? '';
  let body: Readable;
  if (nodeBody) {
    body = nodeBody;
  } else {
    if (!request.body) throw storageErrors.noContent();
    body = Readable.fromWeb(request.body as WebReadableStream<Uint8Array>);
  }

  if (contentType.toLowerCase().startsWith('multipart/form-data')) {
    return readMultipart(body, request.headers);
  }

  const lengthHeader = request.headers.get('content-length');
  const rawMetadata = request.headers.get('x-metadata');
  return {
    stream: body,
    mimetype: contentType || DEFAULT_MIME_TYPE,
    cacheControl: request.headers.get('cache-control') ?? 'no-cache',
    userMetadata: rawMetadata ? parseUserMetadata(Buffer.from(rawMetadata, 'base64').toString('utf8')) : null,
    declaredLength: lengthHeader && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined,
  };
}

/**
 * busboy is loaded with the first multipart upload, not at stack start (an idle stack process
 * keeps it out of its memory). The body is not read before the parser is attached.
 */
async function readMultipart(body: Readable, headers: Headers): Promise<UploadBody> {
  const { default: createParser } = await import('busboy');
  return new Promise<UploadBody>((resolve, reject) => {
    let parser: Busboy.Busboy;
    try {
      parser = createParser({
        headers: Object.fromEntries(headers.entries()),
        limits: { files: 1, fields: 10, fieldSize: 1024 * 1024 },
      });
    } catch {
      reject(storageErrors.invalidRequest('Malformed multipart body'));
      return;
    }
    const fields: Record<string, string> = {};
    let settled = false;
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (_name, file, info) => {
      if (settled) {
        file.resume();
        return;
      }
      settled = true;
      // A malformed body after the file started must fail the file stream, not hang it.
      parser.on('error', (error: Error) => file.destroy(error));
      try {
        resolve({
          stream: file,
          mimetype: info.mimeType || fields.contentType || DEFAULT_MIME_TYPE,
          cacheControl: fields.cacheControl ? `max-age=${fields.cacheControl}` : 'no-cache',
          userMetadata: parseUserMetadata(fields.metadata),
          declaredLength: undefined,
        });
      } catch (error) {
        file.resume();
        reject(error);
      }
    });
    parser.on('error', () => {
      if (!settled) {
        settled = true;
        reject(storageErrors.invalidRequest('Malformed multipart body'));
      }
    });
    parser.on('close', () => {
      if (!settled) {
        settled = true;
        reject(storageErrors.noContent());
      }
    });
    body.on('error', (error) => parser.destroy(error));
    body.pipe(parser);
  });
}

/** `allowed_mime_types` entries may be exact ("image/png") or wildcards ("image/*"). */
export function isMimeTypeAllowed(mimetype: string, allowed: string[] | null): boolean {
  if (!allowed || allowed.length === 0) return true;
  const [type] = mimetype.toLowerCase().split(';');
  const bare = (type ?? '').trim();
  return allowed.some((pattern) => {
    const wanted = pattern.toLowerCase().trim();
    if (wanted === '*/*' || wanted === '*') return true;
    if (wanted.endsWith('/*')) return bare.startsWith(wanted.slice(0, -1));
    return bare === wanted;
  });
}
