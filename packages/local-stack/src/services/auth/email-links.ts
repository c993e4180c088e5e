import type pg from 'pg';
import type { AuthRuntime } from './auth-runtime.ts';
import type { EmailKind } from './email-templates.ts';
import { assertSendAllowed, type LinkType, sendEmailToken } from './email-tokens.ts';
import { createFlowState, type PkceRequest } from './flow-state.ts';
import type { TokenColumn, UserRow } from './users.ts';

interface EmailLink {
  template: EmailKind;
  /** Where the link's token hash is kept on auth.users. */
  column: TokenColumn;
  /** `[auth.email] max_frequency` is counted from this column; invites are not limited. */
  sentAt?: 'confirmation_sent_at' | 'recovery_sent_at';
  /** The flow_state `authentication_method` of a PKCE link. */
  flow?: string;
}

/** The links mailed to an account's own address, by the `type` /verify reads from them. */
export const EMAIL_LINKS = {
  signup: {
    template: 'confirmation',
    column: 'confirmation_token',
    sentAt: 'confirmation_sent_at',
    flow: 'email/signup',
  },
  invite: { template: 'invite', column: 'confirmation_token' },
  magiclink: {
    template: 'magic_link',
    column: 'recovery_token',
    sentAt: 'recovery_sent_at',
    flow: 'magiclink',
  },
  recovery: { template: 'recovery', column: 'recovery_token', sentAt: 'recovery_sent_at', flow: 'recovery' },
} as const satisfies Partial<Record<LinkType, EmailLink>>;

export type AccountLinkType = keyof typeof EMAIL_LINKS;

/**
 * Mails one of the account's links (sign-up confirmation, invite, magic link, recovery) to
 * its address, as GoTrue does: the per-user pause first, then the PKCE flow state, the
 * one-time token and the mail.
 */
export async function sendEmailLink(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  user: UserRow,
  type: AccountLinkType,
  options: { redirectTo: string; pkce?: PkceRequest | undefined },
): Promise<void> {
  const link: EmailLink = EMAIL_LINKS[type];
  if (link.sentAt) assertSendAllowed(runtime, user[link.sentAt]);
  if (options.pkce && link.flow) await createFlowState(client, user.id, options.pkce, link.flow);
  await sendEmailToken(runtime, client, {
    user,
    kind: link.template,
    column: link.column,
    to: user.email ?? '',
    type,
    redirectTo: options.redirectTo,
    pkce: options.pkce !== undefined,
  });
}

/**
 * Mails the link that confirms `user.email_change`; with `double_confirm_changes` the
 * current address gets one too, and both must be followed.
 */
export async function sendEmailChangeLinks(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  user: UserRow,
  redirectTo: string,
): Promise<void> {
  const newEmail = user.email_change ?? '';
  assertSendAllowed(runtime, user.email_change_sent_at);
  const mail = (column: TokenColumn, to: string) =>
    sendEmailToken(runtime, client, {
      user,
      kind: 'email_change',
      column,
      to,
      type: 'email_change',
      redirectTo,
      pkce: false,
      newEmail,
    });
  await mail('email_change_token_new', newEmail);
  if (runtime.settings.doubleConfirmEmailChanges && user.email && !user.is_anonymous) {
    await mail('email_change_token_current', user.email);
  }
}
