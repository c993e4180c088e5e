import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ProjectKeys } from '../config/project-keys.ts';
import { refuseUpgrade } from '../http/refuse-upgrade.ts';
import type { Logger } from '../logger.ts';
import { type GatewayMode, type MountTable, mountOf, requiresApiKey } from '../services/mounts.ts';
import { credentialsOf, resolveCaller } from '../services/resolve-caller.ts';
import type { Service } from '../services/service.ts';
import { apiKeyRejection } from './api-key-guard.ts';

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface UpgradeOptions {
  keys: ProjectKeys;
  mounts: MountTable;
  /** Hosted's gateway (default) or the one `supabase start` runs. */
  mode?: GatewayMode;
  services: Service[];
  log: Logger;
}

/**
 * WebSocket upgrades skip the Hono app, so they get the same caller resolution and key
 * rule here before the service that owns the path takes the socket.
 */
export function createUpgradeHandler(options: UpgradeOptions): UpgradeHandler {
  const { keys, mounts, services, log } = options;
  const mode = options.mode ?? 'hosted';
  const handle = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://gateway');
    const mount = mountOf(mounts, url.pathname);
    const service = services.find((candidate) => candidate.mount === mount && candidate.upgrade);
    if (!service?.upgrade) {
      refuseUpgrade(socket, 404);
      return;
    }
    const caller = await resolveCaller(
      keys,
      credentialsOf(url, (name) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      }),
    );
    const rejection = requiresApiKey(mount, url.pathname, mode) ? apiKeyRejection(caller) : undefined;
    if (rejection) {
      refuseUpgrade(socket, 401, rejection);
      return;
    }
    service.upgrade(request, socket, head, caller);
  };
  return (request, socket, head) => {
    handle(request, socket, head).catch((error: Error) => {
      log.error(`websocket upgrade of ${request.url ?? '/'} failed: ${error.message}`);
      socket.destroy();
    });
  };
}
