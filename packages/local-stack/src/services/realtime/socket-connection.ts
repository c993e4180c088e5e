import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { SharedFrame } from './channel-hub.ts';
import {
  decodeFrame,
  encodeFrame,
  FrameError,
  type PhoenixMessage,
  type SerializerVersion,
} from './phoenix-serializer.ts';
import { type ChannelConnection, RealtimeChannel, type RealtimeRuntime } from './realtime-channel.ts';

/**
 * One client WebSocket: Phoenix heartbeats and the channels joined over it. Frames
 * for a topic are handled in arrival order; a join finishes before later frames of
 * its topic are looked at, as a Phoenix channel process would.
 */
export class SocketConnection implements ChannelConnection {
  private readonly channels = new Map<string, RealtimeChannel>();
  private readonly pendingJoins = new Map<string, Promise<unknown>>();
  lastSeen = Date.now();
  private corked = false;

  constructor(
    private readonly ws: WebSocket,
    /** The upgraded TCP socket under `ws`, corked while a fan-out writes to it. */
    private readonly socket: Duplex,
    readonly version: SerializerVersion,
    readonly apiKeyToken: string,
    private readonly runtime: RealtimeRuntime,
  ) {
    ws.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
    ws.on('close', () => this.closeChannels());
    ws.on('error', () => this.closeChannels());
  }

  send(message: PhoenixMessage): void {
    this.sendRaw(encodeFrame(message, this.version));
  }

  sendText(frame: Buffer): void {
    this.sendRaw(frame, false);
  }

  sendRaw(frame: string | Uint8Array, binary = typeof frame !== 'string'): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    // Fan-out sends many small frames in one tick: cork the TCP socket so they leave in
    // one write instead of one syscall each.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.ws.send(frame, { binary });
  }

  sendFrame(frame: SharedFrame): void {
    const encoded = frame.for(this.version);
    if (encoded !== null) this.sendRaw(encoded);
  }

  channelClosed(channel: RealtimeChannel): void {
    if (this.channels.get(channel.topic) === channel) this.channels.delete(channel.topic);
  }

  close(code = 1001, reason = 'server shutting down'): void {
    this.closeChannels();
    this.ws.close(code, reason);
  }

  private closeChannels() {
    for (const channel of [...this.channels.values()]) channel.terminate();
    this.channels.clear();
  }

  private receive(data: Buffer, isBinary: boolean) {
    this.lastSeen = Date.now();
    let message: PhoenixMessage;
    try {
      message = decodeFrame(data, isBinary, this.version);
    } catch (error) {
      if (error instanceof FrameError) {
        this.runtime.log.warn(`dropped a malformed frame: ${error.message}`);
        return;
      }
      throw error;
    }
    const pending = this.pendingJoins.get(message.topic);
    if (pending) {
      void pending.then(() => this.dispatch(message));
      return;
    }
    this.dispatch(message);
  }

  private dispatch(message: PhoenixMessage) {
    if (message.topic === 'phoenix' && message.event === 'heartbeat') {
      this.send({ ...message, event: 'phx_reply', payload: { status: 'ok', response: {} } });
      return;
    }
    if (message.event === 'phx_join') {
      this.join(message);
      return;
    }
    const channel = this.channels.get(message.topic);
    if (!channel) {
      // Phoenix answers pushes to topics this socket hasn't joined like this.
      if (message.ref !== null) {
        this.send({
          ...message,
          event: 'phx_reply',
          payload: { status: 'error', response: { reason: 'unmatched topic' } },
        });
      }
      return;
    }
    channel.handle(message);
  }

  private join(message: PhoenixMessage) {
    if (!message.topic.startsWith('realtime:')) {
      this.send({
        ...message,
        event: 'phx_reply',
        payload: { status: 'error', response: { reason: 'unmatched topic' } },
      });
      return;
    }
    this.channels.get(message.topic)?.replaced();
    const joining = RealtimeChannel.join(this.runtime, this, message)
      .then((channel) => {
        if (!channel) return;
        if (this.ws.readyState !== this.ws.OPEN) channel.terminate();
        else this.channels.set(message.topic, channel);
      })
      .catch((error: Error) => {
        this.runtime.log.error(`join of ${message.topic} failed: ${error.message}`);
        this.send({
          ...message,
          event: 'phx_reply',
          payload: {
            status: 'error',
            response: { reason: 'UnknownErrorOnChannel: Unknown Error on Channel' },
          },
        });
      })
      .finally(() => {
        if (this.pendingJoins.get(message.topic) === joining) this.pendingJoins.delete(message.topic);
      });
    this.pendingJoins.set(message.topic, joining);
  }
}
