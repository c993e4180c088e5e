import { z } from 'zod';
import { cursor, id, pageLimit } from './fields.ts';

export const listNotificationsInput = z
  .object({ unread_only: z.boolean().optional(), limit: pageLimit, cursor })
  .optional();

export const markReadInput = z.array(id).max(1000).optional();
