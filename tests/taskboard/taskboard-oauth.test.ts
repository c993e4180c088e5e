/**
 * OAuth sign-in in the example app, in Chromium: "Continue with GitHub" goes through the stack's
 * local test identity provider and comes back signed in. It needs `[auth.external.github]`
 * switched on, so it runs on a stack of its own (the suite's shared stack has no provider).
 */
import { startTestStack, type TestStack } from '@groundwork/local-stack/testing';
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

describe('the taskboard example app with OAuth', () => {
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
});
