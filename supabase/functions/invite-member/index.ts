/**
 * POST /functions/v1/invite-member {workspaceId, email, role?, expiresAt?}
 *
 * A holder of `members.invite` (admins, owners, a custom role, or a workspace API key holding
 * it, e.g. an HR system provisioning new hires) invites someone by email.
 * Everything runs as the caller (their JWT or their key, through RLS); the database's invitation trigger
 * enforces membership, the plan's seats
 * and one open invitation per address. The token is random, stored only as its SHA-256
 * hash, and travels only in the emailed link; the invitee redeems it with the
 * `accept_invitation(token)` RPC. Answers 201 with the invitation.
 */
import type { PostgrestError, SupabaseClient } from '@supabase/supabase-js';
import { corsHeaders } from '../_shared/cors.ts';
import { isDatabaseErrorCode } from '../_shared/error-vocabulary.ts';
import { FunctionError, handleErrors, mfaRequiredError, parseJsonBody } from '../_shared/errors.ts';
import { resolveCaller } from '../_shared/function-caller.ts';
import { invitationMail, randomToken, sha256Hex } from '../_shared/invitation-mail.ts';
import { sendMail } from '../_shared/mailer.ts';
import { type InvitableRole, type Invitation, inviteMemberInput } from '../_shared/schemas/invite-member.ts';

const INVITATION_COLUMNS =
  'id, workspace_id, email, role, invited_by, expires_at, accepted_at, accepted_by, revoked_at, created_at, last_sent_at, send_count';

Deno.serve(
  handleErrors(async (request) => {
    if (request.method !== 'POST') throw new FunctionError('method_not_allowed', 'Use POST');
    // A person or an API key, verified before the body is read (verify_jwt is off for machines).
    const { db } = await resolveCaller(request);
    const input = await parseJsonBody(request, inviteMemberInput);

    const workspaceName = await requireInviter(db, input.workspaceId);
    await revokeOpenInvitation(db, input.workspaceId, input.email);
    const token = randomToken();
    const invitation = await createInvitation(
      db,
      input.workspaceId,
      input.email,
      input.role,
      await sha256Hex(token),
      input.expiresAt,
    );
    try {
      await sendMail(invitationMail(invitation, workspaceName, token));
    } catch (error) {
      // Nobody holds the token of an invitation whose email never left: take it back.
      await db.from('invitations').update({ revoked_at: new Date().toISOString() }).eq('id', invitation.id);
      throw error;
    }
    return Response.json(invitation, { status: 201, headers: corsHeaders });
  }),
);

/**
 * The workspace's name when the caller may invite to it (`members.invite`, checked in the
 * database on this request). RLS hides other workspaces entirely.
 */
async function requireInviter(db: SupabaseClient, workspaceId: string): Promise<string> {
  const { data, error } = await db
    .from('workspaces')
    .select('name')
    .eq('id', workspaceId)
    .maybeSingle<{ name: string }>();
  if (error) throw databaseError(error);
  if (!data) throw new FunctionError('workspace_not_found', 'No such workspace');
  const { data: allowed, error: checkError } = await db.rpc('has_permission', {
    workspace_id: workspaceId,
    permission: 'members.invite',
  });
  if (checkError) throw databaseError(checkError);
  if (allowed !== true)
    throw new FunctionError('forbidden', 'Inviting members needs the members.invite permission');
  return data.name;
}

/** Re-inviting an address replaces its open invitation (and its old link stops working). */
async function revokeOpenInvitation(db: SupabaseClient, workspaceId: string, email: string): Promise<void> {
  const { error } = await db
    .from('invitations')
    .update({ revoked_at: new Date().toISOString() })
    .eq('workspace_id', workspaceId)
    .eq('email', email)
    .is('accepted_at', null)
    .is('revoked_at', null);
  if (error) throw databaseError(error);
}

async function createInvitation(
  db: SupabaseClient,
  workspaceId: string,
  email: string,
  role: InvitableRole,
  tokenHash: string,
  expiresAt: string | undefined,
): Promise<Invitation> {
  const { data, error } = await db
    .from('invitations')
    .insert({ workspace_id: workspaceId, email, role, token_hash: tokenHash, expires_at: expiresAt })
    .select(INVITATION_COLUMNS)
    .single<Invitation>();
  if (error) throw databaseError(error);
  return data;
}

/** The data layer's error codes (the vocabulary's), as this function's answers. */
function databaseError(error: PostgrestError): Error {
  const mfaRequired = mfaRequiredError(error);
  if (mfaRequired) return mfaRequired;
  const code = isDatabaseErrorCode(error.message) ? error.message : undefined;
  switch (code) {
    case 'already_member':
      return new FunctionError('already_member', 'That person is already a member of this workspace');
    case 'plan_limit_reached':
      return new FunctionError('plan_limit_reached', "The workspace's plan has no free seat", {
        details: parseDetails(error.details),
      });
    case 'invalid_input':
      // The only input the database judges here is the expiry's range.
      return new FunctionError('validation_failed', `Invalid input: expiresAt ${error.details}`, {
        fields: { expiresAt: [error.details ?? 'must be between 1 hour and 30 days from now'] },
      });
    case 'invitation_pending':
      // Only when another invitation for the same address landed between revoke and insert.
      return new FunctionError('already_member', 'That address was invited a moment ago');
  }
  if (error.code === '42501')
    return new FunctionError('forbidden', 'Inviting as that role needs every permission it holds');
  return new Error(`database error ${error.code}: ${error.message}`);
}

function parseDetails(details: string | null | undefined): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(details ?? '');
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
