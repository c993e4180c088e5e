/**
 * Field rules shared by the SDK's input schemas. They mirror the check constraints in
 * supabase/migrations so bad input fails in the client, before a round trip.
 *
 * Written with `zod/mini` (functions and `.check()` instead of methods): its schemas tree-shake,
 * so the SDK ships only the validators it uses (~10 KB instead of zod's ~90 KB).
 */
import * as z from 'zod/mini';
import { Constants } from '../database.gen.ts';

/** Any 8-4-4-4-12 hex id, as Postgres' uuid type accepts (not only RFC 4122 variants). */
export const id = z.guid({ error: 'must be a UUID' });

/** Text of at most `max` characters. */
export function text(max: number) {
  return z.string().check(z.maxLength(max, { error: `must be at most ${max} characters` }));
}

/** Text that must hold something besides whitespace, at most `max` characters. */
export function requiredText(max: number) {
  return text(max).check(z.refine((value) => value.trim().length > 0, { error: 'must not be empty' }));
}

/** Text trimmed before its length is checked. */
export function trimmedText(min: number, max: number) {
  return z.string().check(z.trim(), z.minLength(min), z.maxLength(max));
}

export const workspaceName = requiredText(100);
export const workspaceSlug = z.string().check(
  z.regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, {
    error: 'must be 1–48 lowercase letters, digits or inner hyphens',
  }),
);
export const workspaceRole = z.enum(Constants.public.Enums.workspace_role);
export const taskStatus = z.enum(Constants.public.Enums.task_status);
export const taskPriority = z.enum(Constants.public.Enums.task_priority);
/** Calendar date as Postgres' `date` prints it. */
export const isoDate = z.iso.date({ error: 'must be a date like 2025-01-31' });
export const hexColor = z
  .string()
  .check(z.regex(/^#[0-9a-fA-F]{6}$/, { error: 'must be a colour like #3b82f6' }));
export const email = z.email({ error: 'must be an email address' }).check(z.maxLength(320));

/** An integer in `[min, max]`. */
export function integer(min: number, max: number) {
  return z.int().check(z.minimum(min), z.maximum(max));
}

/** Page size of list calls; PostgREST's answers stay small and predictable. */
export const pageLimit = z.optional(integer(1, 200));
export const cursor = z.optional(z.string().check(z.minLength(1), z.maxLength(1000)));

/** Listener arguments of subscriptions. */
export const callback = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', {
  error: 'must be a function',
});

/** A patch must change something: at least one field is not `undefined`. */
export const somethingToUpdate = z.refine<Record<string, unknown>>(
  (patch: Record<string, unknown>) => Object.values(patch).some((value) => value !== undefined),
  { error: 'nothing to update' },
);

/** Exactly one of two scope fields is given. */
export function exactlyOneOf<A extends string, B extends string>(a: A, b: B) {
  return z.refine<Partial<Record<A | B, unknown>>>((input) => Boolean(input[a]) !== Boolean(input[b]), {
    error: `give exactly one of ${a} or ${b}`,
  });
}
