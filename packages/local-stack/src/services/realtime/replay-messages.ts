import type pg from 'pg';
import type { ReplayRequest } from './join-config.ts';

/** A broadcast stored in realtime.messages, as replay sends it again. */
export interface StoredBroadcast {
  id: string;
  event: string;
  payload: unknown;
  /** Set for `realtime.send_binary()` messages. */
  binaryPayload: Uint8Array | undefined;
}

/**
 * The stored broadcasts a private channel's `broadcast.replay` asks for: those of its
 * topic inserted at or after `since` (Unix ms), the newest `limit` of them, oldest
 * first, as hosted's Realtime.Messages.replay. Read as the service (like hosted, which
 * reads them over its own connection): the channel's broadcast read policy was checked
 * at join.
 */
export async function storedBroadcasts(
  db: pg.Pool,
  topic: string,
  replay: ReplayRequest,
): Promise<StoredBroadcast[]> {
  const { rows } = await db.query<{
    id: string;
    event: string | null;
    payload: unknown;
    binary_payload: Buffer | null;
  }>(
    `select id::text, event, payload, binary_payload
       from realtime.messages
      where topic = $1 and private is true and extension = 'broadcast'
        and inserted_at >= pg_catalog.to_timestamp($2::float8 / 1000)::timestamp
      order by inserted_at desc
      limit $3`,
    [topic, replay.since, replay.limit],
  );
  return rows.reverse().map((row) => ({
    id: row.id,
    event: row.event ?? '',
    payload: row.payload ?? {},
    binaryPayload: row.binary_payload ? new Uint8Array(row.binary_payload) : undefined,
  }));
}
