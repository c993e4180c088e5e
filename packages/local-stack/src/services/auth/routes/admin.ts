import { Hono } from 'hono';
import type pg from 'pg';
import { parseDurationMs } from '../../../config/durations.ts';
import type { ServiceEnv } from '../../caller.ts';
import { recordAudit } from '../audit-log.ts';
import { type AuthRuntime, inTransaction } from '../auth-runtime.ts';
import { validEmail, validPhone } from '../email-address.ts';
import { sendEmailLink } from '../email-links.ts';
import { createEmailToken, type LinkType } from '../email-tokens.ts';
import { applyEmailChange } from '../email-verification.ts';
import { AuthError } from '../error-codes.ts';
import { assertStrongPassword, hashPassword } from '../passwords.ts';
import { resolveRedirect } from '../redirect-urls.ts';
import { type JsonBody, readJsonBody } from '../request-body.ts';
import { type AuthContext, clientInfo, isUuid, requireAdmin } from '../request-context.ts';
import { endSessions } from '../sessions.ts';
import { confirmEmail, createEmailUser, databaseError } from '../user-creation.ts';
import { userJson } from '../user-json.ts';
import {
  findUserByEmail,
  findUserById,
  identitiesOf,
  mergeMetadata,
  type Queryable,
  type UserRow,
  updateUser,
} from '../users.ts';

const EMAIL_EXISTS = 'A user with this email address has already been registered';

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

async function loadUser(db: Queryable, id: string): Promise<UserRow> {
  if (!isUuid(id)) throw new AuthError('validation_failed', 'user_id must be an UUID', { status: 404 });
  const user = await findUserById(db, id);
  if (!user) throw new AuthError('user_not_found', 'User not found');
  return user;
}

async function withIdentities(db: Queryable, user: UserRow) {
  return userJson(user, await identitiesOf(db, user.id));
}

function positiveInt(value: string | undefined, fallback: number): number {
  const parsed = Number.parseInt(value ?? '', 10);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
}

