import * as z from 'zod/mini';

/** Tokens are opaque; the database accepts 16–512 characters. */
export const invitationToken = z.string().check(z.minLength(16), z.maxLength(512));
