import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { recordAudit } from '../audit-log.ts';
import { type AuthRuntime, inTransaction } from '../auth-runtime.ts';
import { validEmail } from '../email-address.ts';
import { applyEmailChange } from '../email-verification.ts';
import { AuthError } from '../error-codes.ts';
import { clearOneTimeToken } from '../one-time-tokens.ts';
import { assertStrongPassword, hashPassword, passwordMatches } from '../passwords.ts';
import { resolveRedirect } from '../redirect-urls.ts';
import { readJsonBody } from '../request-body.ts';
import { clientInfo, requireUser } from '../request-context.ts';
import { tokenHash } from '../secrets.ts';
import { endSessions, type LogoutScope } from '../sessions.ts';
import { userJson } from '../user-json.ts';
import {
  findUserByEmail,
  findUserById,
  identitiesOf,
  mergeMetadata,
  type UserRow,
  updateUser,
} from '../users.ts';
import { sendEmailChange } from './email-links.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const LOGOUT_SCOPES: readonly string[] = ['global', 'local', 'others'];

/** GET /user, PUT /user and POST /logout: the signed-in user's own account. */
export function userRoutes(runtime: AuthRuntime): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();
  const { settings } = runtime;

  app.get('/user', async (c) => {
    const { user } = await requireUser(c, runtime);
    return c.json(userJson(user, await identitiesOf(runtime.db, user.id)));
  });

  app.put('/user', async (c) => {
    const { user, sessionId, claims } = await requireUser(c, runtime);
    const body = await readJsonBody(c);
    const rawEmail = body.string('email');
    const password = body.string('password');
    const data = body.object('data');
    const appData = body.object('app_metadata');
    const nonce = body.string('nonce');
    // Checked in GoTrue's order: inputs first, then who may change what, then the writes.
    const newEmail = rawEmail ? validEmail(rawEmail) : undefined;
    if (body.string('phone')) throw new AuthError('phone_provider_disabled', 'Unsupported phone provider');
    const rules = {
      minimumLength: settings.minimumPasswordLength,
      requirements: settings.passwordRequirements,
    };
    if (password !== undefined) assertStrongPassword(password, rules);
    if (appData && claims.role !== 'service_role' && claims.role !== 'supabase_admin') {
      throw new AuthError('not_admin', 'Updating app_metadata requires admin privileges');
    }
    if (user.is_anonymous && password && !newEmail) {
      throw new AuthError(
        'validation_failed',
        'Updating password of an anonymous user without an email or phone is not allowed',
        { status: 422 },
      );
    }
    const changesEmail = newEmail !== undefined && newEmail !== (user.email ?? '').toLowerCase();
    if (changesEmail) {
      const taken = await findUserByEmail(runtime.db, newEmail);
      if (taken && taken.id !== user.id) {
        throw new AuthError('email_exists', 'A user with this email address has already been registered');
      }
    }
    if (password !== undefined && settings.securePasswordChange) {
      const { rows } = await runtime.db.query<{ created_at: Date }>(
        'select created_at from auth.sessions where id = $1',
        [sessionId],
      );
      const sessionAge = rows[0] ? Date.now() - rows[0].created_at.getTime() : Number.POSITIVE_INFINITY;
      if (sessionAge > DAY_MS) {
        if (!nonce)
          throw new AuthError('reauthentication_needed', 'Password update requires reauthentication');
        const expected = user.reauthentication_token ?? '';
        const sentAt = user.reauthentication_sent_at?.getTime() ?? 0;
        if (
          expected === '' ||
          expected !== tokenHash(user.email ?? '', nonce) ||
          sentAt + settings.otpExpirySeconds * 1000 < Date.now()
        ) {
          throw new AuthError('reauthentication_not_valid', 'Requested nonce is invalid');
        }
      }
    }
    if (password && (await passwordMatches(password, user.encrypted_password))) {
      throw new AuthError('same_password', 'New password should be different from the old password.');
    }
    const encryptedPassword = password !== undefined ? await hashPassword(password) : undefined;
    const redirectTo = resolveRedirect(settings, c.req.query('redirect_to'));
    const info = clientInfo(c);

    const updated = await inTransaction(runtime, async (client) => {
      let current: UserRow = user;
      if (encryptedPassword !== undefined) {
        current = await updateUser(client, current.id, { encrypted_password: encryptedPassword });
        if (current.reauthentication_token)
          await clearOneTimeToken(client, current.id, 'reauthentication_token');
        // As GoTrue: a new password signs out every other session of the user.
        if (sessionId) await endSessions(client, current.id, sessionId, 'others');
        await recordAudit(client, current, 'user_updated_password', info.ip);
      }
      if (data) {
        current = await updateUser(client, current.id, {
          raw_user_meta_data: mergeMetadata(current.raw_user_meta_data, data),
        });
      }
      if (appData) {
        current = await updateUser(client, current.id, {
          raw_app_meta_data: mergeMetadata(current.raw_app_meta_data, appData),
        });
      }
      if (changesEmail) {
        current = await updateUser(client, current.id, {
          email_change: newEmail,
          email_change_confirm_status: 0,
        });
        // Only an anonymous user adding an address is confirmed at once (like a sign-up);
        // everyone else proves the new address by mail.
        if (current.is_anonymous && settings.emailAutoconfirm) {
          current = await applyEmailChange(client, current);
        } else {
          await sendEmailChange(runtime, client, current, redirectTo);
          current = (await findUserById(client, current.id)) as UserRow;
        }
      }
      await recordAudit(client, current, 'user_modified', info.ip);
      return userJson(current, await identitiesOf(client, current.id));
    });
    return c.json(updated);
  });

  app.post('/logout', async (c) => {
    const scope = c.req.query('scope') ?? 'global';
    if (!LOGOUT_SCOPES.includes(scope)) {
      throw new AuthError('validation_failed', `Unsupported logout scope "${scope}"`);
    }
    const { user, sessionId } = await requireUser(c, runtime);
    await endSessions(runtime.db, user.id, sessionId, scope as LogoutScope);
    await recordAudit(runtime.db, user, 'logout', clientInfo(c).ip);
    return c.body(null, 204);
  });

  return app;
}
