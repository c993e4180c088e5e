/**
 * The error body every Groundwork edge function answers with. `code` comes from the error
 * vocabulary (`../error-vocabulary.ts`, which the SDK imports as well to read these bodies);
 * `fields` lists bad input per field, `details` carries structured extras.
 *
 * The functions import `zod/mini` by its bare name through their deno.json import map.
 */
import * as z from 'zod/mini';
import { functionErrorCodes } from '../error-vocabulary.ts';

export const functionErrorCode = z.enum(functionErrorCodes);

export const functionErrorBody = z.object({
  code: functionErrorCode,
  message: z.string(),
  /** Field path (`email`, `workspaceId`) → what is wrong with it. */
  fields: z.optional(z.record(z.string(), z.array(z.string()))),
  /** Structured detail, e.g. `{ limit: 'members', max: 5, current: 5 }` for plan limits. */
  details: z.optional(z.record(z.string(), z.unknown())),
});
export type FunctionErrorBody = z.infer<typeof functionErrorBody>;
