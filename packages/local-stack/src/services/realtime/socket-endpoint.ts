import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { refuseUpgrade } from '../../http/refuse-upgrade.ts';
import type { Caller } from '../caller.ts';
import { type SerializerVersion, SUPPORTED_VERSIONS } from './phoenix-serializer.ts';
import type { RealtimeRuntime } from './realtime-channel.ts';
import { SocketConnection } from './socket-connection.ts';

/**
 * `<mount>/websocket`: the gateway has resolved the caller and checked the API key;
 * this checks the path and the serializer version, then hands the socket to a
 * SocketConnection.
 */

// Hosted's largest broadcast payload (Pro plans) plus framing.
const MAX_FRAME_BYTES = 3 * 1024 * 1024 + 64 * 1024;

const IDLE_TIMEOUT_MS = 60_000;

export interface SocketEndpoint {
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, caller: Caller): void;
  connections(): number;
  close(): Promise<void>;
}

export function createSocketEndpoint(runtime: RealtimeRuntime, mountPath: string): SocketEndpoint {
  // ws is loaded with the first socket, not at stack start: a stack whose apps never open a
  // Realtime socket keeps it (and the zlib it brings) out of the stack process's memory.
  let server: Promise<WebSocketServer> | undefined;
  const webSocketServer = () => {
    server ??= import('ws').then(
      ({ WebSocketServer }) =>
        new WebSocketServer({
          noServer: true,
          perMessageDeflate: false,
          maxPayload: MAX_FRAME_BYTES,
          // Phoenix's JS client may offer the "phoenix" subprotocol; accept it, else none.
          handleProtocols: (protocols) => (protocols.has('phoenix') ? 'phoenix' : false),
        }),
    );
    return server;
  };
  const connections = new Set<SocketConnection>();
  // Phoenix drops a socket that sent nothing (not even a heartbeat) for a minute.
  const idleSweep = setInterval(() => {
    const cutoff = Date.now() - IDLE_TIMEOUT_MS;
    for (const connection of connections) {
      if (connection.lastSeen < cutoff) connection.close(1000, 'heartbeat timeout');
    }
  }, IDLE_TIMEOUT_MS / 4);
  idleSweep.unref();

  const upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer, caller: Caller) => {
    const url = new URL(request.url ?? '/', 'http://realtime');
    if (url.pathname.replace(/\/+$/, '') !== `${mountPath}/websocket`) {
      refuseUpgrade(socket, 404, { message: 'no Route matched with those values' });
      return;
    }
    const vsn = url.searchParams.get('vsn') ?? '1.0.0';
    if (!SUPPORTED_VERSIONS.includes(vsn as SerializerVersion)) {
      refuseUpgrade(socket, 400, { message: `unsupported vsn ${vsn}; use 1.0.0 or 2.0.0` });
      return;
    }
    // Hosted Realtime takes the socket's token from the API key, never from Authorization.
    const keyToken = caller.apiKey.jwt ?? '';
    void webSocketServer().then(
      (wss) => {
        if (socket.destroyed) return;
        wss.handleUpgrade(request, socket, head, (ws) => {
          const connection = new SocketConnection(ws, socket, vsn as SerializerVersion, keyToken, runtime);
          connections.add(connection);
          ws.on('close', () => connections.delete(connection));
        });
      },
      () => socket.destroy(),
    );
  };

  return {
    upgrade,
    connections: () => connections.size,
    close: async () => {
      clearInterval(idleSweep);
      for (const connection of connections) connection.close();
      connections.clear();
      const opened = await server;
      if (opened) await new Promise<void>((resolve) => opened.close(() => resolve()));
    },
  };
}
