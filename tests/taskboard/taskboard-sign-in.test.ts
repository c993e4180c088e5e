/**
 * Sign-in beyond passwords in the example app, in Chromium: "Continue with GitHub" through the
 * stack's local test identity provider, two-factor authentication with an authenticator app
 * (codes computed here with otpauth, as the app on a phone would), and with a security key
 * (Chromium's virtual authenticator, driven over the DevTools protocol), and a workspace that
 * requires two-factor authentication of its members. They need switches the
 * suite's shared stack leaves off (`[auth.external.github]`, `[auth.mfa.totp]`,
 * `[auth.mfa.web_authn]`, `[auth.webauthn]`), so this file runs on a stack of its own.
 * Screenshots (for the README) only with TASKBOARD_SCREENSHOTS=1: they check nothing and cost CPU
 * (see ./browser.ts).
 */
import { startTestStack, type TestStack } from '@groundwork/local-stack/testing';
import { createGroundworkClient } from '@groundwork/sdk';
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppServer, freePort, startAppServer } from './app-server.ts';
import { launchChromium, screenshot } from './browser.ts';

let stack: TestStack;
// Served at app.url for most tests and at app.localhostUrl for the security key: WebAuthn needs a
// domain for its relying party id (an IP address is not one), and [auth.webauthn] must list that
// origin before the stack starts, hence the port chosen first.
let app: AppServer;
let browser: Browser;

beforeAll(async () => {
  const keyPort = await freePort();
  [stack, browser] = await Promise.all([
    startTestStack({
      workdir: new URL('../..', import.meta.url).pathname,
      configOverrides: {
        auth: {
          external: { github: { enabled: true, client_id: 'taskboard', secret: 'local-test-secret' } },
          mfa: {
            totp: { enroll_enabled: true, verify_enabled: true },
            web_authn: { enroll_enabled: true, verify_enabled: true },
          },
          webauthn: {
            rp_display_name: 'Taskboard',
            rp_id: 'localhost',
            rp_origins: [`http://localhost:${keyPort}`],
          },
        },
      },
    }),
    launchChromium(),
  ]);
  app = await startAppServer(
    { apiUrl: stack.apiUrl, publishableKey: stack.keys.publishableKey },
    { oauthProviders: ['github'], port: keyPort },
  );
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await stack?.stop();
});

