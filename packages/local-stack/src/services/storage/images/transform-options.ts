import { storageErrors } from '../errors.ts';

/** The transformations storage-js sends (`TransformOptions`) and hosted's schema accepts. */
export interface TransformOptions {
  width?: number;
  height?: number;
  resize?: ResizeMode;
  format?: RequestedFormat;
  quality?: number;
}

export type ResizeMode = 'cover' | 'contain' | 'fill';
/** `origin` keeps the source's format; without a format, Accept decides (WebP when offered). */
export type RequestedFormat = 'origin' | 'avif' | 'webp';

const RESIZE_MODES: readonly string[] = ['cover', 'contain', 'fill'];
const FORMATS: readonly string[] = ['origin', 'avif', 'webp'];

/** Hosted's documented bounds: sizes outside 1–2500 px are clamped, not refused. */
export const SIZE_LIMITS = { min: 1, max: 2500 } as const;

/** imgproxy's resizing types for storage-js's modes, as hosted's ImageRenderer maps them. */
const RESIZING_TYPE: Record<ResizeMode, string> = { cover: 'fill', contain: 'fit', fill: 'force' };

/**
 * Reads the options from the query string (`path` "querystring") or a signing body's
 * `transform` (`path` "body/transform"), checked as hosted's JSON schema checks them:
 * width and height integers ≥ 0, quality 20–100, resize and format from their lists.
 * Unknown names (storage-js adds `cacheNonce`) are ignored, as Fastify ignores them.
 */
export function readTransformOptions(read: (name: string) => unknown, path: string): TransformOptions {
  const options: TransformOptions = {};
  const width = integer(read('width'), `${path}/width`, 0);
  const height = integer(read('height'), `${path}/height`, 0);
  const quality = integer(read('quality'), `${path}/quality`, 20, 100);
  const resize = oneOf(read('resize'), `${path}/resize`, RESIZE_MODES);
  const format = oneOf(read('format'), `${path}/format`, FORMATS);
  if (width !== undefined) options.width = width;
  if (height !== undefined) options.height = height;
  if (quality !== undefined) options.quality = quality;
  if (resize !== undefined) options.resize = resize as ResizeMode;
  if (format !== undefined) options.format = format as RequestedFormat;
  return options;
}

function integer(value: unknown, name: string, min: number, max?: number): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^-?\d+$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isSafeInteger(number)) throw storageErrors.invalidRequest(`${name} must be integer`);
  if (number < min) throw storageErrors.invalidRequest(`${name} must be >= ${min}`);
  if (max !== undefined && number > max) throw storageErrors.invalidRequest(`${name} must be <= ${max}`);
  return number;
}

function oneOf(value: unknown, name: string, allowed: readonly string[]): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw storageErrors.invalidRequest(`${name} must be equal to one of the allowed values`);
  }
  return value;
}

const clamp = (size: number) => Math.min(Math.max(size, SIZE_LIMITS.min), SIZE_LIMITS.max);

/** The size actually produced: 0 means "not given", anything else is clamped to hosted's bounds. */
export function targetSize(options: TransformOptions): { width?: number; height?: number } {
  return {
    ...(options.width ? { width: clamp(options.width) } : {}),
    ...(options.height ? { height: clamp(options.height) } : {}),
  };
}

/**
 * The `transformations` claim of a signed URL's token, written as hosted writes it
 * (`height:200,width:200,resize:contain,quality:60,format:webp`); an empty string means
 * there is nothing to transform and the URL stays a plain object URL.
 */
export function tokenTransformations(options: TransformOptions): string {
  const { width, height } = targetSize(options);
  const parts: string[] = [];
  if (height) parts.push(`height:${height}`);
  if (width) parts.push(`width:${width}`);
  if (width || height) parts.push(`resize:${options.resize ?? 'cover'}`);
  if (options.quality) parts.push(`quality:${options.quality}`);
  if (options.format && options.format !== 'origin') parts.push(`format:${options.format}`);
  return parts.join(',');
}

/** Reads a token's `transformations` (and its `format` claim, which carries `origin`). */
export function parseTokenTransformations(
  transformations: string,
  format: string | undefined,
): TransformOptions {
  const read = new Map<string, string>();
  for (const part of transformations.split(',')) {
    const [name, value] = part.split(':');
    // Hosted writes `resize:undefined` when none was asked for; it means the default.
    if (name && value !== undefined && value !== 'undefined') read.set(name, value);
  }
  if (format === 'origin' && !read.has('format')) read.set('format', 'origin');
  // Signed tokens are ours, but they are still input: the same checks apply.
  return readTransformOptions((name) => read.get(name), 'token/transformations');
}

/** What hosted reports in `X-Transformations`: the imgproxy options it applied. */
export function appliedTransformations(options: TransformOptions): string[] {
  const { width, height } = targetSize(options);
  const applied: string[] = [];
  if (height) applied.push(`height:${height}`);
  if (width) applied.push(`width:${width}`);
  if (width || height) applied.push(`resizing_type:${RESIZING_TYPE[options.resize ?? 'cover']}`);
  if (options.quality) applied.push(`quality:${options.quality}`);
  if (options.format && options.format !== 'origin') applied.push(`format:${options.format}`);
  return applied;
}
