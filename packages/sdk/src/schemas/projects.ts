import { z } from 'zod';
import { hexColor, id, requiredText } from './fields.ts';

const projectName = requiredText(100);
/** Stored upper-cased by the database; accepted in any case here for the same result. */
const projectKey = z
  .string()
  .transform((key) => key.trim().toUpperCase())
  .pipe(
    z
      .string()
      .regex(/^[A-Z][A-Z0-9]{1,9}$/, { error: 'must be 2–10 letters or digits, starting with a letter' }),
  );
const description = z.string().max(10000);

export const createProjectInput = z.object({
  workspace_id: id,
  name: projectName,
  key: projectKey,
  description: description.optional(),
});
export const updateProjectInput = z
  .object({ name: projectName.optional(), key: projectKey.optional(), description: description.optional() })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    error: 'nothing to update',
  });
export const listProjectsInput = z.object({ include_archived: z.boolean().optional() }).optional();

const labelName = requiredText(50);
export const createLabelInput = z.object({ workspace_id: id, name: labelName, color: hexColor.optional() });
export const updateLabelInput = z
  .object({ name: labelName.optional(), color: hexColor.optional() })
  .refine((patch) => patch.name !== undefined || patch.color !== undefined, { error: 'nothing to update' });
