import type pg from 'pg';
import { parseDurationMs } from '../../config/durations.ts';
import type { AuthRuntime } from './auth-runtime.ts';
import { validEmail, validPhone } from './email-address.ts';
import { sendEmailLink } from './email-links.ts';
import { applyEmailChange } from './email-verification.ts';
import { AuthError } from './error-codes.ts';
import { assertStrongPassword, hashPassword } from './passwords.ts';
import type { JsonBody } from './request-body.ts';
import { isUuid } from './request-context.ts';
import { endSessions } from './sessions.ts';
import { confirmEmail, createEmailUser, createPhoneUser } from './user-creation.ts';
import {
  findUserByEmail,
  findUserById,
  mergeMetadata,
  phoneTaken,
  type Queryable,
  type UserRow,
  updateUser,
} from './users.ts';

/** The admin API's users: create, update, invite, as GoTrue's admin handlers do. */

export const EMAIL_EXISTS = 'A user with this email address has already been registered';

function banUntil(duration: string): Date | null {
  if (duration === 'none') return null;
  try {
    return new Date(Date.now() + parseDurationMs(duration));
  } catch {
    throw new AuthError(
      'validation_failed',
      `invalid format for ban duration: time: invalid duration "${duration}"`,
    );
  }
}

export function passwordRules(runtime: AuthRuntime) {
  return {
    minimumLength: runtime.settings.minimumPasswordLength,
    requirements: runtime.settings.passwordRequirements,
  };
}

/** The user an admin route names by id: a malformed id is a 404 as in GoTrue. */
export async function userForAdmin(db: Queryable, id: string): Promise<UserRow> {
  if (!isUuid(id)) throw new AuthError('validation_failed', 'user_id must be an UUID', { status: 404 });
  const user = await findUserById(db, id);
  if (!user) throw new AuthError('user_not_found', 'User not found');
  return user;
}

/** Fields POST and PUT /admin/users share. */
function adminAttributes(body: JsonBody) {
  return {
    email: body.string('email'),
    phone: body.string('phone'),
    password: body.string('password'),
    emailConfirm: body.boolean('email_confirm'),
    phoneConfirm: body.boolean('phone_confirm'),
    userMetadata: body.object('user_metadata') ?? body.object('data'),
    appMetadata: body.object('app_metadata'),
    role: body.string('role'),
    banDuration: body.string('ban_duration'),
    id: body.string('id'),
  };
}

/** POST /admin/users: an email or phone user, confirmed only when asked. */
export async function createUserAsAdmin(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  body: JsonBody,
): Promise<UserRow> {
  const attributes = adminAttributes(body);
  if (!attributes.email && !attributes.phone) {
    throw new AuthError('validation_failed', 'Cannot create a user without either an email or phone', {
      status: 422,
    });
  }
  const email = attributes.email ? validEmail(attributes.email) : undefined;
  const phone = attributes.phone ? validPhone(attributes.phone) : undefined;
  if (attributes.id !== undefined && !isUuid(attributes.id)) {
    throw new AuthError('validation_failed', 'ID must conform to the uuid v4 format');
  }
  if (attributes.password !== undefined) assertStrongPassword(attributes.password, passwordRules(runtime));
  if (email && (await findUserByEmail(client, email))) throw new AuthError('email_exists', EMAIL_EXISTS);
  if (phone && (await phoneTaken(client, phone))) {
    throw new AuthError('phone_exists', 'A user with this phone number has already been registered');
  }
  const bannedUntil = attributes.banDuration ? banUntil(attributes.banDuration) : null;
  const encryptedPassword = attributes.password
    ? await hashPassword(attributes.password, runtime.settings.passwordHashCost)
    : null;
  if (email) {
    return createEmailUser(client, {
      email,
      encryptedPassword,
      userMetadata: attributes.userMetadata ?? {},
      appMetadata: attributes.appMetadata ?? {},
      confirmed: attributes.emailConfirm === true,
      foldIdentityIntoMetadata: false,
      ...(attributes.role ? { role: attributes.role } : {}),
      ...(attributes.id ? { id: attributes.id } : {}),
      bannedUntil,
    });
  }
  return createPhoneUser(client, {
    phone: phone as string,
    encryptedPassword,
    userMetadata: attributes.userMetadata ?? {},
    appMetadata: attributes.appMetadata ?? {},
    confirmed: attributes.phoneConfirm === true,
    role: attributes.role,
    id: attributes.id,
    bannedUntil,
  });
}

/** PUT /admin/users/:id: any attribute, an email change applied at once, a ban ends sessions. */
export async function updateUserAsAdmin(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  user: UserRow,
  body: JsonBody,
): Promise<UserRow> {
  const attributes = adminAttributes(body);
  const patch: Record<string, unknown> = {};
  if (attributes.role !== undefined) patch.role = attributes.role;
  if (attributes.userMetadata)
    patch.raw_user_meta_data = mergeMetadata(user.raw_user_meta_data, attributes.userMetadata);
  if (attributes.appMetadata)
    patch.raw_app_meta_data = mergeMetadata(user.raw_app_meta_data, attributes.appMetadata);
  if (attributes.banDuration !== undefined) patch.banned_until = banUntil(attributes.banDuration);
  if (attributes.password !== undefined) {
    assertStrongPassword(attributes.password, passwordRules(runtime));
    patch.encrypted_password = await hashPassword(attributes.password, runtime.settings.passwordHashCost);
  }
  if (attributes.phone !== undefined) patch.phone = validPhone(attributes.phone);
  if (attributes.phoneConfirm) patch.phone_confirmed_at = user.phone_confirmed_at ?? new Date();
  let updated = Object.keys(patch).length > 0 ? await updateUser(client, user.id, patch) : user;
  if (attributes.email !== undefined) {
    const email = validEmail(attributes.email);
    if (email !== (updated.email ?? '').toLowerCase()) {
      const taken = await findUserByEmail(client, email);
      if (taken && taken.id !== user.id) throw new AuthError('email_exists', EMAIL_EXISTS);
      updated = await applyEmailChange(client, await updateUser(client, user.id, { email_change: email }));
    }
  }
  if (attributes.emailConfirm) updated = await confirmEmail(client, updated);
  // A ban ends the user's sessions, as GoTrue does.
  if (patch.banned_until) await endSessions(client, user.id, undefined, 'global');
  return updated;
}

/** POST /invite: a new (or not yet confirmed) user for `email`, mailed an invite link. */
export async function inviteUser(
  runtime: AuthRuntime,
  client: pg.PoolClient,
  invite: { email: string; data: Record<string, unknown>; redirectTo: string },
): Promise<UserRow> {
  let user = await findUserByEmail(client, invite.email);
  if (user?.email_confirmed_at) throw new AuthError('email_exists', EMAIL_EXISTS);
  if (!user) {
    user = await createEmailUser(client, {
      email: invite.email,
      encryptedPassword: null,
      userMetadata: invite.data,
      confirmed: false,
      invited: true,
    });
  } else {
    user = await updateUser(client, user.id, {
      invited_at: new Date(),
      raw_user_meta_data: mergeMetadata(user.raw_user_meta_data, invite.data),
    });
  }
  await sendEmailLink(runtime, client, user, 'invite', { redirectTo: invite.redirectTo });
  return user;
}
