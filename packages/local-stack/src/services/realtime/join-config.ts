import type { ChangeBinding } from './postgres-changes-router.ts';
import { FilterSyntaxError, parseChangeFilters } from './postgres-filter.ts';

/** What a `phx_join` asks for, read leniently as hosted does (unknown or odd values fall back). */
export interface JoinConfig {
  selfBroadcast: boolean;
  ack: boolean;
  presenceKey: string;
  presenceEnabled: boolean;
  isPrivate: boolean;
  postgresChanges: Record<string, unknown>[];
  /** `broadcast.replay`: stored broadcasts to deliver on join (private channels only). */
  replay: ReplayRequest | undefined;
  /** `broadcast.replication_ready`: send a system message once changes can flow. */
  replicationReady: boolean;
}

export interface ReplayRequest {
  /** Unix milliseconds; messages inserted at or after it. */
  since: number;
  limit: number;
  /** Whether `since`/`limit` were integers (hosted refuses anything else). */
  valid: boolean;
}

// Hosted's defaults (Broadcast.Replay) and cap (Realtime.Messages).
const REPLAY_DEFAULT_LIMIT = 10;
const REPLAY_MAX_LIMIT = 25;

function replayRequest(value: unknown): ReplayRequest | undefined {
  if (value === undefined || value === null) return undefined;
  const replay = record(value);
  const since = replay.since ?? 0;
  const limit = replay.limit ?? REPLAY_DEFAULT_LIMIT;
  const valid =
    typeof value === 'object' && !Array.isArray(value) && Number.isInteger(since) && Number.isInteger(limit);
  return {
    since: valid ? (since as number) : 0,
    limit: valid ? Math.max(1, Math.min(limit as number, REPLAY_MAX_LIMIT)) : REPLAY_DEFAULT_LIMIT,
    valid,
  };
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
    replay: replayRequest(broadcast.replay),
    replicationReady: broadcast.replication_ready === true,
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

/** Hosted's `select`: a list of column names (an empty list means "primary key only"). */
function selectOf(params: Record<string, unknown>): string[] | undefined {
  if (!('select' in params) || params.select === undefined || params.select === null) return undefined;
  if (!Array.isArray(params.select)) {
    throw new SubscriptionParamsError(
      'Error parsing `select` params: expected a list of column name strings, e.g. select: ["col1", "col2"]',
    );
  }
  return params.select.filter((column): column is string => typeof column === 'string');
}

/** A postgres_changes entry refused at join; the message is what hosted's system message says. */
export class SubscriptionParamsError extends Error {
  override readonly name = 'SubscriptionParamsError';
}

/** The bindings a channel subscribes with; entries that don't parse are reported, not joined. */
export function changeBindingsOf(postgresChanges: Record<string, unknown>[]): {
  bindings: ChangeBinding[];
  invalid: string[];
} {
  const bindings: ChangeBinding[] = [];
  const invalid: string[] = [];
  for (const params of postgresChanges) {
    // As hosted's action filter: INSERT/UPDATE/DELETE in any case, anything else is every event.
    const named = typeof params.event === 'string' ? params.event.toUpperCase() : '*';
    const event = CHANGE_EVENTS.has(named) ? named : '*';
    const schema = typeof params.schema === 'string' ? params.schema : 'public';
    const table = typeof params.table === 'string' && params.table !== '' ? params.table : undefined;
    const filterText = typeof params.filter === 'string' ? params.filter : '';
    try {
      const select = selectOf(params);
      if (select && (schema === '*' || !table || table === '*')) {
        throw new SubscriptionParamsError(
          'Column selection is not supported for wildcard subscriptions. Provide an explicit schema and table name.',
        );
      }
      let filters: ChangeBinding['filters'];
      try {
        filters = parseChangeFilters(filterText);
      } catch (error) {
        if (error instanceof FilterSyntaxError) {
          throw new SubscriptionParamsError(`Error parsing \`filter\` params: ${error.message}`);
        }
        throw error;
      }
      bindings.push({
        id: bindingId(params),
        event: event as ChangeBinding['event'],
        schema,
        table,
        filters,
        select,
        selectKey: select ? [...new Set(select)].sort().join('\u0000') : undefined,
      });
    } catch (error) {
      if (!(error instanceof SubscriptionParamsError)) throw error;
      invalid.push(error.message);
    }
  }
  return { bindings, invalid };
}
