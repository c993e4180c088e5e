import pg from 'pg';
import { listenChannel } from '../../database/listen-channel.ts';
import { clusterDirFor, socketDirFor } from '../../processes/data-dir.ts';
import type { Service, ServiceContext } from '../service.ts';
import { createRunLog } from './run-log.ts';
import { startCronScheduler } from './scheduler.ts';

/**
 * Supabase Cron (pg_cron): runs the jobs of cron.job. The extension itself is SQL
 * (database/extensions/pg_cron--1.6.sql); until a migration creates it this service only
 * listens. Its trigger's NOTIFY (delivered on commit) makes it re-read the jobs.
 */
export async function cronService(ctx: ServiceContext): Promise<Service> {
  const log = ctx.log.child('cron');
  // pg_cron's worker reads cron.job in database postgres and writes the run history as a superuser.
  const admin = new pg.Pool({ connectionString: ctx.databaseUrl('supabase_admin'), max: 4 });
  admin.on('error', (error) => log.warn(`database pool: ${error.message}`));
  const scheduler = startCronScheduler({
    admin,
    runLog: createRunLog(admin),
    socket: { dir: socketDirFor(clusterDirFor(ctx.config.stateDir)), port: ctx.config.ports.db },
    log,
  });
  try {
    const listener = await listenChannel({
      url: ctx.databaseUrl('supabase_admin'),
      channel: 'groundwork_cron',
      applicationName: 'pg_cron scheduler',
      onNotify: () => scheduler.reload(),
      log,
    });
    scheduler.reload();
    return {
      close: async () => {
        await listener.close();
        await scheduler.close();
        await admin.end();
      },
    };
  } catch (error) {
    await scheduler.close();
    await admin.end();
    throw error;
  }
}
