import * as z from 'zod/mini';
import { callback, id, integer } from './fields.ts';

/** What storage-js uploads from every runtime: browser files, bytes, or a Blob. */
const fileBody = z.custom<Blob | ArrayBuffer | ArrayBufferView>(
  (value) =>
    (typeof Blob !== 'undefined' && value instanceof Blob) ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value),
  { error: 'must be a Blob, File, ArrayBuffer or typed array' },
);

function hasControlCharacter(text: string): boolean {
  for (const char of text) if (char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f) return true;
  return false;
}

/** One path segment: no slashes, no control characters, not `.`/`..`. */
const fileName = z.string().check(
  z.trim(),
  z.minLength(1),
  z.maxLength(200),
  z.refine((name) => !hasControlCharacter(name) && !/[/\\]/.test(name) && name !== '.' && name !== '..', {
    error: 'must be a file name without slashes or control characters',
  }),
);
const contentType = z
  .string()
  .check(z.regex(/^[\w.+-]+\/[\w.+-]+$/, { error: 'must be a MIME type like image/png' }));

export const uploadAttachmentInput = z.object({
  task_id: id,
  file: fileBody,
  file_name: fileName,
  content_type: z.optional(contentType),
  /** Replace an attachment of the same name instead of failing with `conflict`. */
  upsert: z.optional(z.boolean()),
  /** Called with `{ loaded, total }` bytes as the file goes (see gw.attachments.upload). */
  on_progress: z.optional(callback),
});

export const signedUrlInput = z.optional(z.object({ expires_in: z.optional(integer(1, 604800)) }));

export const uploadAvatarInput = z.object({
  file: fileBody,
  content_type: z.enum(['image/png', 'image/jpeg', 'image/gif', 'image/webp'], {
    error: 'must be image/png, image/jpeg, image/gif or image/webp',
  }),
});
