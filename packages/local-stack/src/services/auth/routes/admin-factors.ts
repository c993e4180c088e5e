import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { userForAdmin } from '../admin-users.ts';
import { recordAudit } from '../audit-log.ts';
import { type AuthRuntime, inTransaction } from '../auth-runtime.ts';
import { AuthError } from '../error-codes.ts';
import {
  deleteFactor,
  type FactorRow,
  factorJson,
  factorsOf,
  findOwnedFactor,
  renameFactor,
} from '../mfa/factors.ts';
import { downgradeSessionsOf } from '../mfa/session-aal.ts';
import { readJsonBody } from '../request-body.ts';
import { type AuthContext, clientIp, isUuid, requireAdmin } from '../request-context.ts';
import type { UserRow } from '../users.ts';

/**
 * GoTrue's admin MFA API (supabase-js `auth.admin.mfa.listFactors` / `deleteFactor`):
 * GET /admin/users/{id}/factors, DELETE and PUT /admin/users/{id}/factors/{factor_id}.
 */
export function adminFactorRoutes(runtime: AuthRuntime): Hono<ServiceEnv> {
  const app = new Hono<ServiceEnv>();

  app.get('/admin/users/:id/factors', async (c) => {
    requireAdmin(c);
    const user = await userForAdmin(runtime.db, c.req.param('id'));
    return c.json((await factorsOf(runtime.db, user.id)).map(factorJson));
  });

  app.delete('/admin/users/:id/factors/:factorId', async (c) => {
    const { user, factor } = await userAndFactor(c, runtime);
    await inTransaction(runtime, async (client) => {
      await recordAudit(client, user, 'factor_deleted', clientIp(c, runtime), {
        user_id: user.id,
        factor_id: factor.id,
      });
      await deleteFactor(client, factor.id);
      // Sessions the factor raised fall back to aal1, as when the user unenrols it.
      await downgradeSessionsOf(client, factor);
    });
    return c.json(factorJson(factor));
  });

  app.put('/admin/users/:id/factors/:factorId', async (c) => {
    const { user, factor } = await userAndFactor(c, runtime);
    const body = await readJsonBody(c);
    const friendlyName = body.string('friendly_name') ?? '';
    // `phone` changes only a phone factor's number, and phone factors are not served.
    body.string('phone');
    const updated = await inTransaction(runtime, async (client) => {
      const row = friendlyName === '' ? factor : await renameFactor(client, factor.id, friendlyName);
      await recordAudit(client, user, 'factor_updated', clientIp(c, runtime), {
        user_id: user.id,
        factor_id: factor.id,
        factor_type: factor.factor_type,
      });
      return row;
    });
    return c.json(factorJson(updated));
  });

  return app;
}

/** GoTrue's loadUser then loadFactor: a factor of another user is not found. */
async function userAndFactor(
  c: AuthContext,
  runtime: AuthRuntime,
): Promise<{ user: UserRow; factor: FactorRow }> {
  requireAdmin(c);
  const user = await userForAdmin(runtime.db, c.req.param('id') ?? '');
  const factorId = c.req.param('factorId') ?? '';
  if (!isUuid(factorId))
    throw new AuthError('validation_failed', 'factor_id must be an UUID', { status: 404 });
  const factor = await findOwnedFactor(runtime.db, user.id, factorId);
  if (!factor) throw new AuthError('mfa_factor_not_found', 'Factor not found');
  return { user, factor };
}
