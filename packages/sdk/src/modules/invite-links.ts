import type { SdkContext } from '../context.ts';
import { oneRow, parseInput, rows } from '../query-result.ts';
import { requireRow } from '../row-access.ts';
import { id as idSchema } from '../schemas/fields.ts';
import { createInviteLinkInput, invitationToken } from '../schemas/invitations.ts';
import type { InviteLink, NewInviteLink, Workspace } from '../types.ts';

const LINK_COLUMNS =
  'id, workspace_id, role_id, created_by, max_uses, use_count, expires_at, revoked_at, created_at';

export type InviteLinksApi = ReturnType<typeof createInviteLinksApi>;

/** Shareable links to join a workspace as a role: multi-use up to a cap, expiring, revocable. */
export function createInviteLinksApi(ctx: SdkContext) {
  const { supabase } = ctx;
  return {
    /**
     * Creates a link (`members.invite`, for a role you could give). `token` is returned only here.
     *
     * @example
     * ```ts
     * const { token } = await gw.inviteLinks.create({ workspace_id, role_id, max_uses: 20 });
     * ```
     */
    async create(input: {
      workspace_id: string;
      role_id: string;
      max_uses?: number;
      expires_at?: string;
    }): Promise<NewInviteLink> {
      const args = parseInput(createInviteLinkInput, input);
      return oneRow(
        supabase.rpc('create_invite_link', args).single(),
        'Invite link',
      ) as Promise<NewInviteLink>;
    },

    /**
     * The workspace's links, newest first (`members.invite`).
     *
     * @example
     * ```ts
     * const links = await gw.inviteLinks.list(workspaceId);
     * ```
     */
    async list(workspaceId: string): Promise<InviteLink[]> {
      const id = parseInput(idSchema, workspaceId);
      return rows(
        supabase
          .from('invite_links')
          .select(LINK_COLUMNS)
          .eq('workspace_id', id)
          .order('created_at', { ascending: false })
          .order('id'),
      );
    },

    /**
     * Revokes a link; it stops working at once.
     *
     * @example
     * ```ts
     * await gw.inviteLinks.revoke(linkId);
     * ```
     */
    async revoke(linkId: string): Promise<InviteLink> {
      const id = parseInput(idSchema, linkId);
      const updated = await rows(
        supabase
          .from('invite_links')
          .update({ revoked_at: new Date().toISOString() })
          .eq('id', id)
          .select(LINK_COLUMNS)
          .maybeSingle(),
      );
      return requireRow(ctx, updated, 'invite_links', { id }, 'invite link');
    },

    /**
     * Joins the link's workspace as its role. Expired, revoked or used-up links are `not_found`
     * (410); following a link again as a member is harmless.
     *
     * @example
     * ```ts
     * const workspace = await gw.inviteLinks.join(tokenFromLink);
     * ```
     */
    async join(token: string): Promise<Workspace> {
      const value = parseInput(invitationToken, token);
      return oneRow(supabase.rpc('join_invite_link', { token: value }).single(), 'Invite link');
    },
  };
}
