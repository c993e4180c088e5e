import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** Answers a WebSocket upgrade with a plain HTTP error and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, body?: Record<string, string>): void {
  const json = body ? JSON.stringify(body) : '';
  const headers = body
    ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n`
    : '';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${headers}Connection: close\r\n\r\n${json}`,
  );
}
