import type { EventEmitter } from 'node:events';
import pg from 'pg';
import type { CronJob } from './cron-job.ts';

export interface JobSession {
  client: pg.Client;
  /** The backend running the command (cron.job_run_details.job_pid). */
  pid: number | undefined;
}

/**
 * A new session for one run, as pg_cron opens one: logged in as the job's user to the
 * job's database, over the cluster's private Unix socket where local connections are
 * trusted, so the command runs with exactly that role's privileges (a superuser session
 * that only SET ROLEs could RESET ROLE its way back).
 */
export async function openJobSession(
  job: CronJob,
  socket: { dir: string; port: number },
): Promise<JobSession> {
  const client = new pg.Client({
    host: socket.dir,
    port: socket.port,
    user: job.username,
    database: job.database,
    application_name: 'pg_cron',
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  return { client, pid: (client as unknown as { processID?: number }).processID };
}

/**
 * Runs the command as one simple-protocol query (several statements allowed, as with
 * libpq) and returns pg_cron's return_message for the last statement: "N rows" when it
 * returned rows, else its command tag ("INSERT 0 1", "CREATE TABLE").
 */
export async function runJobCommand(session: JobSession, command: string): Promise<string> {
  let lastTag = '';
  const connection = (session.client as unknown as { connection: EventEmitter }).connection;
  const onComplete = (message: { text?: string }) => {
    lastTag = message.text ?? '';
  };
  connection.on('commandComplete', onComplete);
  try {
    const result = (await session.client.query(command)) as pg.QueryResult | pg.QueryResult[];
    const last = Array.isArray(result) ? result.at(-1) : result;
    if (last && last.fields.length > 0) {
      const count = last.rows.length;
      return `${count} ${count === 1 ? 'row' : 'rows'}`;
    }
    return lastTag || '0 rows';
  } finally {
    connection.off('commandComplete', onComplete);
  }
}

/** An error as libpq's PQresultErrorMessage shows it ("ERROR:  …", DETAIL and HINT lines). */
export function describeCommandError(error: unknown): string {
  const failure = error as Partial<pg.DatabaseError> & { message?: string };
  if (!failure.severity) return failure.message ?? String(error);
  let text = `${failure.severity}:  ${failure.message}\n`;
  if (failure.detail) text += `DETAIL:  ${failure.detail}\n`;
  if (failure.hint) text += `HINT:  ${failure.hint}\n`;
  return text;
}
