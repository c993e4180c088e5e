/**
 * config.toml sizes ("50MiB", "5MB", "500KB", "1024") in bytes, read as the Supabase CLI
 * reads them: with docker/go-units' `RAMInBytes`, where every unit is binary, so KB, KiB
 * and K are all 1024 and "5MB" is 5,242,880 bytes. The grammar follows go-units v0.5.0:
 * a number, at most one space, then nothing, `b`, or `k|m|g|t|p` with an optional `b`
 * or `ib`, case-insensitive; the result is truncated to whole bytes.
 *
 * (The Storage HTTP API reads a bucket's `file_size_limit` differently, with decimal
 * units, as hosted Storage does; that is `services/storage/byte-size.ts`.)
 */
export function parseByteSize(text: string): number {
  const sep = lastIndexOfAny(text, '0123456789. ');
  if (sep === -1) throw new Error(invalidSize(text, 'no number'));
  const number = text[sep] === ' ' ? text.slice(0, sep) : text.slice(0, sep + 1);
  const suffix = text.slice(sep + 1);
  if (!GO_FLOAT.test(number)) throw new Error(invalidSize(text, `"${number}" is not a number`));
  const amount = Number(number);
  if (amount < 0) throw new Error(invalidSize(text, 'negative'));
  const bytes = Math.trunc(amount * multiplierOf(text, suffix));
  if (!Number.isSafeInteger(bytes)) throw new Error(invalidSize(text, 'too large'));
  return bytes;
}

// The decimal forms Go's strconv.ParseFloat takes that can end a go-units number.
const GO_FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BINARY_PREFIXES: Record<string, number> = {
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

function multiplierOf(text: string, suffix: string): number {
  if (suffix === '') return 1;
  const unit = suffix.toLowerCase();
  if (unit === 'b') return 1;
  const multiplier = BINARY_PREFIXES[unit[0] as string];
  const rest = unit.slice(1);
  if (multiplier === undefined || !(rest === '' || rest === 'b' || rest === 'ib')) {
    throw new Error(invalidSize(text, `unknown unit "${suffix}"`));
  }
  return multiplier;
}

function lastIndexOfAny(text: string, characters: string): number {
  for (let index = text.length - 1; index >= 0; index--) {
    if (characters.includes(text[index] as string)) return index;
  }
  return -1;
}

function invalidSize(text: string, why: string): string {
  return `invalid size "${text}" (${why}; sizes look like 50MiB, 5MB, 500KB or a number of bytes)`;
}
