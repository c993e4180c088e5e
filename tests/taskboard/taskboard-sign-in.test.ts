/**
 * Sign-in beyond passwords in the example app, in Chromium: "Continue with GitHub" through the
 * stack's local test identity provider, and two-factor authentication with an authenticator app
 * (codes computed here with otpauth, as the app on a phone would). Both need switches the
 * suite's shared stack leaves off (`[auth.external.github]`, `[auth.mfa.totp]`), so this file
 * runs on a stack of its own.
 */
import { startTestStack, type TestStack } from '@groundwork/local-stack/testing';
import { Secret, TOTP } from 'otpauth';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppServer, startAppServer } from './app-server.ts';
import { launchChromium, screenshots as shots } from './browser.ts';

let stack: TestStack;
let app: AppServer;
let browser: Browser;

beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startTestStack({
      workdir: new URL('../..', import.meta.url).pathname,
      configOverrides: {
        auth: {
          external: { github: { enabled: true, client_id: 'taskboard', secret: 'local-test-secret' } },
          mfa: { totp: { enroll_enabled: true, verify_enabled: true } },
        },
      },
    }),
    launchChromium(),
  ]);
  app = await startAppServer(
    { apiUrl: stack.apiUrl, publishableKey: stack.keys.publishableKey },
    { oauthProviders: ['github'] },
  );
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await stack?.stop();
});

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
      await page.screenshot({ path: `${shots}oauth-provider.png` });
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
      await page.screenshot({ path: `${shots}two-factor.png` });

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
});
