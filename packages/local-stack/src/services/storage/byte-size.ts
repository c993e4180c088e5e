import { storageErrors } from './errors.ts';

const BINARY_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/**
 * config.toml sizes ("50MiB", "5MB", "500KB"). The Supabase CLI reads them with
 * docker's go-units, where KB and KiB are both 1024, so we do too.
 */
export function parseConfigByteSize(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = BINARY_UNITS[(match?.[2] ?? '').toLowerCase() || 'b'];
  if (!match || unit === undefined) throw new Error(`invalid size "${value}" (use e.g. 50MiB, 5MB, 500KB)`);
  return Math.floor(Number(match[1]) * unit);
}

/**
 * A bucket's `file_size_limit` as the Storage API takes it: bytes, or a string such as
 * "20MB" that hosted reads with decimal units (1 MB = 1,000,000 bytes).
 */
export function parseBucketFileSizeLimit(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) {
      throw storageErrors.invalidRequest('Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B');
    }
    return value;
  }
  const match = /^(\d+(?:\.\d+)?)(gb|mb|kb|b)$/i.exec(value.trim());
  if (!match)
    throw storageErrors.invalidRequest('Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B');
  const amount = Number(Number.parseFloat(match[1] as string).toPrecision(3));
  const unit = { gb: 1e9, mb: 1e6, kb: 1e3, b: 1 }[
    (match[2] as string).toLowerCase() as 'gb' | 'mb' | 'kb' | 'b'
  ];
  return Math.round(amount * unit);
}
