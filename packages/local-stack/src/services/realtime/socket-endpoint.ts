import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ProjectKeys } from '../../config/project-keys.ts';
import { type SerializerVersion, SUPPORTED_VERSIONS } from './phoenix-serializer.ts';
import type { RealtimeRuntime } from './realtime-channel.ts';
import { SocketConnection } from './socket-connection.ts';

/**
 * `/realtime/v1/websocket`: checks the API key (the gateway's HTTP middleware doesn't
 * run on upgrades) and the serializer version, then hands the socket to a
 * SocketConnection.
 */

// Hosted's largest broadcast payload (Pro plans) plus framing.
const MAX_FRAME_BYTES = 3 * 1024 * 1024 + 64 * 1024;

const IDLE_TIMEOUT_MS = 60_000;

type KeyCheck = { ok: true; token: string } | { ok: false; status: number; body: Record<string, string> };

async function checkApiKey(keys: ProjectKeys, apiKey: string | undefined): Promise<KeyCheck> {
  if (!apiKey) {
    return {
      ok: false,
      status: 401,
      body: {
        message: 'No API key found in request',
        hint: 'No `apikey` request header or url param was found.',
      },
    };
  }
  const opaqueRole = keys.roleOfOpaqueKey(apiKey);
  if (opaqueRole) return { ok: true, token: opaqueRole === 'anon' ? keys.anonKey : keys.serviceRoleKey };
  try {
    const claims = await keys.verify(apiKey);
    if (claims.role === 'anon' || claims.role === 'service_role') return { ok: true, token: apiKey };
  } catch {
    // falls through to "invalid"
  }
  return {
    ok: false,
    status: 401,
    body: {
      message: 'Invalid API key',
      hint: 'Double check your Supabase `anon` or `service_role` API key.',
    },
  };
}

function refuse(socket: Duplex, status: number, body: Record<string, string>) {
  const json = JSON.stringify(body);
  const reason = status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
  );
}

export interface SocketEndpoint {
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  connections(): number;
  close(): Promise<void>;
}

export function createSocketEndpoint(runtime: RealtimeRuntime, basePath: string): SocketEndpoint {
  const server = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_FRAME_BYTES,
    // Phoenix's JS client may offer the "phoenix" subprotocol; accept it, else none.
    handleProtocols: (protocols) => (protocols.has('phoenix') ? 'phoenix' : false),
  });
  const connections = new Set<SocketConnection>();
  // Phoenix drops a socket that sent nothing (not even a heartbeat) for a minute.
  const idleSweep = setInterval(() => {
    const cutoff = Date.now() - IDLE_TIMEOUT_MS;
    for (const connection of connections) {
      if (connection.lastSeen < cutoff) connection.close(1000, 'heartbeat timeout');
    }
  }, IDLE_TIMEOUT_MS / 4);
  idleSweep.unref();

  const upgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://realtime');
    if (url.pathname.replace(/\/+$/, '') !== `${basePath}/websocket`) {
      refuse(socket, 404, { message: 'no Route matched with those values' });
      return;
    }
    const header = request.headers.apikey;
    const apiKey = url.searchParams.get('apikey') ?? (Array.isArray(header) ? header[0] : header);
    const key = await checkApiKey(runtime.keys, apiKey ?? undefined);
    if (!key.ok) {
      refuse(socket, key.status, key.body);
      return;
    }
    const vsn = url.searchParams.get('vsn') ?? '1.0.0';
    if (!SUPPORTED_VERSIONS.includes(vsn as SerializerVersion)) {
      refuse(socket, 400, { message: `unsupported vsn ${vsn}; use 1.0.0 or 2.0.0` });
      return;
    }
    server.handleUpgrade(request, socket, head, (ws) => {
      const connection = new SocketConnection(ws, socket, vsn as SerializerVersion, key.token, runtime);
      connections.add(connection);
      ws.on('close', () => connections.delete(connection));
    });
  };

  return {
    upgrade: (request, socket, head) => {
      upgrade(request, socket, head).catch((error: Error) => {
        runtime.log.error(`websocket upgrade failed: ${error.message}`);
        socket.destroy();
      });
    },
    connections: () => connections.size,
    close: async () => {
      clearInterval(idleSweep);
      for (const connection of connections) connection.close();
      connections.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
