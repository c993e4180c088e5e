/**
 * The error body every Groundwork edge function answers with, shared with the SDK so
 * both sides agree on codes. `code` is a stable snake_case reason (the data layer's
 * error messages where one applies); `fields` lists bad input per field.
 *
 * Imported by relative path from the SDK (Node) and by the functions (Deno, where the
 * bare `zod` specifier comes from the function's deno.json import map).
 */
import { z } from 'zod';

export const functionErrorCode = z.enum([
  'validation_failed',
  'not_authenticated',
  'forbidden',
  'workspace_not_found',
  'already_member',
  'plan_limit_reached',
  'method_not_allowed',
  'email_not_sent',
  'internal_error',
]);
export type FunctionErrorCode = z.infer<typeof functionErrorCode>;

export const functionErrorBody = z.object({
  code: functionErrorCode,
  message: z.string(),
  /** Field path (`email`, `workspaceId`) → what is wrong with it. */
  fields: z.record(z.string(), z.array(z.string())).optional(),
  /** Structured detail, e.g. `{ limit: 'members', max: 5, current: 5 }` for plan limits. */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type FunctionErrorBody = z.infer<typeof functionErrorBody>;
