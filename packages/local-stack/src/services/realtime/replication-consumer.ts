import type pg from 'pg';
import { LogicalReplicationService } from 'pg-logical-replication';
import type { Logger } from '../../logger.ts';
import {
  decodePgoutput,
  formatLsn,
  type PgoutputMessage,
  parseLsn,
  type RelationMessage,
  type TupleValue,
} from './pgoutput-decoder.ts';

export interface RowChange {
  kind: 'insert' | 'update' | 'delete';
  relation: RelationMessage;
  new: TupleValue[] | null;
  old: TupleValue[] | null;
  oldIsKeyOnly: boolean;
}

export interface ReplicatedTransaction {
  xid: number;
  /** LSN of the commit record; orders transactions and dedupes replays. */
  commitLsn: bigint;
  endLsn: bigint;
  commitTime: Date;
  changes: RowChange[];
}

export interface ReplicationConsumerOptions {
  /** Connection string of a role with REPLICATION (the stack's `postgres`). */
  connectionString: string;
  /** Pool used to create the slot. */
  db: pg.Pool;
  slotName: string;
  publications: string[];
  log: Logger;
  /**
   * Called with committed transactions in commit order. The slot is acknowledged only
   * after this resolves, so what it didn't finish is replayed after a reconnect.
   */
  deliver: (transactions: ReplicatedTransaction[]) => Promise<void>;
}

