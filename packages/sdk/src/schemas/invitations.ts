import { z } from 'zod';

/** Tokens are opaque; the database accepts 16–512 characters. */
export const invitationToken = z.string().min(16).max(512);
