/**
 * Go durations ("1s", "1h30m", "500ms", "1.5h", "-2m", "0") in milliseconds, read as Go's
 * `time.ParseDuration` reads them: the Supabase CLI decodes config.toml durations
 * (`max_frequency`, …) with it and GoTrue its API durations (`ban_duration`). Errors carry
 * Go's wording, which GoTrue passes on to clients.
 */
export function parseDurationMs(text: string): number {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  // Go's one unitless duration.
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`time: invalid duration "${text}"`);
  let totalMs = 0;
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest)?.[0] ?? '';
    if (!/\d/.test(number)) throw new Error(`time: invalid duration "${text}"`);
    rest = rest.slice(number.length);
    const unit = /^[^\d.]*/.exec(rest)?.[0] ?? '';
    if (unit === '') throw new Error(`time: missing unit in duration "${text}"`);
    const unitMs = UNIT_MS[unit];
    if (unitMs === undefined) throw new Error(`time: unknown unit "${unit}" in duration "${text}"`);
    rest = rest.slice(unit.length);
    totalMs += Number(number) * unitMs;
  }
  if (totalMs > MAX_GO_DURATION_MS) throw new Error(`time: invalid duration "${text}"`);
  return sign * totalMs;
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration is an int64 of nanoseconds (about 292 years). */
const MAX_GO_DURATION_MS = 2 ** 63 / 1e6;
