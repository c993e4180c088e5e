import type { Queryable, UserRow } from './users.ts';
import { INSTANCE_ID } from './users.ts';

/** Writes auth.audit_log_entries as GoTrue does, so dashboards and SQL that read them keep working. */
export async function recordAudit(
  db: Queryable,
  actor: UserRow,
  action: string,
  ip: string | undefined,
  traits: Record<string, unknown> = {},
): Promise<void> {
  const payload = {
    actor_id: actor.id,
    actor_username: actor.email ?? actor.phone ?? '',
    actor_via_sso: false,
    action,
    log_type:
      action === 'token_refreshed' || action === 'token_revoked'
        ? 'token'
        : action.startsWith('user_')
          ? 'user'
          : 'account',
    traits,
  };
  await db.query(
    `insert into auth.audit_log_entries (instance_id, id, payload, created_at, ip_address)
     values ($1, gen_random_uuid(), $2, now(), $3)`,
    [INSTANCE_ID, JSON.stringify(payload), (ip ?? '').slice(0, 64)],
  );
}
