import type { SdkContext } from '../context.ts';
import { oneRow, parseInput, rows } from '../query-result.ts';
import { requireRow } from '../row-access.ts';
import { id as idSchema } from '../schemas/fields.ts';
import { verifyDomainInput } from '../schemas/invitations.ts';
import type { SuggestedWorkspace, Workspace, WorkspaceDomain } from '../types.ts';

export type DomainsApi = ReturnType<typeof createDomainsApi>;

/**
 * Verified email domains: people with a confirmed address at one see the workspace as suggested
 * and, when it has a join role, may join as that role.
 */
export function createDomainsApi(ctx: SdkContext) {
  const { supabase } = ctx;
  return {
    /**
     * Verifies a domain (`domains.manage`, signed in with a confirmed address at it; not public
     * mail providers). Again with another `join_role_id` changes the role.
     *
     * @example
     * ```ts
     * await gw.domains.verify({ workspace_id, domain: 'acme.com', join_role_id: memberRoleId });
     * ```
     */
    async verify(input: {
      workspace_id: string;
      domain: string;
      join_role_id?: string | null;
    }): Promise<WorkspaceDomain> {
      const args = parseInput(verifyDomainInput, input);
      return oneRow(supabase.rpc('verify_workspace_domain', args).single(), 'Domain');
    },

    /**
     * The workspace's verified domains (`domains.manage`).
     *
     * @example
     * ```ts
     * const domains = await gw.domains.list(workspaceId);
     * ```
     */
    async list(workspaceId: string): Promise<WorkspaceDomain[]> {
      const id = parseInput(idSchema, workspaceId);
      return rows(supabase.from('workspace_domains').select('*').eq('workspace_id', id).order('domain'));
    },

    /**
     * Removes a verified domain (`domains.manage`).
     *
     * @example
     * ```ts
     * await gw.domains.remove(domainId);
     * ```
     */
    async remove(domainId: string): Promise<void> {
      const id = parseInput(idSchema, domainId);
      const deleted = await rows(
        supabase.from('workspace_domains').delete().eq('id', id).select('id').maybeSingle(),
      );
      await requireRow(ctx, deleted, 'workspace_domains', { id }, 'domain');
    },

    /**
     * Workspaces that verified your confirmed address's domain and that you are not in.
     *
     * @example
     * ```ts
     * const suggestions = await gw.domains.suggested();
     * ```
     */
    async suggested(): Promise<SuggestedWorkspace[]> {
      return rows(supabase.rpc('suggested_workspaces'));
    },

    /**
     * Joins a suggested workspace with `can_join` as its domain's role; otherwise `not_found`.
     *
     * @example
     * ```ts
     * await gw.domains.join(suggestions[0].workspace_id);
     * ```
     */
    async join(workspaceId: string): Promise<Workspace> {
      const id = parseInput(idSchema, workspaceId);
      return oneRow(supabase.rpc('join_workspace_by_domain', { workspace_id: id }).single(), 'Workspace');
    },
  };
}
