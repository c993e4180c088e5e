/**
 * Field rules shared by the SDK's input schemas. They mirror the check constraints in
 * supabase/migrations so bad input fails in the client, before a round trip.
 */
import { z } from 'zod';
import { Constants } from '../database.gen.ts';

/** Any 8-4-4-4-12 hex id, as Postgres' uuid type accepts (not only RFC 4122 variants). */
export const id = z.guid({ error: 'must be a UUID' });

/** Text that must hold something besides whitespace, at most `max` characters. */
export function requiredText(max: number) {
  return z
    .string()
    .max(max, { error: `must be at most ${max} characters` })
    .refine((value) => value.trim().length > 0, { error: 'must not be empty' });
}

export const workspaceName = requiredText(100);
export const workspaceSlug = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, {
  error: 'must be 1–48 lowercase letters, digits or inner hyphens',
});
export const workspaceRole = z.enum(Constants.public.Enums.workspace_role);
export const taskStatus = z.enum(Constants.public.Enums.task_status);
export const taskPriority = z.enum(Constants.public.Enums.task_priority);
/** Calendar date as Postgres' `date` prints it. */
export const isoDate = z.iso.date({ error: 'must be a date like 2025-01-31' });
export const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, { error: 'must be a colour like #3b82f6' });
export const email = z.email({ error: 'must be an email address' }).max(320);

/** Page size of list calls; PostgREST's answers stay small and predictable. */
export const pageLimit = z.number().int().min(1).max(200).optional();
export const cursor = z.string().min(1).max(1000).optional();

/** Listener arguments of subscriptions. */
export const callback = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', {
  error: 'must be a function',
});
