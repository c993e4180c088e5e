import {
  invitableRole,
  inviteMemberInput,
  resendInvitationInput,
} from '../../../../supabase/functions/_shared/schemas/invite-member.ts';
import type { SdkContext } from '../context.ts';
import { functionData, oneRow, parseInput, rows } from '../query-result.ts';
import { requireRow } from '../row-access.ts';
import { id as idSchema } from '../schemas/fields.ts';
import { invitationToken } from '../schemas/invitations.ts';
import type { Invitation, Workspace, WorkspaceRole } from '../types.ts';

const INVITATION_COLUMNS =
  'id, workspace_id, email, role, invited_by, expires_at, accepted_at, accepted_by, revoked_at, created_at, last_sent_at, send_count';
const WORKSPACE_COLUMNS = 'id, name, slug, plan, require_mfa, created_at, updated_at';

export type InvitationsApi = ReturnType<typeof createInvitationsApi>;

/** Inviting people by email; the invitee redeems the emailed token with {@link accept}. */
export function createInvitationsApi(ctx: SdkContext) {
  const { supabase } = ctx;
  return {
    /**
     * Invites someone by email (admins), through the `invite-member` edge function, which stores
     * the invitation and emails the token. Inviting an address again replaces its open
     * invitation (the old link stops working). An open invitation holds a seat of the plan
     * (`plan_limit_reached`); inviting a member is a `conflict` (reason `already_member`).
     * `expires_at` may be 1 hour to 30 days ahead (default 7 days).
     *
     * @example
     * ```ts
     * const invitation = await gw.invitations.create({ workspace_id, email: 'ivan@example.com', role: 'member' });
     * ```
     */
    async create(input: {
      workspace_id: string;
      email: string;
      role?: Exclude<WorkspaceRole, 'owner'>;
      expires_at?: string;
    }): Promise<Invitation> {
      // The function's own schema validates here too, so both sides reject the same inputs.
      const body = parseInput(
        inviteMemberInput,
        {
          workspaceId: input?.workspace_id,
          email: input?.email,
          role: input?.role,
          expiresAt: input?.expires_at,
        },
        { workspaceId: 'workspace_id', expiresAt: 'expires_at' },
      );
      return functionData<Invitation>(supabase.functions.invoke('invite-member', { body }));
    },

    /**
     * Open invitations of a workspace (not accepted, revoked or expired), newest first (admins).
     *
     * @example
     * ```ts
     * const pending = await gw.invitations.listPending(workspaceId);
     * ```
     */
    async listPending(workspaceId: string): Promise<Invitation[]> {
      const workspace_id = parseInput(idSchema, workspaceId);
      return rows(
        supabase
          .from('invitations')
          .select(INVITATION_COLUMNS)
          .eq('workspace_id', workspace_id)
          .is('accepted_at', null)
          .is('revoked_at', null)
          .gt('expires_at', new Date().toISOString())
          .order('created_at', { ascending: false })
          .order('id'),
      );
    },

    /**
     * Revokes an open invitation (admins); its token stops working. Revoking an accepted one
     * throws `conflict`.
     *
     * @example
     * ```ts
     * await gw.invitations.revoke(invitationId);
     * ```
     */
    async revoke(invitationId: string): Promise<Invitation> {
      const id = parseInput(idSchema, invitationId);
      const updated = await rows(
        supabase
          .from('invitations')
          .update({ revoked_at: new Date().toISOString() })
          .eq('id', id)
          .select(INVITATION_COLUMNS)
          .maybeSingle(),
      );
      return requireRow(ctx, updated, 'invitations', { id }, 'invitation');
    },

    /**
     * Mails an open invitation again with a new token (the old link stops working), through the
     * `resend-invitation` function. Rate limited per invitation: `rate_limited` (reason
     * `invitation_resend_too_soon`) with `details.retry_after_seconds`.
     *
     * @example
     * ```ts
     * await gw.invitations.resend(invitationId);
     * ```
     */
    async resend(invitationId: string): Promise<Invitation> {
      const body = parseInput(resendInvitationInput, { invitationId }, { invitationId: 'invitation_id' });
      return functionData<Invitation>(supabase.functions.invoke('resend-invitation', { body }));
    },

    /**
     * Changes the role of an open invitation, to one you could give yourself.
     *
     * @example
     * ```ts
     * await gw.invitations.changeRole(invitationId, 'viewer');
     * ```
     */
    async changeRole(invitationId: string, role: Exclude<WorkspaceRole, 'owner'>): Promise<Invitation> {
      const id = parseInput(idSchema, invitationId);
      const updated = await rows(
        supabase
          .from('invitations')
          .update({ role: parseInput(invitableRole, role) })
          .eq('id', id)
          .select(INVITATION_COLUMNS)
          .maybeSingle(),
      );
      return requireRow(ctx, updated, 'invitations', { id }, 'invitation');
    },

    /**
     * Joins the workspace an invitation token was emailed for. The signed-in user's confirmed
     * email must be the invited one (`forbidden` otherwise); expired or revoked tokens are `not_found`.
     * Accepting twice is harmless.
     *
     * @example
     * ```ts
     * const workspace = await gw.invitations.accept(tokenFromEmail);
     * ```
     */
    async accept(token: string): Promise<Workspace> {
      const value = parseInput(invitationToken, token);
      return oneRow(
        supabase.rpc('accept_invitation', { token: value }).select(WORKSPACE_COLUMNS).single(),
        'Invitation',
      );
    },
  };
}
