import type pg from 'pg';
import type { TokenColumn } from './users.ts';

/** auth.one_time_tokens.token_type for each users column that holds a token hash. */
const TOKEN_TYPE: Record<TokenColumn, string> = {
  confirmation_token: 'confirmation_token',
  recovery_token: 'recovery_token',
  email_change_token_new: 'email_change_token_new',
  email_change_token_current: 'email_change_token_current',
  reauthentication_token: 'reauthentication_token',
  phone_change_token: 'phone_change_token',
};

const SENT_AT: Record<TokenColumn, string> = {
  confirmation_token: 'confirmation_sent_at',
  recovery_token: 'recovery_sent_at',
  email_change_token_new: 'email_change_sent_at',
  email_change_token_current: 'email_change_sent_at',
  reauthentication_token: 'reauthentication_sent_at',
  phone_change_token: 'phone_change_sent_at',
};

/**
 * Stores a token hash the way current GoTrue does: in its users column (with the sent-at
 * time) and as a row of auth.one_time_tokens, one per user and type.
 */
export async function storeOneTimeToken(
  client: pg.PoolClient,
  userId: string,
  column: TokenColumn,
  hash: string,
  relatesTo: string,
): Promise<void> {
  await client.query(
    `update auth.users set ${column} = $2, ${SENT_AT[column]} = now(), updated_at = now() where id = $1`,
    [userId, hash],
  );
  await client.query(
    `insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
     values (gen_random_uuid(), $1, $2::auth.one_time_token_type, $3, $4, now(), now())
     on conflict (user_id, token_type) do update
       set token_hash = excluded.token_hash, relates_to = excluded.relates_to, updated_at = now()`,
    [userId, TOKEN_TYPE[column], hash, relatesTo],
  );
}

export async function clearOneTimeToken(
  client: pg.PoolClient,
  userId: string,
  column: TokenColumn,
): Promise<void> {
  await client.query(`update auth.users set ${column} = '', updated_at = now() where id = $1`, [userId]);
  await client.query(
    'delete from auth.one_time_tokens where user_id = $1 and token_type = $2::auth.one_time_token_type',
    [userId, TOKEN_TYPE[column]],
  );
}

/** When the token in `column` was sent. */
export function sentAtColumn(column: TokenColumn): string {
  return SENT_AT[column];
}
