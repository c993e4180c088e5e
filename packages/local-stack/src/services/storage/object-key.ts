import { storageErrors } from './errors.ts';

/**
 * Hosted Storage accepts only S3-safe characters in keys and bucket names (ASCII word
 * characters and a short list of punctuation), which already rules out control characters,
 * NUL, backslashes and every non-ASCII code point. Because our bytes live on a real file
 * system we also refuse what S3 would tolerate but a path cannot hold safely: `.`/`..`
 * segments, empty segments, a leading slash, and names longer than a file name may be.
 */
const SAFE_KEY = /^[\w/!\-.*'() &$@=;:+,?]+$/;
const SAFE_BUCKET_NAME = /^[\w!\-.*'() &$@=;:+,?]+$/;
/** S3's key limit; also keeps the on-disk path well under PATH_MAX. */
const MAX_KEY_BYTES = 1024;
/** A single path segment must fit in one file name (NAME_MAX on Linux). */
const MAX_SEGMENT_BYTES = 255;
const MAX_BUCKET_NAME_LENGTH = 100;

export function isValidObjectKey(key: string): boolean {
  if (key.length === 0 || key.length > MAX_KEY_BYTES || !SAFE_KEY.test(key)) return false;
  if (key.startsWith('/')) return false;
  // An empty segment ("a//b", "a/") has no file name on disk; "." and ".." would walk the tree.
  return key
    .split('/')
    .every(
      (segment) =>
        segment !== '' && segment !== '.' && segment !== '..' && segment.length <= MAX_SEGMENT_BYTES,
    );
}

export function assertValidObjectKey(key: string): void {
  if (!isValidObjectKey(key)) throw storageErrors.invalidKey(key);
}

export function isValidBucketName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= MAX_BUCKET_NAME_LENGTH &&
    SAFE_BUCKET_NAME.test(name) &&
    name !== '.' &&
    name !== '..'
  );
}

export function assertValidBucketName(name: string): void {
  if (!isValidBucketName(name)) throw storageErrors.invalidBucketName();
}