export interface ReplicationConsumer {
  /** Resolves once streaming started the first time. */
  ready: Promise<void>;
  /** Whether the stream is up now (false while Postgres is away and we reconnect). */
  streaming(): boolean;
  /** Commit LSN of the last transaction handed to `deliver` and acknowledged. */
  deliveredLsn(): bigint;
  /**
   * Reconnects now, without the backoff, and resolves once streaming again: after the
   * database was recreated (a reset), whose new slot sees only changes made after it exists.
   */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const RECONNECT_DELAYS_MS = [100, 250, 500, 1000, 2000];
// A delivery that failed (the database went away under the RLS probes) is retried, in
// order, until it succeeds: nothing after it is delivered or acknowledged meanwhile.
const REDELIVERY_DELAYS_MS = [50, 100, 250, 500, 1000];
// Batching amortises the RLS probes; a cap keeps a backlog from becoming one huge batch
// whose memory and probe queries grow with how far behind we are.
const MAX_TRANSACTIONS_PER_DELIVERY = 200;

async function ensureSlot(db: pg.Pool, slotName: string): Promise<void> {
  const { rowCount } = await db.query('select 1 from pg_catalog.pg_replication_slots where slot_name = $1', [
    slotName,
  ]);
  if (rowCount) return;
  await db
    .query(`select pg_catalog.pg_create_logical_replication_slot($1, 'pgoutput')`, [slotName])
    .catch((error: { code?: string }) => {
      // Another start raced us to it; the slot is there, which is all we need.
      if (error.code !== '42710') throw error;
    });
}

/**
 * Streams the publications from a persistent logical replication slot (pgoutput).
 * Survives Postgres restarts by reconnecting; acknowledges a transaction only after it
 * was delivered, and skips transactions it already delivered when Postgres replays
 * from an older confirmed position (the slot's position is persisted only at
 * checkpoints, so a crash can rewind it).
 */
export function startReplicationConsumer(options: ReplicationConsumerOptions): ReplicationConsumer {
  const { log, slotName } = options;
  let closed = false;
  let isStreaming = false;
  let delivered = 0n;
  // Commit LSN of the newest transaction queued; a replay after a reconnect skips what is
  // already queued (not yet delivered) as well as what was delivered.
  let queuedLsn = 0n;
  let acknowledged = 0n;
  let attempt = 0;
  let generation = 0;
  let service: LogicalReplicationService | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let markReady: () => void = () => {};
  let streamingWaiters: (() => void)[] = [];
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  let relations = new Map<number, RelationMessage>();
  let open: ReplicatedTransaction | undefined;
  let skipping = false;
  const queue: ReplicatedTransaction[] = [];
  let draining = false;

  const acknowledge = async (lsn: bigint) => {
    if (lsn > acknowledged) acknowledged = lsn;
    await service?.acknowledge(formatLsn(acknowledged)).catch(() => false);
  };

  const deliverUntilDone = async (batch: ReplicatedTransaction[]) => {
    for (let attempt = 0; !closed; attempt++) {
      try {
        await options.deliver(batch);
        return true;
      } catch (error) {
        if (attempt === 0 || attempt % 20 === 0) {
          log.warn(
            `delivering changes failed (${(error as Error).message}); retrying, nothing is acknowledged meanwhile`,
          );
        }
        await new Promise((resolve) =>
          setTimeout(resolve, REDELIVERY_DELAYS_MS[Math.min(attempt, REDELIVERY_DELAYS_MS.length - 1)]),
        );
      }
    }
    return false;
  };

  const drain = async () => {
    if (draining) return;
    draining = true;
    try {
      while (queue.length > 0 && !closed) {
        const batch = queue.slice(0, MAX_TRANSACTIONS_PER_DELIVERY);
        // Only after delivery succeeded is the batch off the queue and confirmed to the slot.
        if (!(await deliverUntilDone(batch))) return;
        queue.splice(0, batch.length);
        const last = batch[batch.length - 1];
        if (last) {
          delivered = last.commitLsn;
          await acknowledge(last.endLsn);
        }
      }
    } finally {
      draining = false;
    }
  };

  const onMessage = (message: PgoutputMessage) => {
    switch (message.tag) {
      case 'relation':
        relations.set(message.relationId, message);
        return;
      case 'begin':
        // Already delivered (or queued) before a Postgres restart rewound the slot.
        skipping = message.finalLsn <= queuedLsn || message.finalLsn <= delivered;
        open = skipping
          ? undefined
          : {
              xid: message.xid,
              commitLsn: message.finalLsn,
              endLsn: 0n,
              commitTime: message.commitTime,
              changes: [],
            };
        return;
      case 'insert':
      case 'update':
      case 'delete': {
        if (!open) return;
        const relation = relations.get(message.relationId);
        if (!relation) {
          log.warn(`change for unknown relation ${message.relationId}; skipped`);
          return;
        }
        open.changes.push({
          kind: message.tag,
          relation,
          new: message.tag === 'delete' ? null : message.new,
          old: message.tag === 'insert' ? null : message.old,
          oldIsKeyOnly: message.tag === 'insert' ? false : message.oldIsKeyOnly,
        });
        return;
      }
      case 'commit':
        if (open && !skipping) {
          open.endLsn = message.endLsn;
          open.commitTime = message.commitTime;
          queue.push(open);
          queuedLsn = open.commitLsn;
          void drain();
        }
        open = undefined;
        skipping = false;
        return;
      default:
        return;
    }
  };

  const scheduleReconnect = (reason: string) => {
    isStreaming = false;
    if (closed || reconnectTimer) return;
    const delay = RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)] ?? 2000;
    attempt += 1;
    if (attempt === 1 || attempt % 10 === 0) log.warn(`replication stream stopped (${reason}); reconnecting`);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void connect();
    }, delay);
  };

  const connect = async () => {
    if (closed) return;
    const current = ++generation;
    // A later connect (a restart meeting a scheduled reconnect) supersedes this one: past each
    // wait, give way, or two streams would race for the slot and the unheard one could win it.
    const superseded = () => closed || current !== generation;
    const previous = service;
    service = undefined;
    await previous?.destroy().catch(() => {});
    if (superseded()) return;
    relations = new Map();
    open = undefined;
    skipping = false;
    try {
      await ensureSlot(options.db, slotName);
    } catch (error) {
      if (!superseded()) scheduleReconnect((error as Error).message);
      return;
    }
    if (superseded()) return;
    const stream = new LogicalReplicationService(
      // Values arrive as text in the walsender's session settings: pin them so
      // timestamps are UTC ISO, whatever the server's defaults.
      { connectionString: options.connectionString, options: '-c TimeZone=UTC -c DateStyle=ISO,MDY' },
      { acknowledge: { auto: false, timeoutSeconds: 0 } },
    );
    service = stream;
    stream.on('start', () => {
      if (current !== generation) return;
      if (attempt > 0) log.info('replication stream resumed');
      attempt = 0;
      isStreaming = true;
      markReady();
      for (const resolve of streamingWaiters) resolve();
      streamingWaiters = [];
    });
    stream.on('data', (_lsn: string, message: PgoutputMessage) => {
      if (current === generation) onMessage(message);
    });
    stream.on('heartbeat', (lsn: string, _timestamp: number, shouldRespond: boolean) => {
      if (current !== generation || !shouldRespond) return;
      // Postgres asks for a reply and cuts the connection after wal_sender_timeout
      // without one, so always answer, even when the position hasn't moved. Idle
      // (nothing open or queued): everything up to the server's position is done.
      const idle = !open && queue.length === 0 && !draining;
      void acknowledge(idle ? parseLsn(lsn) : acknowledged);
    });
    stream.on('error', (error: Error) => {
      if (current === generation) scheduleReconnect(error.message);
    });
    const plugin = {
      options: {},
      name: 'pgoutput',
      parse: (buffer: Buffer) => decodePgoutput(buffer),
      start: (client: pg.Client, slot: string, lastLsn: string) =>
        client.query(
          `START_REPLICATION SLOT "${slot}" LOGICAL ${lastLsn} (proto_version '1', publication_names '${options.publications.join(',')}')`,
        ),
    };
    stream
      .subscribe(plugin, slotName, formatLsn(acknowledged))
      .then(() => {
        if (current === generation) scheduleReconnect('stream ended');
      })
      .catch((error: Error) => {
        if (current === generation) scheduleReconnect(error.message);
      });
  };

  void connect();

  return {
    ready,
    streaming: () => isStreaming && !closed,
    deliveredLsn: () => delivered,
    restart: () => {
      if (closed) return Promise.resolve();
      clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      attempt = 0;
      isStreaming = false;
      const streamingAgain = new Promise<void>((resolve) => streamingWaiters.push(resolve));
      void connect();
      return streamingAgain;
    },
    close: async () => {
      closed = true;
      clearTimeout(reconnectTimer);
      generation += 1;
      for (const resolve of streamingWaiters) resolve();
      streamingWaiters = [];
      await service?.destroy().catch(() => {});
      service = undefined;
    },
  };
}
