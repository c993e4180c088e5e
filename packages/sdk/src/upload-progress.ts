/**
 * Sending a file to a signed upload URL while reporting how much has gone. fetch cannot report
 * upload progress, so browsers (and anything else with XMLHttpRequest) send it with XHR, whose
 * `upload.onprogress` counts bytes as they leave; elsewhere (Node, Deno) fetch sends it and
 * progress is reported once, when it has all arrived.
 */

import { fromStorageError } from './error-mapping.ts';
import { GroundworkError } from './errors.ts';

/** Bytes sent so far of the file's total. */
export interface UploadProgress {
  loaded: number;
  total: number;
}

type FileBody = Blob | ArrayBuffer | ArrayBufferView;

function sizeOf(body: FileBody): number {
  return body instanceof Blob ? body.size : body.byteLength;
}

/** Storage answers failures as `{ statusCode, error, message }`, as storage-js reads them. */
function storageFailure(status: number, text: string): GroundworkError {
  let body: { statusCode?: unknown; message?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Not JSON: keep the status alone.
  }
  return fromStorageError({
    name: 'StorageApiError',
    message: typeof body.message === 'string' ? body.message : `Upload failed (HTTP ${status}).`,
    status,
    statusCode: typeof body.statusCode === 'string' ? body.statusCode : String(status),
  });
}

export async function putWithProgress(
  url: string,
  body: FileBody,
  options: {
    contentType?: string | undefined;
    upsert: boolean;
    onProgress: (progress: UploadProgress) => void;
  },
): Promise<void> {
  const total = sizeOf(body);
  const headers: Record<string, string> = { 'x-upsert': String(options.upsert) };
  if (options.contentType) headers['content-type'] = options.contentType;
  if (typeof XMLHttpRequest !== 'undefined') {
    await new Promise<void>((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open('PUT', url);
      for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
      request.upload.onprogress = (event) =>
        options.onProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : total });
      request.onload = () =>
        request.status < 300 ? resolve() : reject(storageFailure(request.status, request.responseText));
      request.onerror = () =>
        reject(new GroundworkError('network', 'The upload could not reach the server.', { status: 0 }));
      request.send(body as XMLHttpRequestBodyInit);
    });
  } else {
    let response: Response;
    try {
      response = await fetch(url, { method: 'PUT', body: body as BodyInit, headers });
    } catch (cause) {
      throw new GroundworkError('network', 'The upload could not reach the server.', { status: 0, cause });
    }
    if (!response.ok) throw storageFailure(response.status, await response.text());
  }
  options.onProgress({ loaded: total, total });
}
