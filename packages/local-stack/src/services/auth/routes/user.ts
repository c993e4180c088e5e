import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { recordAudit } from '../audit-log.ts';
import type { AuthRuntime } from '../auth-runtime.ts';
import { AuthError } from '../error-codes.ts';
import { factorsOf } from '../mfa/factors.ts';
import { resolveRedirect } from '../redirect-urls.ts';
import { readJsonBody } from '../request-body.ts';
import { clientInfo, clientIp, requireUser } from '../request-context.ts';
import { endSessions, type LogoutScope } from '../sessions.ts';
import { userJson } from '../user-json.ts';
import { readUserUpdate, updateOwnUser } from '../user-update.ts';
import { identitiesOf } from '../users.ts';

const LOGOUT_SCOPES: readonly string[] = ['global', 'local', 'others'];

/** GET /user, PUT /user and POST /logout: the signed-in user's own account. */
export function userRoutes(runtime: AuthRuntime): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();

  app.get('/user', async (c) => {
    const { user } = await requireUser(c, runtime);
    const [identities, factors] = await Promise.all([
      identitiesOf(runtime.db, user.id),
      factorsOf(runtime.db, user.id),
    ]);
    return c.json(userJson(user, identities, factors));
  });

  app.put('/user', async (c) => {
    const signedIn = await requireUser(c, runtime);
    runtime.limits.check('user', clientIp(c, runtime));
    const update = readUserUpdate(await readJsonBody(c), runtime);
    const redirectTo = resolveRedirect(runtime.settings, c.req.query('redirect_to'));
    return c.json(
      await updateOwnUser(runtime, signedIn, update, { redirectTo, ip: clientInfo(c, runtime).ip }),
    );
  });

  app.post('/logout', async (c) => {
    const scope = c.req.query('scope') ?? 'global';
    if (!LOGOUT_SCOPES.includes(scope)) {
      throw new AuthError('validation_failed', `Unsupported logout scope "${scope}"`);
    }
    const { user, sessionId } = await requireUser(c, runtime);
    await endSessions(runtime.db, user.id, sessionId, scope as LogoutScope);
    await recordAudit(runtime.db, user, 'logout', clientInfo(c, runtime).ip);
    return c.body(null, 204);
  });

  return app;
}
