import pg from 'pg';
import { MOUNTS } from '../mounts.ts';
import type { Service, ServiceFactory } from '../service.ts';
import { broadcastApi } from './broadcast-api.ts';
import { buildPostgresChange, type PostgresChange } from './change-payload.ts';
import { ChannelHub, topicKeyOf } from './channel-hub.ts';
import { PostgresChangesRouter } from './postgres-changes-router.ts';
import type { RealtimeRuntime } from './realtime-channel.ts';
import { RelationCatalog } from './relation-catalog.ts';
import {
  type ReplicatedTransaction,
  type RowChange,
  startReplicationConsumer,
} from './replication-consumer.ts';
import { createSocketEndpoint } from './socket-endpoint.ts';
import { unservedRealtimeWarning } from './unserved-features.ts';

/** The persistent slot our consumer streams from; it survives stack restarts. */
export const REPLICATION_SLOT = 'groundwork_realtime';

/**
 * A slot belongs to one database but its name to the whole server: a test copy of the
 * database served beside the original (`startTestDatabase`) streams from a slot of its own.
 */
export function replicationSlotFor(databaseUrl: string): string {
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  return database === 'postgres' || database === '' ? REPLICATION_SLOT : `${REPLICATION_SLOT}_${database}`;
}
const PUBLICATIONS = ['supabase_realtime', 'supabase_realtime_messages_publication'];

function isMessagesTable(change: RowChange): boolean {
  return change.relation.schema === 'realtime' && change.relation.table.startsWith('messages');
}

/** `\x0aff…` (bytea's text form) → bytes. */
function byteaBytes(text: string): Uint8Array | undefined {
  if (!text.startsWith('\\x')) return undefined;
  return new Uint8Array(Buffer.from(text.slice(2), 'hex'));
}

/**
 * Broadcast from the database: a committed row of realtime.messages goes to its topic,
 * JSON (`realtime.send`) or binary (`realtime.send_binary`, delivered to v2 clients only,
 * as hosted), with `meta.id` the row's id.
 */
function broadcastMessageRow(runtime: RealtimeRuntime, change: RowChange) {
  if (change.kind !== 'insert' || !change.new) return;
  const row: Record<string, string | null | undefined> = {};
  change.relation.columns.forEach((column, index) => {
    row[column.name] = change.new?.[index];
  });
  if (row.extension !== 'broadcast' || !row.topic || !row.event || !row.id) return;
  const topicKey = topicKeyOf(row.topic, row.private === 't');
  const topic = `realtime:${row.topic}`;
  const meta = { id: row.id };
  if (row.binary_payload) {
    const bytes = byteaBytes(row.binary_payload);
    if (!bytes) return;
    runtime.hub.broadcast(topicKey, topic, {
      type: 'broadcast',
      event: row.event,
      payload: bytes,
      binary: true,
      meta,
    });
    return;
  }
  let payload: unknown = {};
  try {
    payload = row.payload ? JSON.parse(row.payload) : {};
  } catch {
    return;
  }
  runtime.hub.broadcast(topicKey, topic, { type: 'broadcast', event: row.event, payload, meta });
}

/**
 * Realtime (`MOUNTS.realtime`): Phoenix channels over WebSocket for realtime-js
 * (postgres_changes with RLS, broadcast, presence, private channels), the REST
 * broadcast API, and a logical replication consumer feeding both Postgres changes and
 * broadcasts from the database.
 */
export const realtimeService: ServiceFactory = async (context): Promise<Service> => {
  const log = context.log.child('realtime');
  log.warn(unservedRealtimeWarning(context.config.toml.realtime as Record<string, unknown>));
  // Its own small pool, so RLS probes under load don't starve the other services.
  const db = new pg.Pool({ connectionString: context.databaseUrl('postgres'), max: 6 });
  db.on('error', (error) => log.warn(`database pool: ${error.message}`));
  // A checked-out client has no pool listener: an error arriving between two of its queries
  // (Postgres going away mid-probe) would be thrown as uncaught and end the process. The
  // query that follows fails instead, and the delivery is retried.
  db.on('connect', (client) => client.on('error', () => {}));
  const catalog = new RelationCatalog(db);
  const runtime: RealtimeRuntime = {
    keys: context.keys,
    db,
    hub: new ChannelHub(),
    router: new PostgresChangesRouter(db, catalog),
    log,
    // Until the consumer below exists, nothing streams.
    replicationStreaming: () => false,
  };

  const deliver = async (transactions: ReplicatedTransaction[]) => {
    let pending: PostgresChange[] = [];
    const flush = async () => {
      if (pending.length > 0) await runtime.router.deliver(pending);
      pending = [];
    };
    for (const transaction of transactions) {
      for (const change of transaction.changes) {
        if (isMessagesTable(change)) {
          await flush();
          broadcastMessageRow(runtime, change);
          continue;
        }
        if (runtime.router.size === 0) continue;
        const info = await catalog.describe(change.relation);
        pending.push(buildPostgresChange(change, info, transaction));
      }
    }
    await flush();
  };

  const consumer = startReplicationConsumer({
    connectionString: context.databaseUrl('postgres'),
    db,
    slotName: replicationSlotFor(context.databaseUrl('postgres')),
    publications: PUBLICATIONS,
    log,
    deliver,
  });
  runtime.replicationStreaming = consumer.streaming;
  // Changes committed after start must reach subscribers: wait for the stream.
  await Promise.race([consumer.ready, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);

  // Hosted keeps realtime.messages (broadcasts from the database, authorization probes
  // that were committed) in daily partitions and drops them after a few days.
  const pruneMessages = () =>
    db
      .query(`delete from realtime.messages where inserted_at < now() - interval '3 days'`)
      .catch((error: Error) => log.warn(`pruning realtime.messages: ${error.message}`));
  void pruneMessages();
  const pruneTimer = setInterval(pruneMessages, 60 * 60 * 1000);
  pruneTimer.unref();

  const endpoint = createSocketEndpoint(runtime, MOUNTS.realtime.path);
  return {
    mount: MOUNTS.realtime,
    app: broadcastApi(runtime),
    upgrade: endpoint.upgrade,
    // The recreated database's slot sees only what is committed after it exists: stream again
    // before the reset returns, so a change made right after it reaches subscribers.
    afterDatabaseReset: () =>
      Promise.race([consumer.restart(), new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref())]),
    close: async () => {
      clearInterval(pruneTimer);
      await endpoint.close();
      await consumer.close();
      await db.end().catch(() => {});
    },
  };
};
