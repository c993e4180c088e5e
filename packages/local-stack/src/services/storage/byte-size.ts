import { storageErrors } from './errors.ts';

/**
 * A bucket's `file_size_limit` as the Storage API takes it: bytes, or a string such as
 * "20MB" that hosted reads with decimal units (1 MB = 1,000,000 bytes). config.toml sizes
 * are the CLI's and binary ("5MB" = 5 MiB); those are read once by `config/byte-size.ts`.
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
