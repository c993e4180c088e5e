import type { HookFunction } from '../../../config/config-schema.ts';
import { AuthError } from '../error-codes.ts';
import type { UserJson } from '../user-json.ts';
import type { Queryable } from '../users.ts';

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

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
  let output: unknown;
  try {
    const { rows } = await db.query<{ output: unknown }>(
      `select ${quoteIdent(hook.schema)}.${quoteIdent(hook.name)}($1::jsonb) as output`,
      [JSON.stringify(input)],
    );
    output = rows[0]?.output;
  } catch (error) {
    throw new AuthError(
      'unexpected_failure',
      `Error running hook URI: pg-functions://postgres/${hook.schema}/${hook.name}`,
      { cause: error },
    );
  }
  const failure = (output && typeof output === 'object' ? output : {}) as {
    error?: { http_code?: unknown; message?: unknown };
  };
  if (!failure.error) return;
  const status = typeof failure.error.http_code === 'number' ? failure.error.http_code : 500;
  const message =
    typeof failure.error.message === 'string' ? failure.error.message : 'Hook returned an error';
  throw new AuthError(status >= 500 ? 'unexpected_failure' : 'validation_failed', message, { status });
}
