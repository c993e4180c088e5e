/**
 * config.toml sections that groundwork serves. Any other section switched on with
 * `enabled = true` is reported once at start, so nothing is silently ignored.
 */
const SUPPORTED_SECTIONS = [
  /^api$/,
  /^db\.migrations$/,
  /^db\.seed$/,
  /^realtime$/,
  /^storage$/,
  /^storage\.buckets\.[^.]+$/,
  /^inbucket$/,
  /^local_smtp$/,
  /^auth$/,
  /^auth\.email$/,
  /^auth\.hook\.custom_access_token$/,
  /^edge_runtime$/,
  /^functions\.[^.]+$/,
];

const ENABLE_KEYS = ['enabled', 'enroll_enabled', 'verify_enabled'];

export function findUnsupportedSettings(toml: Record<string, unknown>, prefix = ''): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(toml)) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    const section = value as Record<string, unknown>;
    const switchedOn = ENABLE_KEYS.some((flag) => section[flag] === true);
    if (switchedOn && !SUPPORTED_SECTIONS.some((pattern) => pattern.test(path))) {
      found.push(path);
    }
    found.push(...findUnsupportedSettings(section, path));
  }
  return found;
}
