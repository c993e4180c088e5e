import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { StackError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { ServiceEnv } from '../caller.ts';
import { MOUNTS } from '../mounts.ts';
import type { Service, ServiceContext } from '../service.ts';
import { createMailApi } from './mail-api.ts';
import { MessageStore } from './message-store.ts';
import { listenSmtp } from './smtp-listener.ts';

export interface MailCatcherOptions {
  host: string;
  /** SMTP port Auth sends to. */
  smtpPort: number;
  /** Web page and Mailpit-style HTTP API. */
  httpPort: number;
  log: Logger;
  /** Messages kept in memory; older ones are dropped. */
  limit?: number;
}

export interface RunningMailCatcher {
  url: string;
  /** The ports bound (0 in the options picks free ones). */
  httpPort: number;
  smtpPort: number;
  store: MessageStore;
  app: Hono;
  close(): Promise<void>;
}

/**
 * The local mail catcher (Mailpit's role in `supabase start`): SMTP in, messages kept in
 * memory, read back over HTTP on their own port.
 */
function portError(error: unknown, port: number, what: string): unknown {
  return (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
    ? new StackError('port_in_use', `port ${port} (${what}) is already in use`, 'mail')
    : error;
}

export async function startMailCatcher(options: MailCatcherOptions): Promise<RunningMailCatcher> {
  const store = new MessageStore(options.limit);
  const smtp = await listenSmtp({
    host: options.host,
    port: options.smtpPort,
    store,
    log: options.log,
  }).catch((error: unknown) => {
    throw portError(error, options.smtpPort, 'mail catcher SMTP');
  });
  const app = createMailApi(store);
  let server: ServerType | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      server = serve({ fetch: app.fetch, port: options.httpPort, hostname: options.host }, () => resolve());
      server.once('error', reject);
    });
  } catch (error) {
    await smtp.close();
    throw portError(error, options.httpPort, 'mail catcher web');
  }
  const http = server as unknown as import('node:http').Server;
  const httpPort = (http.address() as import('node:net').AddressInfo).port;
  return {
    url: `http://${options.host}:${httpPort}`,
    httpPort,
    smtpPort: smtp.port,
    store,
    app,
    close: async () => {
      http.closeAllConnections?.();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await smtp.close();
    },
  };
}

/**
 * The mail catcher as a stack service: it listens on its own ports (config.ports.mail,
 * config.ports.smtp) and is also reachable through the gateway (`MOUNTS.mail`).
 */
export async function createMailCatcherService(ctx: ServiceContext): Promise<Service> {
  const catcher = await startMailCatcher({
    host: ctx.smtp.host,
    smtpPort: ctx.smtp.port,
    httpPort: ctx.config.ports.mail,
    log: ctx.log.child('mail'),
  });
  const app = new Hono<ServiceEnv>();
  app.route('/', catcher.app);
  return {
    mount: MOUNTS.mail,
    app,
    listensOn: { mail: catcher.httpPort, smtp: catcher.smtpPort },
    close: () => catcher.close(),
  };
}
