import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { SignJWT } from 'jose/jwt/sign';
import { exportJWK } from 'jose/key/export';
import { generateKeyPair } from 'jose/key/generate/keypair';
import type { Configuration } from 'oidc-provider';
import type { Logger } from '../../../logger.ts';
import { idTokenPage, loginPage, type TestUser } from './identity-provider-pages.ts';
import { memoryAdapterFactory } from './memory-adapter.ts';

/** The OAuth client that stands for one `[auth.external.<provider>]` section. */
export interface IdentityProviderClient {
  provider: string;
  clientId: string;
  clientSecret: string;
}

export interface LocalIdentityProvider {
  /** `http://127.0.0.1:<port>`: the OIDC issuer (discovery at /.well-known/openid-configuration). */
  issuer: string;
  /** An ID token for `user`, signed with the provider's key, as a native sign-in SDK would hand an app. */
  mintIdToken(clientId: string, user: TestUser, nonce?: string): Promise<string>;
  close(): Promise<void>;
}

/** Ready to pick on the login page; any other address can be typed. */
const PRESET_USERS: readonly TestUser[] = [
  { email: 'ada@example.com', name: 'Ada Lovelace' },
  { email: 'alan@example.com', name: 'Alan Turing' },
];

/** A stable subject per address, so signing in again as the same test user is the same identity. */
export function testUserSubject(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 24);
}

function claimsOf(user: TestUser) {
  const email = user.email.trim().toLowerCase();
  return {
    sub: testUserSubject(email),
    email,
    email_verified: true,
    name: user.name.trim() || email,
    preferred_username: email.split('@')[0] ?? email,
  };
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * The built-in test identity provider: one OIDC issuer (oidc-provider) with a client per
 * enabled `[auth.external.<provider>]`, so Auth's whole redirect flow runs locally. Its login
 * page lets the developer pick a test user or type one; accounts are whoever signs in, kept
 * in memory. Only Auth's callback is a registered redirect URI.
 */
export async function startLocalIdentityProvider(options: {
  host: string;
  clients: readonly IdentityProviderClient[];
  /** Auth's /callback: the only redirect URI the clients accept. */
  redirectUri: string;
  log: Logger;
}): Promise<LocalIdentityProvider> {
  const accounts = new Map<string, ReturnType<typeof claimsOf>>();
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) =>
    send(res, 503, 'text/plain', 'starting');
  const server = createServer((req, res) => handle(req, res));
  // The three slow parts of the start (oidc-provider and Koa loading, RSA key generation,
  // binding the port) run side by side. Loaded only when a provider is enabled.
  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host, () => resolve());
  });
  const started = await Promise.all([
    import('oidc-provider'),
    generateKeyPair('RS256', { extractable: true }),
    listening,
  ]).catch((error: unknown) => {
    server.close();
    throw error;
  });
  const [{ default: Provider }, { privateKey }] = started;
  const kid = randomBytes(8).toString('hex');
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };

  const issuer = `http://${options.host}:${(server.address() as AddressInfo).port}`;
  const providerFor = new Map(options.clients.map((client) => [client.clientId, client.provider]));

  const configuration: Configuration = {
    adapter: memoryAdapterFactory(),
    // Seconds: long enough to type a test user, short enough that nothing piles up.
    ttl: {
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      AccessToken: 3600,
      IdToken: 3600,
      AuthorizationCode: 60,
    },
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: [options.redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
    })),
    jwks: { keys: [privateJwk as never] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
    },
    // The ID token carries the profile claims too, as Google's and most providers' do.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const claims = accounts.get(sub);
      return claims ? { accountId: sub, claims: () => claims } : undefined;
    },
    // The test provider asks for no consent: every client gets the scopes it asks for.
    loadExistingGrant: async (ctx) => {
      const grantId =
        ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client?.clientId ?? '');
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      if (!ctx.oidc.session?.accountId || !ctx.oidc.client) return undefined;
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    renderError: (ctx, out) => {
      ctx.type = 'text/plain';
      ctx.body = `${out.error}: ${out.error_description ?? ''}`;
    },
  };
  const provider = new Provider(issuer, configuration);
  const oidc = provider.callback();

  async function interaction(
    req: IncomingMessage,
    res: ServerResponse,
    uid: string,
    action: string | undefined,
  ) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid)
      return send(res, 400, 'text/plain', 'this sign-in has expired; start again from the app');
    const clientId = String(details.params.client_id ?? '');
    const providerName = providerFor.get(clientId) ?? clientId;
    if (req.method === 'GET' && action === undefined) {
      return send(
        res,
        200,
        'text/html; charset=utf-8',
        loginPage({ uid, provider: providerName, users: PRESET_USERS }),
      );
    }
    if (req.method === 'POST' && action === 'login') {
      const form = await readForm(req);
      const email = (form.get('email') ?? '').trim();
      if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
        return send(
          res,
          400,
          'text/html; charset=utf-8',
          loginPage({ uid, provider: providerName, users: PRESET_USERS, problem: 'Type an email address.' }),
        );
      }
      const claims = claimsOf({ email, name: form.get('name') ?? '' });
      accounts.set(claims.sub, claims);
      return provider.interactionFinished(
        req,
        res,
        { login: { accountId: claims.sub } },
        { mergeWithLastSubmission: false },
      );
    }
    if (req.method === 'POST' && action === 'cancel') {
      return provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The test user cancelled the sign-in' },
        { mergeWithLastSubmission: false },
      );
    }
    return send(res, 404, 'text/plain', 'not found');
  }

  async function mintIdToken(clientId: string, user: TestUser, nonce?: string): Promise<string> {
    const claims = claimsOf(user);
    accounts.set(claims.sub, claims);
    return new SignJWT({ ...claims, ...(nonce ? { nonce } : {}) })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(clientId)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
  }

  // The test provider keeps no sign-in between flows: without its session cookie every
  // authorization starts fresh, so the login page asks each time and the developer can switch
  // test users (a remembered session would send the browser straight back as the last one).
  const sessionCookie = provider.cookieName('session');
  const withoutSession = (cookie: string) =>
    cookie
      .split(';')
      .filter((pair) => !pair.trim().startsWith(sessionCookie))
      .join(';');

  handle = (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (req.headers.cookie) req.headers.cookie = withoutSession(req.headers.cookie);
    const match = /^\/interaction\/([^/]+)(?:\/([a-z]+))?$/.exec(url.pathname);
    const work = match
      ? interaction(req, res, match[1] as string, match[2])
      : url.pathname === '/' && req.method === 'GET'
        ? Promise.resolve(
            send(
              res,
              200,
              'text/html; charset=utf-8',
              idTokenPage({ clients: options.clients, users: PRESET_USERS }),
            ),
          )
        : url.pathname === '/dev/id-token' && req.method === 'POST'
          ? readForm(req).then(async (form) => {
              const clientId = form.get('client_id') ?? '';
              if (!providerFor.has(clientId))
                return send(res, 400, 'application/json', '{"error":"unknown client_id"}');
              const token = await mintIdToken(
                clientId,
                { email: form.get('email') ?? PRESET_USERS[0]?.email ?? '', name: form.get('name') ?? '' },
                form.get('nonce') || undefined,
              );
              send(res, 200, 'application/json', JSON.stringify({ id_token: token }));
            })
          : Promise.resolve(oidc(req, res));
    work.catch((error: Error) => {
      options.log.warn(`identity provider: ${req.method} ${url.pathname}: ${error.message}`);
      if (!res.headersSent) send(res, 400, 'text/plain', error.message);
    });
  };

  return {
    issuer,
    mintIdToken,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
