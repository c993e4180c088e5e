import type pg from 'pg';
import type { ProjectKeys } from '../../config/project-keys.ts';
import type { Logger } from '../../logger.ts';
import { isDatabaseUnavailable } from '../database-unavailable.ts';
import type { Mailer } from './mailer.ts';
import type { LocalIdentityProvider } from './oauth/local-identity-provider.ts';
import type { SmsSender } from './phone/sms-sender.ts';
import type { AuthRateLimits } from './rate-limits.ts';
import type { AuthSettings } from './settings.ts';

/** What every Auth route works with, built once when the service starts. */
export interface AuthRuntime {
  settings: AuthSettings;
  /** Connected as supabase_auth_admin, the owner of the auth schema, as GoTrue is on hosted. */
  db: pg.Pool;
  keys: ProjectKeys;
  mailer: Mailer;
  /** Text messages: to the local SMS catcher (services/sms). */
  sms: SmsSender;
  /** The test identity provider standing in for every enabled `[auth.external.*]`; undefined when none is. */
  identityProvider?: Promise<LocalIdentityProvider> | undefined;
  limits: AuthRateLimits;
  log: Logger;
  apiUrl: string;
  supabaseDir: string;
}

/**
 * Runs `work` in one transaction on one connection. `commitDespite` keeps writes made
 * before certain errors (revoking a refresh-token family, then refusing the request).
 */
export async function inTransaction<T>(
  runtime: AuthRuntime,
  work: (client: pg.PoolClient) => Promise<T>,
  commitDespite?: (error: unknown) => boolean,
): Promise<T> {
  const client = await runtime.db.connect();
  let broken = false;
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    // A connection the server dropped is discarded, not handed to the next request.
    broken = isDatabaseUnavailable(error);
    if (!broken) await client.query(commitDespite?.(error) ? 'commit' : 'rollback').catch(() => {});
    throw error;
  } finally {
    client.release(broken);
  }
}
