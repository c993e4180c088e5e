import { Hono } from 'hono';
import type { ServiceEnv } from '../../caller.ts';
import { createUserAsAdmin, inviteUser, updateUserAsAdmin, userForAdmin } from '../admin-users.ts';
import { recordAudit } from '../audit-log.ts';
import { type AuthRuntime, inTransaction } from '../auth-runtime.ts';
import { validEmail } from '../email-address.ts';
import { AuthError } from '../error-codes.ts';
import { generateLink } from '../generate-link.ts';
import { factorsOf } from '../mfa/factors.ts';
import { resolveRedirect } from '../redirect-urls.ts';
import { readJsonBody } from '../request-body.ts';
import { clientInfo, requireAdmin } from '../request-context.ts';
import { userJson } from '../user-json.ts';
import {
  deleteUser,
  findUserById,
  identitiesOf,
  listUsers,
  type Queryable,
  softDeleteUser,
  type UserRow,
} from '../users.ts';

async function withIdentities(db: Queryable, user: UserRow) {
  return userJson(user, await identitiesOf(db, user.id));
}

/** One user as GoTrue's loadUser has it (FindUserByID loads identities and factors eagerly). */
async function withIdentitiesAndFactors(db: Queryable, user: UserRow) {
  return userJson(user, await identitiesOf(db, user.id), await factorsOf(db, user.id));
}

const UINT64_MAX = 2n ** 64n - 1n;

/** Go's strconv.ParseUint(value, 10, 64), with its error text: GoTrue parses `page` and `per_page` so. */
function parseUint(value: string): bigint {
  if (!/^[0-9]+$/.test(value))
    throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`);
  const parsed = BigInt(value);
  if (parsed > UINT64_MAX)
    throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(value)}: value out of range`);
  return parsed;
}

/**
 * GoTrue's paginate(): `page` defaults to 1 (0 reads as 1, as its query builder does),
 * `per_page` to 50 and must be above 0; anything else is 400 "Bad Pagination Parameters: …".
 */
function paginationOf(page: string | undefined, perPage: string | undefined) {
  try {
    const pageNumber = page ? parseUint(page) : 1n;
    const size = perPage ? parseUint(perPage) : 50n;
    if (size === 0n) throw new Error('per_page must be greater than 0');
    const limit = Number(size > 1000n ? 1000n : size);
    const first = pageNumber > 1n ? pageNumber : 1n;
    const offset = (first - 1n) * BigInt(limit);
    // Past any real table: still a valid (empty) page, with the offset kept in bigint range.
    const safeOffset = offset > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(offset);
    return { page: first, limit, offset: safeOffset };
  } catch (error) {
    throw new AuthError('validation_failed', `Bad Pagination Parameters: ${(error as Error).message}`);
  }
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
    const { page, limit: perPage, offset } = paginationOf(c.req.query('page'), c.req.query('per_page'));
    const { users, total } = await listUsers(runtime.db, {
      limit: perPage,
      offset,
      filter: c.req.query('filter'),
    });
    const lastPage = BigInt(Math.max(1, Math.ceil(total / perPage)));
    // supabase-js reads page numbers from the first `=` of each link, so `page` comes first.
    const link = (target: bigint, rel: string) =>
      `<${runtime.settings.issuer}/admin/users?page=${target}&per_page=${perPage}>; rel="${rel}"`;
    const links = [...(page < lastPage ? [link(page + 1n, 'next')] : []), link(lastPage, 'last')];
    c.header('X-Total-Count', String(total));
    c.header('Link', links.join(', '));
    return c.json({
      aud: 'authenticated',
      users: await Promise.all(users.map((user) => withIdentities(runtime.db, user))),
    });
  });

  app.post('/admin/users', async (c) => {
    const body = await readJsonBody(c);
    const created = await inTransaction(runtime, async (client) => {
      const user = await createUserAsAdmin(runtime, client, body);
      await recordAudit(client, user, 'user_signedup', clientInfo(c, runtime).ip, {
        provider: 'email',
        via: 'admin',
      });
      return withIdentities(client, user);
    });
    return c.json(created);
  });

  app.get('/admin/users/:id', async (c) => {
    const user = await userForAdmin(runtime.db, c.req.param('id'));
    return c.json(await withIdentitiesAndFactors(runtime.db, user));
  });

  app.put('/admin/users/:id', async (c) => {
    const user = await userForAdmin(runtime.db, c.req.param('id'));
    const body = await readJsonBody(c);
    const updated = await inTransaction(runtime, async (client) =>
      withIdentitiesAndFactors(client, await updateUserAsAdmin(runtime, client, user, body)),
    );
    return c.json(updated);
  });

  app.delete('/admin/users/:id', async (c) => {
    const user = await userForAdmin(runtime.db, c.req.param('id'));
    const body = await readJsonBody(c);
    const soft = body.boolean('should_soft_delete') ?? false;
    await inTransaction(runtime, (client) =>
      soft ? softDeleteUser(client, user.id) : deleteUser(client, user.id),
    );
    return c.json({});
  });

  app.post('/admin/generate_link', async (c) => {
    const body = await readJsonBody(c);
    const result = await inTransaction(runtime, (client) =>
      generateLink(runtime, client, body, c.req.query('redirect_to')),
    );
    return c.json(result);
  });

  app.post('/invite', async (c) => {
    const body = await readJsonBody(c);
    const email = validEmail(body.string('email'));
    const data = body.object('data') ?? {};
    const redirectTo = resolveRedirect(runtime.settings, c.req.query('redirect_to'));
    const invited = await inTransaction(runtime, async (client) => {
      const user = await inviteUser(runtime, client, { email, data, redirectTo });
      await recordAudit(client, user, 'user_invited', clientInfo(c, runtime).ip, { user_email: email });
      return withIdentities(client, (await findUserById(client, user.id)) as UserRow);
    });
    return c.json(invited);
  });

  return app;
}
