import type { SdkContext } from '../context.ts';
import { oneRow, parseInput } from '../query-result.ts';
import { id as idSchema } from '../schemas/fields.ts';
import { setRequireMfaInput } from '../schemas/workspaces.ts';
import type { WorkspaceMfaStatus } from '../types.ts';

export type WorkspaceMfaApi = ReturnType<typeof createWorkspaceMfaApi>;

/**
 * The workspace setting "members must use MFA" (`require_mfa`). While it is on, a person whose
 * session is below aal2 reads nothing of the workspace (lists come back empty) and every call
 * about it fails with `forbidden`, reason `mfa_required` — except {@link status}, which tells
 * the app to ask for a second factor. API keys are not subject to it.
 */
export function createWorkspaceMfaApi(ctx: SdkContext) {
  const { supabase } = ctx;
  return {
    /**
     * Whether the workspace requires MFA, the session's assurance level (`aal1`, `aal2`; null
     * for an API key) and whether it meets the requirement. Members only (also those the
     * workspace refuses for now); anyone else gets `not_found`, as for a workspace that doesn't
     * exist.
     *
     * @example
     * ```ts
     * const mfa = await gw.workspaceMfa.status(workspace.id);
     * if (!mfa.mfa_satisfied) showSetUpTwoFactor(); // enrol or verify with gw.supabase.auth.mfa
     * ```
     */
    async status(workspaceId: string): Promise<WorkspaceMfaStatus> {
      const id = parseInput(idSchema, workspaceId);
      return oneRow(
        supabase.rpc('workspace_mfa_status', { workspace_id: id }).single<WorkspaceMfaStatus>(),
        'Workspace',
      );
    },

    /**
     * Turns the requirement on or off (`workspace.update`). Changing it needs a session at aal2:
     * below it, `forbidden` with reason `mfa_required` — verify a second factor first, so the
     * person turning it on can't lock themselves out. API keys can't change it.
     *
     * @example
     * ```ts
     * await gw.supabase.auth.mfa.challengeAndVerify({ factorId, code }); // now at aal2
     * await gw.workspaceMfa.setRequired(workspace.id, true);
     * ```
     */
    async setRequired(workspaceId: string, required: boolean): Promise<WorkspaceMfaStatus> {
      const args = parseInput(setRequireMfaInput, { workspace_id: workspaceId, require_mfa: required });
      return oneRow(
        supabase.rpc('set_workspace_require_mfa', args).single<WorkspaceMfaStatus>(),
        'Workspace',
      );
    },
  };
}