function passwordRules(runtime: AuthRuntime) {
  return {
    minimumLength: runtime.settings.minimumPasswordLength,
    requirements: runtime.settings.passwordRequirements,
  };
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

async function createUserAsAdmin(runtime: AuthRuntime, client: pg.PoolClient, body: JsonBody) {
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
  if (phone) {
    const { rowCount } = await client.query('select 1 from auth.users where phone = $1', [phone]);
    if (rowCount)
      throw new AuthError('phone_exists', 'A user with this phone number has already been registered');
  }
  const bannedUntil = attributes.banDuration ? banUntil(attributes.banDuration) : null;
  const encryptedPassword = attributes.password ? await hashPassword(attributes.password) : null;
  let user: UserRow;
  if (email) {
    user = await createEmailUser(client, {
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
  } else {
    try {
      const { rows } = await client.query<UserRow>(
        `insert into auth.users (instance_id, id, aud, role, phone, encrypted_password, raw_app_meta_data, raw_user_meta_data,
                                 phone_confirmed_at, banned_until, created_at, updated_at, is_super_admin, is_anonymous,
                                 confirmation_token, recovery_token, email_change_token_new, email_change)
         values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', $2, $3, $4, $5, $6, $7, $8, now(), now(),
                 false, false, '', '', '', '')
         returning *`,
        [
          attributes.id ?? crypto.randomUUID(),
          attributes.role ?? 'authenticated',
          phone,
          encryptedPassword ?? '',
          JSON.stringify({ provider: 'phone', providers: ['phone'], ...(attributes.appMetadata ?? {}) }),
          JSON.stringify(attributes.userMetadata ?? {}),
          attributes.phoneConfirm ? new Date() : null,
          bannedUntil,
        ],
      );
      user = rows[0] as UserRow;
      await client.query(
        `insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
         values (gen_random_uuid(), $1, $2, $3, 'phone', now(), now(), now())`,
        [
          user.id,
          user.id,
          JSON.stringify({ sub: user.id, phone, email_verified: false, phone_verified: false }),
        ],
      );
    } catch (error) {
      throw databaseError('Database error creating new user', error);
    }
  }
  return user;
}

async function updateUserAsAdmin(runtime: AuthRuntime, client: pg.PoolClient, user: UserRow, body: JsonBody) {
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
    patch.encrypted_password = await hashPassword(attributes.password);
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

const LINK_TYPES: Record<
  string,
  {
    column: 'confirmation_token' | 'recovery_token' | 'email_change_token_new' | 'email_change_token_current';
    verify: LinkType;
  }
> = {
  signup: { column: 'confirmation_token', verify: 'signup' },
  invite: { column: 'confirmation_token', verify: 'invite' },
  magiclink: { column: 'recovery_token', verify: 'magiclink' },
  recovery: { column: 'recovery_token', verify: 'recovery' },
  email_change_current: { column: 'email_change_token_current', verify: 'email_change' },
  email_change_new: { column: 'email_change_token_new', verify: 'email_change' },
};

async function generateLink(c: AuthContext, runtime: AuthRuntime, client: pg.PoolClient, body: JsonBody) {
  const type = body.string('type') ?? '';
  const spec = LINK_TYPES[type];
  if (!spec) throw new AuthError('validation_failed', `Invalid email action link type requested: ${type}`);
  const email = validEmail(body.string('email'));
  const password = body.string('password');
  const data = body.object('data') ?? {};
  const redirectTo = resolveRedirect(
    runtime.settings,
    body.string('redirect_to') ?? c.req.query('redirect_to'),
  );
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
        encryptedPassword: password ? await hashPassword(password) : null,
        userMetadata: data,
        confirmed: false,
        invited: type === 'invite',
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
    ...(await withIdentities(client, fresh)),
    action_link: token.actionLink,
    email_otp: token.otp,
    hashed_token: token.hashedToken,
    verification_type: spec.verify,
    redirect_to: redirectTo,
  };
}

/** /admin/* and /invite: service_role only. */
export function adminRoutes(runtime: AuthRuntime): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();
  app.use('/admin/*', async (c, next) => {
    requireAdmin(c);
    await next();
  });
  app.use('/invite', async (c, next) => {
    requireAdmin(c);
    await next();
  });

  app.get('/admin/users', async (c) => {
    const page = positiveInt(c.req.query('page'), 1);
    const perPage = Math.min(positiveInt(c.req.query('per_page'), 50), 1000);
    const filter = c.req.query('filter');
    const where = filter ? `where email ilike $3 or raw_user_meta_data->>'full_name' ilike $3` : '';
    const args: unknown[] = [perPage, (page - 1) * perPage, ...(filter ? [`%${filter}%`] : [])];
    const { rows } = await runtime.db.query<UserRow>(
      `select * from auth.users ${where} order by created_at desc limit $1 offset $2`,
      args,
    );
    const { rows: counted } = await runtime.db.query<{ total: string }>(
      `select count(*) as total from auth.users ${filter ? "where email ilike $1 or raw_user_meta_data->>'full_name' ilike $1" : ''}`,
      filter ? [`%${filter}%`] : [],
    );
    const total = Number(counted[0]?.total ?? 0);
    const lastPage = Math.max(1, Math.ceil(total / perPage));
    // supabase-js reads page numbers from the first `=` of each link, so `page` comes first.
    const link = (target: number, rel: string) =>
      `<${runtime.settings.issuer}/admin/users?page=${target}&per_page=${perPage}>; rel="${rel}"`;
    const links = [...(page < lastPage ? [link(page + 1, 'next')] : []), link(lastPage, 'last')];
    c.header('X-Total-Count', String(total));
    c.header('Link', links.join(', '));
    const users = await Promise.all(rows.map((user) => withIdentities(runtime.db, user)));
    return c.json({ aud: 'authenticated', users });
  });

  app.post('/admin/users', async (c) => {
    const body = await readJsonBody(c);
    const created = await inTransaction(runtime, async (client) => {
      const user = await createUserAsAdmin(runtime, client, body);
      await recordAudit(client, user, 'user_signedup', clientInfo(c).ip, { provider: 'email', via: 'admin' });
      return withIdentities(client, user);
    });
    return c.json(created);
  });

  app.get('/admin/users/:id', async (c) => {
    const user = await loadUser(runtime.db, c.req.param('id'));
    return c.json(await withIdentities(runtime.db, user));
  });

  app.put('/admin/users/:id', async (c) => {
    const user = await loadUser(runtime.db, c.req.param('id'));
    const body = await readJsonBody(c);
    const updated = await inTransaction(runtime, async (client) => {
      const result = await updateUserAsAdmin(runtime, client, user, body);
      return withIdentities(client, result);
    });
    return c.json(updated);
  });

  app.delete('/admin/users/:id', async (c) => {
    const user = await loadUser(runtime.db, c.req.param('id'));
    const body = await readJsonBody(c);
    const soft = body.boolean('should_soft_delete') ?? false;
    await inTransaction(runtime, async (client) => {
      if (soft) {
        // Soft delete as GoTrue: keep the row (and its foreign keys), free the address, drop sign-in paths.
        await client.query('delete from auth.identities where user_id = $1', [user.id]);
        await client.query('delete from auth.sessions where user_id = $1', [user.id]);
        await updateUser(client, user.id, {
          deleted_at: new Date(),
          email: null,
          phone: null,
          encrypted_password: '',
          raw_user_meta_data: {},
          raw_app_meta_data: {},
        });
      } else {
        await client.query('delete from auth.users where id = $1', [user.id]);
      }
    });
    return c.json({});
  });

  app.get('/admin/users/:id/factors', async (c) => {
    await loadUser(runtime.db, c.req.param('id'));
    return c.json([]);
  });
  app.all('/admin/users/:id/factors/:factorId', async () => {
    throw new AuthError('mfa_factor_not_found', 'Factor not found');
  });

  app.post('/admin/generate_link', async (c) => {
    const body = await readJsonBody(c);
    const result = await inTransaction(runtime, (client) => generateLink(c, runtime, client, body));
    return c.json(result);
  });

  app.post('/invite', async (c) => {
    const body = await readJsonBody(c);
    const email = validEmail(body.string('email'));
    const data = body.object('data') ?? {};
    const redirectTo = resolveRedirect(runtime.settings, c.req.query('redirect_to'));
    const invited = await inTransaction(runtime, async (client) => {
      let user = await findUserByEmail(client, email);
      if (user?.email_confirmed_at) throw new AuthError('email_exists', EMAIL_EXISTS);
      if (!user) {
        user = await createEmailUser(client, {
          email,
          encryptedPassword: null,
          userMetadata: data,
          confirmed: false,
          invited: true,
        });
      } else {
        user = await updateUser(client, user.id, {
          invited_at: new Date(),
          raw_user_meta_data: mergeMetadata(user.raw_user_meta_data, data),
        });
      }
      await sendEmailLink(runtime, client, user, 'invite', { redirectTo });
      await recordAudit(client, user, 'user_invited', clientInfo(c).ip, { user_email: email });
      return withIdentities(client, (await findUserById(client, user.id)) as UserRow);
    });
    return c.json(invited);
  });

  return app;
}
