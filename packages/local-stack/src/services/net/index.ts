import pg from 'pg';
import { listenChannel } from '../../database/listen-channel.ts';
import type { Service, ServiceContext } from '../service.ts';
import { startHttpWorker } from './http-worker.ts';
import { createHttpSender } from './send-request.ts';

/**
 * pg_net's worker: sends the HTTP requests SQL queues with net.http_get/post/delete
 * (and so Database Webhooks), once their transaction commits. The extension itself is
 * SQL (database/extensions/pg_net--0.19.5.sql); until a migration creates it this service
 * only listens for net.wake()'s NOTIFY.
 */
export async function netService(ctx: ServiceContext): Promise<Service> {
  const log = ctx.log.child('net');
  // pg_net's worker lives in database postgres and writes net's tables as a superuser.
  const db = new pg.Pool({ connectionString: ctx.databaseUrl('supabase_admin'), max: 4 });
  db.on('error', (error) => log.warn(`database pool: ${error.message}`));
  const worker = startHttpWorker({
    db,
    sender: createHttpSender({ port: ctx.config.ports.api, configuredPort: ctx.config.toml.api.port }),
    log,
  });
  try {
    const listener = await listenChannel({
      url: ctx.databaseUrl('supabase_admin'),
      channel: 'groundwork_net',
      // net.check_worker_is_up() and net.wait_until_running() look for this name.
      applicationName: 'pg_net worker',
      onNotify: () => worker.wake(),
      log,
    });
    return {
      close: async () => {
        await listener.close();
        await worker.close();
        await db.end();
      },
    };
  } catch (error) {
    await worker.close();
    await db.end();
    throw error;
  }
}
