/**
 * Input and output of the `invite-member` edge function, defined once: the function
 * validates requests with these schemas and the SDK imports the same file (bundled into its
 * build), so a deployed function and the SDK cannot disagree. `zod/mini`, as everything the
 * SDK ships, so browser bundles stay small.
 */
import * as z from 'zod/mini';

/** Owners are made by transferring ownership, never by invitation. */
export const invitableRole = z.enum(['viewer', 'member', 'admin'], {
  error: 'must be viewer, member or admin (owners are made by transferring ownership)',
});
export type InvitableRole = z.infer<typeof invitableRole>;

export const inviteMemberInput = z.strictObject({
  workspaceId: z.guid({ error: 'must be a UUID' }),
  email: z.pipe(
    z.string({ error: 'must be an email address' }).check(z.trim(), z.toLowerCase()),
    z
      .email({ error: 'must be an email address' })
      .check(z.maxLength(320, { error: 'must be at most 320 characters' })),
  ),
  role: z._default(invitableRole, 'member'),
  /** When the invitation stops working: 1 hour to 30 days from now (the database checks); default 7 days. */
  expiresAt: z.optional(z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' })),
});
/** What callers send (role is optional and defaults to `member`). */
export type InviteMemberInput = z.input<typeof inviteMemberInput>;

/** The invitation as stored, without its token hash; the token itself only travels by email. */
export const invitation = z.object({
  id: z.string(),
  workspace_id: z.string(),
  email: z.string(),
  role: invitableRole,
  invited_by: z.nullable(z.string()),
  expires_at: z.string(),
  accepted_at: z.nullable(z.string()),
  accepted_by: z.nullable(z.string()),
  revoked_at: z.nullable(z.string()),
  created_at: z.string(),
  last_sent_at: z.string(),
  send_count: z.number(),
});

/** Input of the `resend-invitation` edge function. */
export const resendInvitationInput = z.strictObject({
  invitationId: z.guid({ error: 'must be a UUID' }),
});
export type Invitation = z.infer<typeof invitation>;

/** `201 Created` body of invite-member. */
export const inviteMemberResult = invitation;
export type InviteMemberResult = Invitation;
