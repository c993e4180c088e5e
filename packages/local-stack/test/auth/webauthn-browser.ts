import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { createClient } from '@supabase/supabase-js';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { launchChromium } from '../../../../tests/support/chromium.ts';

/**
 * Headless Chromium with the DevTools virtual authenticator, for WebAuthn tests: an app page
 * served from http://localhost:<port> (WebAuthn needs a secure context and a registrable RP ID,
 * which an IP address is not) with supabase-js's browser bundle loaded, and a virtual key attached.
 */

const SUPABASE_UMD = readFileSync(
  createRequire(import.meta.url).resolve('@supabase/supabase-js/dist/umd/supabase.js'),
  'utf8',
);
/** WEBAUTHN_TEST_LOG=1 prints each page's console and network traffic (how the hang of session 5 was found). */
const LOG_PAGES = Boolean(process.env.WEBAUTHN_TEST_LOG);

export { launchChromium };

/** A server for the app page on 127.0.0.1 and a free port. */
export function serveApp(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.url === '/supabase.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(SUPABASE_UMD);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>app</title><script src="/supabase.js"></script>');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port })),
  );
}

export function closeServer(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

/** What the app page's window holds: the supabase-js UMD bundle, its client, a credential kept between steps. */
export interface PageWindow {
  supabase: { createClient: typeof createClient };
  // The page hands browser objects (PublicKeyCredential, null on failure) to supabase-js's
  // experimental WebAuthn API and reads its union results loosely; the assertions are on the Node side.
  // biome-ignore lint/suspicious/noExplicitAny: page code, see above
  client: any;
  held?: unknown;
}

export interface AppPage {
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
}

export interface AppPageOptions {
  origin: string;
  apiUrl: string;
  anonKey: string;
  /** supabase-js's `auth.experimental.passkey`, which its passkey API requires. */
  passkeys?: boolean;
}

/**
 * A page of the app with a supabase-js client (`window.client`) and one virtual USB security key
 * with resident keys and user verification.
 *
 * A USB key, not a platform authenticator: supabase-js's mfa.webauthn.register/authenticate
 * merge `authenticatorAttachment: 'cross-platform'` and `hints: ['security-key']` into the
 * server's options, and Chromium never offers an `internal` authenticator for that, so
 * navigator.credentials.create waited out its 60 s timeout (the hang found in session 5).
 */
export async function openAppPage(browser: Browser, options: AppPageOptions): Promise<AppPage> {
  const page = await browser.newPage();
  if (LOG_PAGES) {
    page.on('console', (message) => console.log(`[page ${message.type()}] ${message.text()}`));
    page.on('pageerror', (error) => console.log(`[page error] ${error.message}`));
    page.on('request', (request) =>
      console.log(`[page >] ${request.method()} ${request.url()} ${request.postData() ?? ''}`),
    );
    page.on('response', async (response) =>
      console.log(
        `[page <] ${response.status()} ${response.url()} ${(await response.text().catch(() => '')).slice(0, 600)}`,
      ),
    );
    page.on('requestfailed', (request) =>
      console.log(`[page x] ${request.url()} ${request.failure()?.errorText}`),
    );
  }
  await page.goto(options.origin);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'usb',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await page.evaluate(
    ({ url, key, passkeys }) => {
      const w = window as unknown as PageWindow;
      w.client = w.supabase.createClient(url, key, {
        auth: {
          persistSession: false,
          autoRefreshToken: false,
          ...(passkeys ? { experimental: { passkey: true } } : {}),
        },
      });
    },
    { url: options.apiUrl, key: options.anonKey, passkeys: options.passkeys ?? false },
  );
  return { page, cdp, authenticatorId };
}

/** Copies the credentials of one page's virtual key into another's (the same key carried to another site). */
export async function carryCredentials(from: AppPage, to: AppPage): Promise<number> {
  const { credentials } = await from.cdp.send('WebAuthn.getCredentials', {
    authenticatorId: from.authenticatorId,
  });
  for (const credential of credentials) {
    await to.cdp.send('WebAuthn.addCredential', { authenticatorId: to.authenticatorId, credential });
  }
  return credentials.length;
}
