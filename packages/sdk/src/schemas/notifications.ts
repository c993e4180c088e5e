import * as z from 'zod/mini';
import { cursor, id, pageLimit } from './fields.ts';

export const listNotificationsInput = z.optional(
  z.object({ unread_only: z.optional(z.boolean()), limit: pageLimit, cursor }),
);

export const markReadInput = z.optional(z.array(id).check(z.maxLength(1000)));
