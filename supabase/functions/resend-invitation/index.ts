/**
 * POST /functions/v1/resend-invitation {invitationId}
 *
 * Mails an open invitation again with a new token (the previous link stops working). The
 * `resend_invitation` RPC, called as the caller through RLS, decides everything: members.invite
 * and the invitation's role (`invitation_not_found` for anyone else, as for an unknown id),
 * that the invitation is still open, and the per-invitation wait (`invitation_resend_too_soon`
 * with `details.retry_after_seconds`, also sent as a Retry-After header). Answers 200 with the
 * invitation. Callable by a person or a workspace API key holding members.invite
 * (verify_jwt is off for machines; resolveCaller verifies either first).
 */
import type { PostgrestError } from '@supabase/supabase-js';
import { corsHeaders } from '../_shared/cors.ts';
import { isDatabaseErrorCode } from '../_shared/error-vocabulary.ts';
import {
  errorResponse,
  FunctionError,
  handleErrors,
  mfaRequiredError,
  parseJsonBody,
} from '../_shared/errors.ts';
import { resolveCaller } from '../_shared/function-caller.ts';
import { invitationMail, randomToken, sha256Hex } from '../_shared/invitation-mail.ts';
import { sendMail } from '../_shared/mailer.ts';
import { type Invitation, resendInvitationInput } from '../_shared/schemas/invite-member.ts';

const INVITATION_COLUMNS =
  'id, workspace_id, email, role, invited_by, expires_at, accepted_at, accepted_by, revoked_at, created_at, last_sent_at, send_count';

Deno.serve(
  handleErrors(async (request) => {
    if (request.method !== 'POST') throw new FunctionError('method_not_allowed', 'Use POST');
    const { db } = await resolveCaller(request); // a person or an API key, before the body
    const input = await parseJsonBody(request, resendInvitationInput);

    const token = randomToken();
    const { data: invitation, error } = await db
      .rpc('resend_invitation', { invitation_id: input.invitationId, token_hash: await sha256Hex(token) })
      .select(INVITATION_COLUMNS)
      .single<Invitation>();
    if (error) return databaseError(error);

    // Whoever may resend may read the workspace (members.invite implies membership).
    const { data: workspace, error: readError } = await db
      .from('workspaces')
      .select('name')
      .eq('id', invitation.workspace_id)
      .single<{ name: string }>();
    if (readError) throw new Error(`database error ${readError.code}: ${readError.message}`);

    await sendMail(invitationMail(invitation, workspace.name, token));
    return Response.json(invitation, { status: 200, headers: corsHeaders });
  }),
);

/** The RPC's error codes (the vocabulary's) as this function's answers. */
function databaseError(error: PostgrestError): Response {
  const mfaRequired = mfaRequiredError(error);
  if (mfaRequired) return errorResponse(mfaRequired);
  const code = isDatabaseErrorCode(error.message) ? error.message : undefined;
  switch (code) {
    case 'invitation_resend_too_soon': {
      const retryAfter = retryAfterSeconds(error.details);
      const response = errorResponse(
        new FunctionError(
          'invitation_resend_too_soon',
          'This invitation was sent moments ago; wait before resending',
          {
            details: { retry_after_seconds: retryAfter },
          },
        ),
      );
      response.headers.set('Retry-After', String(retryAfter));
      return response;
    }
    case 'invitation_not_found':
      throw new FunctionError('invitation_not_found', 'No such invitation');
    case 'invitation_already_accepted':
      throw new FunctionError('invitation_already_accepted', 'The invitation was already accepted');
    case 'invitation_revoked':
      throw new FunctionError('invitation_revoked', 'The invitation was revoked; send a new one');
    case 'invitation_expired':
      throw new FunctionError('invitation_expired', 'The invitation expired; send a new one');
    case 'forbidden':
      throw new FunctionError('forbidden', 'Resending an invitation needs every permission of its role');
  }
  throw new Error(`database error ${error.code}: ${error.message}`);
}

function retryAfterSeconds(details: string | null | undefined): number {
  try {
    const value = (JSON.parse(details ?? '') as { retry_after_seconds?: unknown }).retry_after_seconds;
    return typeof value === 'number' && value > 0 ? value : 60;
  } catch {
    return 60;
  }
}
