/**
 * What hosted Realtime does that this stack's Realtime does not, named in one warning at
 * start-up (as unserved Auth settings are), so a difference is never silent.
 */
export const UNSERVED_REALTIME_FEATURES: readonly string[] = [
  'per-project limits (concurrent clients, channels per client, joins, messages and presence events per second, message size): nothing is throttled or refused for volume',
  'the "private channels only" project setting: public channels are always allowed',
  'postgres_changes payload cap (hosted sends records over 1 MB as "Error 413: Payload Too Large")',
];

/** config.toml `[realtime]` settings the CLI knows that this stack does not apply. */
export function unservedRealtimeSettings(realtime: Record<string, unknown>): string[] {
  const unserved: string[] = [];
  if (realtime.ip_version !== undefined && realtime.ip_version !== 'IPv4') {
    unserved.push(`realtime.ip_version = ${JSON.stringify(realtime.ip_version)} (binds IPv4 only)`);
  }
  if (realtime.max_header_length !== undefined) {
    unserved.push(
      `realtime.max_header_length = ${String(realtime.max_header_length)} (the gateway's header limit applies)`,
    );
  }
  return unserved;
}

/** The start-up warning: everything above that applies to this configuration. */
export function unservedRealtimeWarning(realtime: Record<string, unknown>): string {
  return `Realtime features groundwork does not serve: ${[...UNSERVED_REALTIME_FEATURES, ...unservedRealtimeSettings(realtime)].join('; ')}`;
}
