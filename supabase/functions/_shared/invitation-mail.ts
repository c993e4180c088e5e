/**
 * The invitation email and its token, shared by invite-member (first send) and
 * resend-invitation (a new token for an open invitation): the token is random, only its
 * SHA-256 hash is stored, and it travels only in the mailed link.
 */
import { siteUrl } from './env.ts';
import type { Invitation } from './schemas/invite-member.ts';

/** 32 random bytes, base64url: unguessable and safe in a URL. */
export function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Lower-case hex SHA-256, as accept_invitation hashes the token it is given. */
export async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function invitationMail(
  invitation: Pick<Invitation, 'email' | 'role' | 'expires_at'>,
  workspaceName: string,
  token: string,
) {
  const link = `${siteUrl()}/accept-invitation?token=${encodeURIComponent(token)}`;
  const expires = new Date(invitation.expires_at).toUTCString();
  const name = escapeHtml(workspaceName);
  return {
    to: invitation.email,
    subject: `You're invited to join ${workspaceName}`,
    text: `You have been invited to join ${workspaceName} as ${invitation.role}.\n\nAccept the invitation: ${link}\n\nThe link expires ${expires}.\n`,
    html: `<p>You have been invited to join <strong>${name}</strong> as ${invitation.role}.</p><p><a href="${escapeHtml(link)}">Accept the invitation</a></p><p>The link expires ${escapeHtml(expires)}.</p>`,
  };
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
