import * as z from 'zod/mini';
import { id, integer } from './fields.ts';

/** Tokens are opaque; the database accepts 16–512 characters. */
export const invitationToken = z.string().check(z.minLength(16), z.maxLength(512));

export const createInviteLinkInput = z.strictObject({
  workspace_id: id,
  role_id: id,
  /** 1–1000; default 10. */
  max_uses: z.optional(integer(1, 1000)),
  /** 1 hour to 30 days ahead; default 7 days. */
  expires_at: z.optional(z.iso.datetime({ offset: true })),
});

export const verifyDomainInput = z.strictObject({
  workspace_id: id,
  domain: z.string(),
  /** Omit for suggest-only. */
  join_role_id: z.optional(id),
});
