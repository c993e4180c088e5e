import * as z from 'zod/mini';
import { hexColor, id, requiredText, somethingToUpdate, text } from './fields.ts';

const projectName = requiredText(100);
/** Stored upper-cased by the database; accepted in any case here for the same result. */
const projectKey = z
  .string()
  .check(
    z.trim(),
    z.toUpperCase(),
    z.regex(/^[A-Z][A-Z0-9]{1,9}$/, { error: 'must be 2–10 letters or digits, starting with a letter' }),
  );
const description = text(10000);

export const createProjectInput = z.object({
  workspace_id: id,
  name: projectName,
  key: projectKey,
  description: z.optional(description),
});
export const updateProjectInput = z
  .object({
    name: z.optional(projectName),
    key: z.optional(projectKey),
    description: z.optional(description),
  })
  .check(somethingToUpdate);
export const listProjectsInput = z.optional(z.object({ include_archived: z.optional(z.boolean()) }));

const labelName = requiredText(50);
export const createLabelInput = z.object({ workspace_id: id, name: labelName, color: z.optional(hexColor) });
export const updateLabelInput = z
  .object({ name: z.optional(labelName), color: z.optional(hexColor) })
  .check(somethingToUpdate);
