import type { ChangeBinding } from './postgres-changes-router.ts';
import { FilterSyntaxError, parseChangeFilter } from './postgres-filter.ts';

/** What a `phx_join` asks for, read leniently as hosted does (unknown or odd values fall back). */
export interface JoinConfig {
  selfBroadcast: boolean;
  ack: boolean;
  presenceKey: string;
  presenceEnabled: boolean;
  isPrivate: boolean;
  postgresChanges: Record<string, unknown>[];
}

const CHANGE_EVENTS = new Set(['*', 'INSERT', 'UPDATE', 'DELETE']);

export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function parseJoinConfig(payload: Record<string, unknown>): JoinConfig {
  const config = record(payload.config);
  const broadcast = record(config.broadcast);
  const presence = record(config.presence);
  return {
    selfBroadcast: broadcast.self === true,
    ack: broadcast.ack === true,
    presenceKey: typeof presence.key === 'string' ? presence.key : '',
    presenceEnabled: presence.enabled === true,
    isPrivate: config.private === true,
    postgresChanges: Array.isArray(config.postgres_changes)
      ? config.postgres_changes.filter((entry) => entry !== null).map(record)
      : [],
  };
}

/** Stable small integer id of a postgres_changes entry (hosted uses :erlang.phash2 of the params). */
export function bindingId(params: Record<string, unknown>): number {
  const canonical = JSON.stringify(
    Object.keys(params)
      .sort()
      .map((key) => [key, params[key]]),
  );
  let hash = 0x811c9dc5;
  for (let index = 0; index < canonical.length; index++) {
    hash ^= canonical.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 2 ** 27;
}

/** The bindings a channel subscribes with; entries that don't parse are reported, not joined. */
export function changeBindingsOf(postgresChanges: Record<string, unknown>[]): {
  bindings: ChangeBinding[];
  invalid: string[];
} {
  const bindings: ChangeBinding[] = [];
  const invalid: string[] = [];
  for (const params of postgresChanges) {
    const event = typeof params.event === 'string' ? params.event.toUpperCase() : '*';
    const schema = typeof params.schema === 'string' ? params.schema : 'public';
    const table = typeof params.table === 'string' && params.table !== '' ? params.table : undefined;
    const filterText = typeof params.filter === 'string' && params.filter !== '' ? params.filter : undefined;
    try {
      if (!CHANGE_EVENTS.has(event))
        throw new FilterSyntaxError(`unknown event ${JSON.stringify(params.event)}`);
      const filter = filterText ? parseChangeFilter(filterText) : undefined;
      bindings.push({
        id: bindingId(params),
        event: event as ChangeBinding['event'],
        schema,
        table,
        filter,
      });
    } catch (error) {
      invalid.push(`Error parsing \`filter\` params: ${(error as Error).message}`);
    }
  }
  return { bindings, invalid };
}
