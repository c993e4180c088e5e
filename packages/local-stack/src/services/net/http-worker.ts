import type pg from 'pg';
import type { Logger } from '../../logger.ts';
import type { HttpSender, QueuedRequest, ResponseRow } from './send-request.ts';

/** Requests in flight at once (pg_net sends its batches concurrently too). */
const MAX_IN_FLIGHT = 500;
/** When nobody notifies (rows inserted without net.wake()), the queue is still looked at this often. */
const IDLE_POLL_MS = 1_000;
/** pg_net.ttl's default: responses older than this are deleted. */
const RESPONSE_TTL = '6 hours';
const EXPIRY_EVERY_MS = 60_000;

export interface HttpWorkerOptions {
  /** Superuser pool in the database holding the net schema. */
  db: pg.Pool;
  sender: HttpSender;
  log: Logger;
}

export interface HttpWorker {
  /** Look at the queue now (a NOTIFY from net.wake() arrived). */
  wake(): void;
  close(): Promise<void>;
}

/** The net schema isn't there (pg_net not created yet, or dropped). */
function isMissingNet(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === '42P01' || code === '3F000';
}

/**
 * pg_net's background worker, in the stack's process: reads committed requests from
 * net.http_request_queue, sends them concurrently, and writes each response to
 * net._http_response and deletes its request in one transaction. A request stays in the
 * queue until its response is written, so one in flight when the stack dies is sent again
 * after the next start (hosted's unlogged queue would lose it).
 */
export function startHttpWorker(options: HttpWorkerOptions): HttpWorker {
  const { db, sender, log } = options;
  const inFlight = new Set<string>();
  const sends = new Set<Promise<void>>();
  let done: ResponseRow[] = [];
  let closed = false;
  let reading: Promise<void> | undefined;
  let readAgain = false;
  let flushing: Promise<void> | undefined;
  let lastExpiry = 0;

  const readQueue = async () => {
    for (;;) {
      const room = MAX_IN_FLIGHT - inFlight.size;
      if (closed || room <= 0) return;
      const { rows } = await db.query<QueuedRequest>(
        `select id::text, method, url, headers, body, timeout_milliseconds
           from net.http_request_queue
          where not (id = any($1::bigint[]))
          order by id
          limit $2`,
        [[...inFlight], room],
      );
      for (const row of rows) start(row);
      if (rows.length < room) return;
    }
  };

  const start = (request: QueuedRequest) => {
    inFlight.add(request.id);
    const send = sender
      .send(request)
      .then((response) => {
        // Cut off by shutdown: left queued, to be sent again after the next start.
        if (closed) return;
        if (response.error_msg)
          log.warn(`request ${request.id} (${request.method} ${request.url}) failed: ${response.error_msg}`);
        done.push(response);
        flush();
      })
      .finally(() => sends.delete(send));
    sends.add(send);
  };

  const writeResponses = async (batch: ResponseRow[]) => {
    await db.query(
      `with sent as (
         select * from jsonb_to_recordset($1::jsonb) as response(
           id bigint, status_code integer, content_type text, headers jsonb,
           content text, timed_out boolean, error_msg text)
       ), recorded as (
         insert into net._http_response (id, status_code, content_type, headers, content, timed_out, error_msg)
         select id, status_code, content_type, headers, content, timed_out, error_msg from sent
       )
       delete from net.http_request_queue where id in (select id from sent)`,
      [JSON.stringify(batch)],
    );
  };

  // One write at a time; responses that finish meanwhile go in the next batch.
  const flush = () => {
    if (flushing || done.length === 0) return;
    flushing = (async () => {
      while (done.length > 0 && !closed) {
        const batch = done;
        done = [];
        try {
          await writeResponses(batch);
        } catch (error) {
          if (!isMissingNet(error))
            log.warn(`could not record ${batch.length} response(s): ${(error as Error).message}`);
        }
        // Only now may they be read again: their queue rows are gone.
        for (const response of batch) inFlight.delete(response.id);
        wake();
      }
      flushing = undefined;
    })();
  };

  const expireResponses = () => {
    if (Date.now() - lastExpiry < EXPIRY_EVERY_MS) return;
    lastExpiry = Date.now();
    db.query(`delete from net._http_response where created < now() - $1::interval`, [RESPONSE_TTL]).catch(
      () => {},
    );
  };

  const wake = () => {
    if (closed) return;
    if (reading) {
      readAgain = true;
      return;
    }
    reading = (async () => {
      do {
        readAgain = false;
        try {
          await readQueue();
          expireResponses();
        } catch (error) {
          if (!isMissingNet(error) && !closed)
            log.warn(`could not read net.http_request_queue: ${(error as Error).message}`);
        }
      } while (readAgain && !closed);
      reading = undefined;
    })();
  };

  const poll = setInterval(wake, IDLE_POLL_MS);
  wake();

  return {
    wake,
    close: async () => {
      clearInterval(poll);
      closed = true;
      await reading;
      // Requests still in flight stay queued and are sent again after the next start.
      sender.close();
      await Promise.allSettled([...sends]);
      await flushing;
    },
  };
}
