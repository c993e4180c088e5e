/**
 * Helpers for what PostgREST leaves implicit. Row-level security makes a write to a row you
 * may not change look like a write to no row at all; one cheap follow-up read tells the two
 * apart, so callers get `forbidden` for "you can see it but not change it" and `not_found`
 * otherwise — the same distinction the RPCs make.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { SdkContext } from './context.ts';
import { GroundworkError } from './errors.ts';

export async function failMissingRow(
  ctx: SdkContext,
  table: string,
  match: Record<string, string>,
  what: string,
): Promise<never> {
  // Untyped on purpose: this runs for any table and only counts rows.
  const untyped = ctx.supabase as unknown as SupabaseClient;
  const { count, error } = await untyped.from(table).select('*', { count: 'exact', head: true }).match(match);
  if (!error && count && count > 0) {
    throw new GroundworkError('forbidden', `Your role does not allow this change to the ${what}.`, {
      reason: 'forbidden',
    });
  }
  throw new GroundworkError('not_found', `${capitalize(what)} not found.`, { reason: `${what}_not_found` });
}

/** Throws `not_found`/`forbidden` (see {@link failMissingRow}) when a write touched no row. */
export async function requireRow<T>(
  ctx: SdkContext,
  result: T,
  table: string,
  match: Record<string, string>,
  what: string,
): Promise<NonNullable<T>> {
  if (result === null || result === undefined) return failMissingRow(ctx, table, match, what);
  return result;
}

/** Column list for profiles, shared by every read that returns one. */
export const PROFILE_COLUMNS = 'id, display_name, avatar_path, created_at, updated_at';

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Runs an insert under a parent row (a task under a project, a label in a workspace). RLS
 * rejects an insert under a parent the caller cannot even see with the same "forbidden" as
 * one under a parent they may only read; to match reads, the former becomes `not_found`.
 */
export async function insertUnder<T>(
  ctx: SdkContext,
  parent: { table: string; match: Record<string, string>; what: string },
  insert: () => Promise<T>,
): Promise<T> {
  try {
    return await insert();
  } catch (error) {
    if (error instanceof GroundworkError && error.code === 'forbidden' && error.reason === '42501') {
      const untyped = ctx.supabase as unknown as SupabaseClient;
      const { count } = await untyped
        .from(parent.table)
        .select('*', { count: 'exact', head: true })
        .match(parent.match);
      if (!count) {
        throw new GroundworkError('not_found', `${capitalize(parent.what)} not found.`, {
          reason: `${parent.what}_not_found`,
          cause: error,
        });
      }
    }
    throw error;
  }
}
