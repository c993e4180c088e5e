import type pg from 'pg';
import { EMAIL_EXISTS, passwordRules } from './admin-users.ts';
import type { AuthRuntime } from './auth-runtime.ts';
import { validEmail } from './email-address.ts';
import { EMAIL_LINKS } from './email-links.ts';
import { createEmailToken, type LinkType } from './email-tokens.ts';
import { AuthError } from './error-codes.ts';
import { assertStrongPassword, hashPassword } from './passwords.ts';
import { resolveRedirect } from './redirect-urls.ts';
import type { JsonBody } from './request-body.ts';
import { createEmailUser } from './user-creation.ts';
import { userJson } from './user-json.ts';
import {
  findUserByEmail,
  findUserById,
  identitiesOf,
  mergeMetadata,
  type TokenColumn,
  type UserRow,
  updateUser,
} from './users.ts';

/** `type` of POST /admin/generate_link → where the token goes and the /verify type of its link. */
const LINK_TYPES: Record<string, { column: TokenColumn; verify: LinkType }> = {
  signup: { column: EMAIL_LINKS.signup.column, verify: 'signup' },
  invite: { column: EMAIL_LINKS.invite.column, verify: 'invite' },
  magiclink: { column: EMAIL_LINKS.magiclink.column, verify: 'magiclink' },
  recovery: { column: EMAIL_LINKS.recovery.column, verify: 'recovery' },
  email_change_current: { column: 'email_change_token_current', verify: 'email_change' },
  email_change_new: { column: 'email_change_token_new', verify: 'email_change' },
};

/**
 * POST /admin/generate_link: the link a mail would carry, returned instead of sent
 * (creating the user first for signup and invite, as GoTrue does).
 */
export async function generateLink(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  body: JsonBody,
  queryRedirect: string | undefined,
) {
  const type = body.string('type') ?? '';
  const spec = LINK_TYPES[type];
  if (!spec) throw new AuthError('validation_failed', `Invalid email action link type requested: ${type}`);
  const email = validEmail(body.string('email'));
  const password = body.string('password');
  const data = body.object('data') ?? {};
  const redirectTo = resolveRedirect(runtime.settings, body.string('redirect_to') ?? queryRedirect);
  let user = await findUserByEmail(client, email);

  if (type === 'signup' || type === 'invite') {
    if (user?.email_confirmed_at) throw new AuthError('email_exists', EMAIL_EXISTS);
    if (!user) {
      if (type === 'signup') {
        if (!password)
          throw new AuthError('validation_failed', 'Signup requires a valid password', { status: 422 });
        assertStrongPassword(password, passwordRules(runtime));
      }
      user = await createEmailUser(client, {
        email,
        encryptedPassword: password ? await hashPassword(password, runtime.settings.passwordHashCost) : null,
        userMetadata: data,
        confirmed: false,
        invited: type === 'invite',
        // GoTrue's generate_link creates the identity without copying its claims into
        // user_metadata (only /signup does that): the user keeps exactly `data`.
        foldIdentityIntoMetadata: false,
      });
    } else if (Object.keys(data).length > 0) {
      user = await updateUser(client, user.id, {
        raw_user_meta_data: mergeMetadata(user.raw_user_meta_data, data),
      });
    }
  } else if (!user) {
    throw new AuthError('user_not_found', 'User with this email not found');
  }

  let address = email;
  if (type === 'email_change_current' || type === 'email_change_new') {
    const newEmail = validEmail(body.string('new_email'));
    const taken = await findUserByEmail(client, newEmail);
    if (taken && taken.id !== user.id) throw new AuthError('email_exists', EMAIL_EXISTS);
    user = await updateUser(client, user.id, { email_change: newEmail, email_change_confirm_status: 0 });
    if (type === 'email_change_new') address = newEmail;
  }
  const token = await createEmailToken(runtime, client, {
    user,
    column: spec.column,
    address,
    type: spec.verify,
    redirectTo,
    pkce: false,
  });
  const fresh = (await findUserById(client, user.id)) as UserRow;
  return {
    ...userJson(fresh, await identitiesOf(client, fresh.id)),
    action_link: token.actionLink,
    email_otp: token.otp,
    hashed_token: token.hashedToken,
    verification_type: spec.verify,
    redirect_to: redirectTo,
  };
}
