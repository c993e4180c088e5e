/**
 * Input and output of the `invite-member` edge function, defined once: the function
 * validates requests with these schemas and the SDK imports the same file, so a
 * deployed function and the SDK cannot disagree.
 */
import { z } from 'zod';

/** Owners are made by transferring ownership, never by invitation. */
export const invitableRole = z.enum(['viewer', 'member', 'admin'], {
  error: 'must be viewer, member or admin (owners are made by transferring ownership)',
});
export type InvitableRole = z.infer<typeof invitableRole>;

export const inviteMemberInput = z.strictObject({
  workspaceId: z.guid({ error: 'must be a UUID' }),
  email: z
    .string({ error: 'must be an email address' })
    .trim()
    .toLowerCase()
    .pipe(
      z.email({ error: 'must be an email address' }).max(320, { error: 'must be at most 320 characters' }),
    ),
  role: invitableRole.default('member'),
});
/** What callers send (role is optional and defaults to `member`). */
export type InviteMemberInput = z.input<typeof inviteMemberInput>;

/** The invitation as stored, without its token hash; the token itself only travels by email. */
export const invitation = z.object({
  id: z.string(),
  workspace_id: z.string(),
  email: z.string(),
  role: invitableRole,
  invited_by: z.string().nullable(),
  expires_at: z.string(),
  accepted_at: z.string().nullable(),
  accepted_by: z.string().nullable(),
  revoked_at: z.string().nullable(),
  created_at: z.string(),
});
export type Invitation = z.infer<typeof invitation>;

/** `201 Created` body of invite-member. */
export const inviteMemberResult = invitation;
export type InviteMemberResult = Invitation;
