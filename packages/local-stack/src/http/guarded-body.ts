import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';

/** Why the gateway stopped reading a request body. */
export type BodyRefusal =
  | { reason: 'too_large'; limitBytes: number }
  | { reason: 'timeout'; idleTimeoutMs: number };

/** What a body's reader sees when the gateway refuses the rest of it. */
export class BodyRefusedError extends Error {
  override readonly name = 'BodyRefusedError';
  constructor(readonly refusal: BodyRefusal) {
    super(
      refusal.reason === 'too_large'
        ? `request body larger than ${refusal.limitBytes} bytes`
        : `no request body bytes for ${refusal.idleTimeoutMs} ms`,
    );
  }
}

/** What a body's reader sees when the client goes away before sending all it announced. */
export class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';
  constructor() {
    super('the client closed the request before sending its whole body');
  }
}

export interface BodyLimits {
  /** Largest body a reader gets; a larger one fails the read with `too_large`. */
  maxBytes: number;
  /** How long a reader waits for the client's next bytes before failing with `timeout`. */
  idleTimeoutMs: number;
}

/**
 * One request's body, read through the gateway's limits: at most `maxBytes` (a declared
 * `Content-Length` above it is refused before a byte is read, an undeclared length once it
 * passes it), and never waiting longer than `idleTimeoutMs` for bytes the client announced
 * but does not send. Nothing is buffered: bytes flow from the socket to the reader as it
 * asks for them. A refused read fails with `BodyRefusedError`; the socket is left alone so
 * the gateway can still answer (the rest of the body is drained or the connection closed
 * after that answer).
 */
export class GuardedBody {
  /** Set once a read was refused; the gateway answers with it whatever the reader did. */
  refusal: BodyRefusal | undefined;
  #stream: Readable | undefined;

  constructor(
    private readonly source: Readable,
    private readonly declaredLength: number | undefined,
    readonly limits: BodyLimits,
  ) {}

  /**
   * The body as a Node stream (once per request). `maxBytes` replaces the mount's limit for
   * a reader that limits sizes itself (Storage's uploads, per bucket); the idle timeout
   * still applies.
   */
  nodeStream(maxBytes = this.limits.maxBytes): Readable {
    if (this.#stream) throw new Error('the request body was already taken');
    this.#stream = new LimitedBodyStream(this, this.source, this.declaredLength, {
      ...this.limits,
      maxBytes,
    });
    return this.#stream;
  }

  /** The body as a web stream that takes the Node stream only when first read. */
  webStream(): ReadableStream<Uint8Array> {
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          reader ??= (
            Readable.toWeb(
              this.nodeStream(),
            ) as NodeWebReadableStream<Uint8Array> as ReadableStream<Uint8Array>
          ).getReader();
          try {
            const { done, value } = await reader.read();
            if (done) controller.close();
            else controller.enqueue(value);
          } catch (error) {
            controller.error(error);
          }
        },
        cancel: (reason) => {
          if (reader) return reader.cancel(reason);
          this.source.pause();
        },
      },
      // Pulled only when read: a reader that takes the Node stream instead must find it untaken.
      { highWaterMark: 0 },
    );
  }
}

class LimitedBodyStream extends Readable {
  #started = false;
  #received = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #onData = (chunk: Buffer) => this.#data(chunk);
  readonly #onEnd = () => {
    this.#disarm();
    this.push(null);
  };
  readonly #onClose = () => {
    // The client went away before sending all it announced.
    if (!this.source.readableEnded) this.destroy(new ClientClosedError());
  };
  readonly #onError = (error: Error) => this.destroy(error);

  constructor(
    private readonly owner: GuardedBody,
    private readonly source: Readable,
    private readonly declaredLength: number | undefined,
    private readonly limits: BodyLimits,
  ) {
    super();
  }

  override _read(): void {
    if (!this.#started) {
      this.#started = true;
      if (this.declaredLength !== undefined && this.declaredLength > this.limits.maxBytes) {
        this.#refuse({ reason: 'too_large', limitBytes: this.limits.maxBytes });
        return;
      }
      this.source.on('data', this.#onData);
      this.source.once('end', this.#onEnd);
      this.source.once('close', this.#onClose);
      this.source.once('error', this.#onError);
      if (this.source.readableEnded) {
        this.#onEnd();
        return;
      }
    }
    this.#arm();
    this.source.resume();
  }

  #data(chunk: Buffer): void {
    this.#received += chunk.length;
    if (this.#received > this.limits.maxBytes) {
      this.#refuse({ reason: 'too_large', limitBytes: this.limits.maxBytes });
      return;
    }
    if (this.push(chunk)) this.#arm();
    else {
      // The reader is busy: its pause is not the client's silence.
      this.#disarm();
      this.source.pause();
    }
  }

  #arm(): void {
    this.#disarm();
    this.#idleTimer = setTimeout(
      () => this.#refuse({ reason: 'timeout', idleTimeoutMs: this.limits.idleTimeoutMs }),
      this.limits.idleTimeoutMs,
    );
  }

  #disarm(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  #refuse(refusal: BodyRefusal): void {
    this.owner.refusal ??= refusal;
    this.#detach();
    this.source.pause();
    this.destroy(new BodyRefusedError(refusal));
  }

  #detach(): void {
    this.#disarm();
    this.source.off('data', this.#onData);
    this.source.off('end', this.#onEnd);
    this.source.off('close', this.#onClose);
    this.source.off('error', this.#onError);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#detach();
    callback(error);
  }
}

const guardedBodies = new WeakMap<Request, GuardedBody>();

/**
 * A copy of `request` whose body is read through `body`; `guardedBodyOf` finds the guard
 * again (for readers that take the Node stream, and for the gateway's answer).
 */
export function withGuardedBody(request: Request, body: GuardedBody): Request {
  const guarded = new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: body.webStream(),
    signal: request.signal,
    duplex: 'half',
  } as RequestInit);
  guardedBodies.set(guarded, body);
  return guarded;
}

export function guardedBodyOf(request: Request): GuardedBody | undefined {
  return guardedBodies.get(request);
}

/**
 * The request's body as a Node stream: the gateway's guarded one when there is one (no
 * web-stream round trip per chunk), else the web body converted.
 */
export function requestBodyStream(request: Request): Readable | undefined {
  const guarded = guardedBodyOf(request);
  if (guarded) return guarded.nodeStream();
  return request.body
    ? Readable.fromWeb(request.body as unknown as NodeWebReadableStream<Uint8Array>)
    : undefined;
}
