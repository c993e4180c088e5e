import { z } from 'zod';
import { email, id } from './fields.ts';

/** Owners are made by transferring ownership, never by invitation. */
export const inviteRole = z.enum(['viewer', 'member', 'admin'], { error: 'must be viewer, member or admin' });

export const createInvitationInput = z.object({
  workspace_id: id,
  email,
  role: inviteRole.optional(),
});

/** Tokens are opaque; the database accepts 16–512 characters. */
export const invitationToken = z.string().min(16).max(512);
