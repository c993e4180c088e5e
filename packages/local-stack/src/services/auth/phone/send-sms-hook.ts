import type { HookFunction } from '../../../config/config-schema.ts';
import { callPostgresHook } from '../postgres-hook.ts';
import type { UserJson } from '../user-json.ts';
import type { Queryable } from '../users.ts';

/**
 * `[auth.hook.send_sms]` as a Postgres function: called with `{user, sms: {otp}}` instead of
 * the SMS provider, in the request's transaction, as GoTrue's Send SMS hook. It answers `{}`,
 * or `{error: {http_code, message}}` to refuse the request with that status and message.
 */
export async function runSendSmsHook(
  db: Queryable,
  hook: HookFunction,
  input: { user: UserJson; sms: { otp: string } },
): Promise<void> {
  await callPostgresHook(db, hook, input);
}