/** Signs a new person up on the page with a password (they land on their workspaces). */
async function signUp(page: Page, email: string, password: string) {
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

/** Turns on an authenticator app from the Account page; the session is at aal2 afterwards. */
async function turnOnAuthenticatorApp(page: Page): Promise<TOTP> {
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  const totp = new TOTP({ secret: Secret.fromBase32(await page.getByTestId('totp-secret').innerText()) });
  await page.getByLabel('Code from the app', { exact: true }).fill(totp.generate());
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.getByText('Two-factor authentication is on').waitFor();
  return totp;
}

/** A browser context whose page has a virtual USB security key (user present and verified). */
async function withSecurityKey() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  // USB, not "internal": supabase-js asks for a cross-platform authenticator, which Chromium
  // never offers a platform one for.
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
  const credentials = async () =>
    (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  return { context, page, cdp, authenticatorId, credentials };
}

describe('the taskboard example app: OAuth and two-factor sign-in', () => {
  it('signs in with GitHub through the local identity provider and comes back signed in', async () => {
    const email = 'grace-hopper@example.test';
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      await page.goto(app.url);
      await page.getByRole('button', { name: 'Continue with GitHub' }).click();
      await page.getByRole('heading', { name: 'Sign in with github' }).waitFor();
      await screenshot(page, 'oauth-provider');
      await page.locator('#typed input[name="email"]').fill(email);
      await page.locator('#typed input[name="name"]').fill('Grace Hopper');
      await page.locator('#typed button').click();

      // Back in the app, signed in as the provider's user, and able to work.
      await page.getByRole('heading', { name: 'Your workspaces' }).waitFor();
      expect(new URL(page.url()).origin).toBe(app.url);
      await page.getByRole('button', { name: `Sign out ${email}` }).waitFor();
      await page.getByLabel('Workspace name').fill('Hopper Labs');
      await page.getByRole('button', { name: 'Create workspace' }).click();
      await page.getByRole('heading', { name: 'Hopper Labs: projects' }).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Continue with GitHub' }).waitFor();
    } finally {
      await context.close();
    }

    // Another browser, the same provider account: the same person, with her workspace.
    const other = await browser.newContext();
    other.setDefaultTimeout(15_000);
    try {
      const page = await other.newPage();
      await page.goto(app.url);
      await page.getByRole('button', { name: 'Continue with GitHub' }).click();
      await page.locator('#typed input[name="email"]').fill(email);
      await page.locator('#typed input[name="name"]').fill('Grace Hopper');
      await page.locator('#typed button').click();
      await page
        .getByRole('list', { name: 'Workspaces' })
        .getByRole('link', { name: 'Hopper Labs' })
        .waitFor();
    } finally {
      await other.close();
    }
  }, 90_000);

  it('a cancelled provider sign-in comes back signed out, with the reason shown', async () => {
    const context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      await page.goto(app.url);
      await page.getByRole('button', { name: 'Continue with GitHub' }).click();
      await page.getByRole('button', { name: /Cancel/ }).click();
      await page.getByRole('tab', { name: 'Sign in' }).waitFor();
      await page
        .getByRole('alert')
        .getByText('Signing in didn’t finish: The test user cancelled the sign-in')
        .waitFor();
      // Shown once: the error is taken out of the address.
      expect(page.url()).toBe(`${app.url}/`);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('two-factor authentication: turned on with a code from the app, then asked for at every sign-in', async () => {
    const email = 'ada-2fa@example.test';
    const password = 'correct-horse-battery';
    const context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      await page.goto(app.url);
      await page.getByRole('tab', { name: 'Create account' }).click();
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('link', { name: 'Account' }).click();
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
      const secret = await page.getByTestId('totp-secret').innerText();
      const totp = new TOTP({ secret: Secret.fromBase32(secret) });
      await screenshot(page, 'two-factor');

      // A wrong code is refused beside the field; the app's current one turns it on.
      await page
        .getByLabel('Code from the app', { exact: true })
        .fill(totp.generate({ timestamp: Date.now() - 10 * 60_000 }));
      await page.getByRole('button', { name: 'Turn on' }).click();
      await page.getByText('is not the current code').waitFor();
      await page.getByLabel('Code from the app', { exact: true }).fill(totp.generate());
      await page.getByRole('button', { name: 'Turn on' }).click();
      await page.getByText('Two-factor authentication is on').waitFor();

      // Signing in again: the password is not enough.
      await page.goto(app.url);
      await page.getByRole('button', { name: `Sign out ${email}` }).click();
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
      expect(await page.getByRole('heading', { name: 'Your workspaces' }).count()).toBe(0);
      await page.getByLabel('Authentication code', { exact: true }).fill('000000');
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByText('is not the current code').waitFor();
      await page.getByLabel('Authentication code', { exact: true }).fill(totp.generate());
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('heading', { name: 'Your workspaces' }).waitFor();

      // Turning it off (at aal2 now) takes it away again.
      await page.getByRole('link', { name: 'Account' }).click();
      await page.getByRole('button', { name: /Turn off/ }).click();
      await page.getByRole('button', { name: 'Set up an authenticator app' }).waitFor();
    } finally {
      await context.close();
    }
  }, 90_000);

  it('a security key: added on the Account page, then asked for at sign-in; a browser without it is refused', async () => {
    const email = 'ada-key@example.test';
    const password = 'correct-horse-battery';
    const { context, page, credentials } = await withSecurityKey();
    try {
      await page.goto(app.localhostUrl);
      await page.getByRole('tab', { name: 'Create account' }).click();
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('link', { name: 'Account' }).click();

      // A name is asked for beside its field; then the key makes a credential for this site.
      await page.getByRole('button', { name: 'Add security key' }).click();
      await page.getByText('is required').waitFor();
      await page.getByLabel('Key name').fill('YubiKey');
      await page.getByRole('button', { name: 'Add security key' }).click();
      await page.getByRole('list', { name: 'Security keys' }).getByText('YubiKey', { exact: true }).waitFor();
      await page
        .getByText('Two-factor authentication is on: signing in asks for your security key.')
        .waitFor();
      const made = await credentials();
      expect(made).toHaveLength(1);
      expect(made[0]?.rpId).toBe('localhost');
      await screenshot(page, 'security-key');

      // Signing in again: the password alone shows nothing of the account; the key lets her in.
      await page.goto(app.localhostUrl);
      await page.getByRole('button', { name: `Sign out ${email}` }).click();
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'Use your security key' }).waitFor();
      expect(await page.getByRole('heading', { name: 'Your workspaces' }).count()).toBe(0);
      expect(await page.getByLabel('Authentication code').count()).toBe(0);
      await page.getByRole('button', { name: 'Use YubiKey' }).click();
      await page.getByRole('heading', { name: 'Your workspaces' }).waitFor();
      // The key signed once more (its counter moved on).
      expect((await credentials())[0]?.signCount).toBeGreaterThan(made[0]?.signCount ?? 0);

      // Another browser with a security key of its own, but not hers: the password gets her to
      // the key step, and the key there can't answer for hers.
      const other = await withSecurityKey();
      try {
        await other.page.goto(app.localhostUrl);
        await other.page.getByLabel('Email', { exact: true }).fill(email);
        await other.page.getByLabel('Password', { exact: true }).fill(password);
        await other.page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await other.page.getByRole('button', { name: 'Use YubiKey' }).click();
        await other.page
          .getByRole('alert')
          .getByText(/Your security key didn’t answer/)
          .waitFor({ timeout: 90_000 });
        expect(await other.page.getByRole('heading', { name: 'Your workspaces' }).count()).toBe(0);
        expect(await other.credentials()).toEqual([]);
      } finally {
        await other.context.close();
      }

      // Removing the key (she is at aal2 here) turns two-factor authentication off again.
      await page.getByRole('link', { name: 'Account' }).click();
      await page.getByRole('button', { name: 'Remove YubiKey' }).click();
      await page.getByText('Off. Add a code from an authenticator app or a security key').waitFor();
      expect(await page.getByRole('list', { name: 'Security keys' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  }, 180_000);

  it('a workspace requiring two-factor authentication: turned on at aal2 only; a member without it is told so and sees nothing until they set it up', async () => {
    const password = 'correct-horse-battery';
    const owner = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const member = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    owner.setDefaultTimeout(15_000);
    member.setDefaultTimeout(15_000);
    try {
      // Olga makes a workspace with a project and an invite link for members.
      const olga = await owner.newPage();
      await olga.goto(app.url);
      await signUp(olga, 'olga-mfa@example.test', password);
      await olga.getByLabel('Workspace name').fill('Locked Co');
      await olga.getByRole('button', { name: 'Create workspace' }).click();
      await olga.getByRole('heading', { name: 'Locked Co: projects' }).waitFor();
      await olga.getByLabel('Project name').fill('Operations');
      await olga.getByLabel(/^Key/).fill('OPS');
      await olga.getByRole('button', { name: 'Create project' }).click();
      await olga.getByRole('heading', { name: /Operations/ }).waitFor();
      await olga.getByRole('link', { name: 'Members' }).click();
      await olga.getByLabel('Joins as').selectOption({ label: 'Member' });
      await olga.getByRole('button', { name: 'Create link' }).click();
      const link = await olga.getByLabel('New invite link').inputValue();

      // With a password alone she may not change the setting: the page says why, no switch.
      await olga.getByRole('link', { name: 'Settings' }).click();
      await olga.getByRole('link', { name: 'Security' }).click();
      await olga.getByText('To change this, sign in with two-factor authentication yourself first').waitFor();
      expect(await olga.getByRole('button', { name: 'Require two-factor authentication' }).count()).toBe(0);
      // With an authenticator app (aal2 now) she turns it on.
      await olga.getByRole('link', { name: 'set it up on your account' }).click();
      await turnOnAuthenticatorApp(olga);
      await olga.goBack();
      await olga.getByRole('button', { name: 'Require two-factor authentication' }).click();
      await olga.getByText(/^On: everyone in Locked Co must sign in/).waitFor();
      await screenshot(olga, 'workspace-mfa');

      // Max joins by the link with a password only: the workspace tells him what it needs and
      // shows nothing of itself.
      const max = await member.newPage();
      await max.goto(link);
      await signUp(max, 'max-mfa@example.test', password);
      await max.getByRole('heading', { name: 'Locked Co requires two-factor authentication' }).waitFor();
      expect(await max.getByRole('link', { name: 'Operations' }).count()).toBe(0);
      expect(await max.getByRole('heading', { name: 'Locked Co: projects' }).count()).toBe(0);
      await screenshot(max, 'workspace-mfa-required');
      // The database agrees: through the SDK as Max, nothing of the workspace reads back.
      // Never signed out: supabase-js's sign-out ends all of the person's sessions, the browser's too.
      const asMax = createGroundworkClient({
        url: stack.apiUrl,
        key: stack.keys.publishableKey,
        supabase: { auth: { persistSession: false, autoRefreshToken: false } },
      });
      await asMax.auth.signInWithPassword({ email: 'max-mfa@example.test', password });
      const locked = await asMax.workspaces.get('locked-co');
      expect(locked).toMatchObject({ require_mfa: true });
      expect(await asMax.projects.list(locked.id)).toEqual([]);
      expect(await asMax.workspaces.list()).toEqual([]);

      // He sets up an authenticator app, and the workspace opens.
      await max.getByRole('link', { name: 'Set up two-factor authentication' }).click();
      await turnOnAuthenticatorApp(max);
      await max.goBack();
      await max.getByRole('heading', { name: 'Locked Co: projects' }).waitFor();
      await max.getByRole('link', { name: 'Operations' }).waitFor();
    } finally {
      await owner.close();
      await member.close();
    }
  }, 120_000);
});
