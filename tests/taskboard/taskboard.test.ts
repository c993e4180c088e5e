/**
 * The example app end to end in Chromium, as two people on the shared test stack: Ada signs up,
 * makes a workspace and a project and invites Bob by email; Bob opens the emailed link, signs in
 * with a magic link from the mail catcher and lands in the workspace; each sees the other's move
 * of a task within a second; a viewer who joined by invite link sees why they can't edit.
 * Screenshots of the main screens go to test-results/taskboard/ (gitignored).
 */

import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AppServer, startAppServer } from './app-server.ts';
import { linkIn, mailTo } from './mail-catcher.ts';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling Google on this closed network.
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** How soon a change by one person must show on the other's screen. */
const LIVE_DEADLINE_MS = 1_000;
const shots = new URL('../../test-results/taskboard/', import.meta.url).pathname;

const suffix = randomBytes(4).toString('hex');
const ada = { name: `Ada ${suffix}`, email: `ada-${suffix}@example.test`, password: 'correct-horse-battery' };
const bob = { name: `Bob ${suffix}`, email: `bob-${suffix}@example.test` };
const cy = { name: `Cy ${suffix}`, email: `cy-${suffix}@example.test`, password: 'viewer-passphrase' };
const workspaceName = `Acme ${suffix}`;

let app: AppServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function person(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  contexts.push(context);
  return context.newPage();
}

function card(page: Page, column: string, key: string) {
  return page.getByRole('region', { name: column, exact: true }).locator(`[data-task-key="${key}"]`);
}

/** Drags a card by its handle onto a column with the mouse, as a person would. */
async function drag(page: Page, key: string, column: string) {
  const handle = page.getByRole('button', { name: `Drag ${key}` });
  const from = await handle.boundingBox();
  const to = await page.getByRole('region', { name: column, exact: true }).boundingBox();
  if (!from || !to) throw new Error('card or column not on screen');
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + 8, from.y + from.height / 2 + 8, { steps: 2 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height - 20, { steps: 8 });
  await page.mouse.up();
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  const stack = inject('stack');
  app = await startAppServer(stack);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}, 120_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await app?.close();
});

describe('the taskboard example app', () => {
  it('is built from the SDK package as installed (its published entry, not the source)', () => {
    expect(app.sdkEntry).toMatch(/packages\/sdk\/dist\/index\.js$/);
  });

  it('two people work on one board: sign-up, workspace, email invitation, magic link, live moves, presence, a viewer told why', async () => {
    const { mailUrl } = inject('stack');
    const adaPage = await person();

    // Ada signs up with a password; a field error first (too short), then the real thing.
    await adaPage.goto(app.url);
    await adaPage.getByRole('tab', { name: 'Create account' }).click();
    await adaPage.getByLabel('Your name').fill(ada.name);
    await adaPage.getByLabel('Email', { exact: true }).fill(ada.email);
    await adaPage.getByLabel('Password', { exact: true }).fill('abc');
    await adaPage.getByRole('button', { name: 'Create account' }).click();
    const password = adaPage.getByLabel('Password', { exact: true });
    await adaPage.locator('.field-error').first().waitFor();
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    const passwordError = await adaPage
      .locator(`[id="${await password.getAttribute('aria-describedby')}"]`)
      .innerText();
    expect(passwordError.length).toBeGreaterThan(0);
    await adaPage.screenshot({ path: `${shots}sign-up.png` });
    await password.fill(ada.password);
    await adaPage.getByRole('button', { name: 'Create account' }).click();

    // Her first workspace, then a project: the board opens.
    await adaPage.getByRole('heading', { name: 'Your workspaces' }).waitFor();
    await adaPage.getByLabel('Workspace name').fill(workspaceName);
    await adaPage.getByRole('button', { name: 'Create workspace' }).click();
    await adaPage.getByRole('heading', { name: `${workspaceName}: projects` }).waitFor();
    await adaPage.getByLabel('Project name').fill('Engineering');
    await adaPage.getByLabel(/^Key/).fill('ENG');
    await adaPage.getByRole('button', { name: 'Create project' }).click();
    await adaPage.getByRole('heading', { name: /Engineering/ }).waitFor();
    await adaPage.getByLabel('New task').fill('Ship the example app');
    await adaPage.getByRole('button', { name: 'Add task' }).click();
    await card(adaPage, 'To do', 'ENG-1').waitFor();
    const boardUrl = adaPage.url();

    // She invites Bob by email.
    await adaPage.getByRole('link', { name: 'Members' }).click();
    await adaPage.getByLabel('Email address').fill(bob.email);
    await adaPage.getByRole('button', { name: 'Send invitation' }).click();
    await adaPage.getByText(`Invitation sent to ${bob.email}.`).waitFor();
    await adaPage.getByRole('list', { name: 'Pending invitations' }).getByText(bob.email).waitFor();
    await adaPage.screenshot({ path: `${shots}members.png` });

    // Bob opens the link from the email. It points at the site URL the stack's Auth knows
    // (config.toml's site_url); this run's app listens elsewhere, so the path and token are
    // opened at the app's address.
    const invitation = await mailTo(mailUrl, bob.email, /invited to join/);
    expect(invitation.Subject).toContain(workspaceName);
    const emailed = new URL(linkIn(invitation, /\/accept-invitation\?token=/));
    const bobPage = await person();
    await bobPage.goto(`${app.url}${emailed.pathname}${emailed.search}`);
    await bobPage.getByText(/You have been invited to a workspace/).waitFor();

    // He has no account: the magic link makes one, and brings him back to the invitation.
    await bobPage.getByRole('tab', { name: 'Email me a link' }).click();
    await bobPage.getByLabel('Email', { exact: true }).fill(bob.email);
    await bobPage.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await bobPage.getByText(`We emailed a sign-in link to ${bob.email}`).waitFor();
    const magic = await mailTo(mailUrl, bob.email, /Magic Link|Confirm/);
    await bobPage.goto(linkIn(magic, /\/verify\?/));
    await bobPage.getByRole('heading', { name: `${workspaceName}: projects` }).waitFor();
    await bobPage.getByRole('link', { name: 'Engineering' }).click();
    await card(bobPage, 'To do', 'ENG-1').waitFor();

    // Presence: each sees the other on the board.
    await adaPage.goto(boardUrl);
    await card(adaPage, 'To do', 'ENG-1').waitFor();
    await adaPage.getByRole('list', { name: 'Here now' }).getByText(bob.email).waitFor();
    await bobPage.getByRole('list', { name: 'Here now' }).getByText(ada.name).waitFor();

    // Ada drags the task to In progress; once her move is saved, Bob's board shows it within a second.
    await drag(adaPage, 'ENG-1', 'In progress');
    await card(adaPage, 'In progress', 'ENG-1').and(adaPage.locator(':not([aria-busy])')).waitFor();
    await card(bobPage, 'In progress', 'ENG-1').waitFor({ timeout: LIVE_DEADLINE_MS });
    await adaPage.screenshot({ path: `${shots}board.png` });

    // Bob moves it on with the keyboard-usable status menu; Ada sees it within a second.
    await bobPage.getByLabel('Status of ENG-1').selectOption({ label: 'Done' });
    await card(bobPage, 'Done', 'ENG-1').and(bobPage.locator(':not([aria-busy])')).waitFor();
    await card(adaPage, 'Done', 'ENG-1').waitFor({ timeout: LIVE_DEADLINE_MS });
    expect(await card(adaPage, 'In progress', 'ENG-1').count()).toBe(0);

    // On a phone-sized screen the columns stack and every control stays reachable.
    await bobPage.setViewportSize({ width: 390, height: 844 });
    await bobPage.getByLabel('Status of ENG-1').waitFor();
    const column = await bobPage.getByRole('region', { name: 'Done', exact: true }).boundingBox();
    expect(column?.width).toBeLessThanOrEqual(390);
    await bobPage.screenshot({ path: `${shots}board-phone.png`, fullPage: true });
    await bobPage.setViewportSize({ width: 1280, height: 800 });

    // Ada makes an invite link for viewers; Cy follows it, signs up with a password and joins.
    await adaPage.getByRole('link', { name: 'Members' }).click();
    await adaPage.getByLabel('Joins as').selectOption({ label: 'Viewer' });
    await adaPage.getByRole('button', { name: 'Create link' }).click();
    const link = await adaPage.getByLabel('New invite link').inputValue();
    expect(link).toMatch(new RegExp(`^${app.url}/join\\?token=`));
    const cyPage = await person();
    await cyPage.goto(link);
    await cyPage.getByRole('tab', { name: 'Create account' }).click();
    await cyPage.getByLabel('Your name').fill(cy.name);
    await cyPage.getByLabel('Email', { exact: true }).fill(cy.email);
    await cyPage.getByLabel('Password', { exact: true }).fill(cy.password);
    await cyPage.getByRole('button', { name: 'Create account' }).click();
    await cyPage.getByRole('heading', { name: `${workspaceName}: projects` }).waitFor();

    // A viewer sees the board but can't change it, and is told why.
    await cyPage.getByText(/You’re a viewer in .*, so you can’t create projects/).waitFor();
    await cyPage.getByRole('link', { name: 'Engineering' }).click();
    await card(cyPage, 'Done', 'ENG-1').waitFor();
    await cyPage.getByText(/You’re a viewer in .*, so you can’t move or edit tasks/).waitFor();
    expect(await cyPage.getByRole('button', { name: 'Drag ENG-1' }).count()).toBe(0);
    expect(await cyPage.getByLabel('Status of ENG-1').isDisabled()).toBe(true);
    expect(await cyPage.getByRole('button', { name: 'Add task' }).count()).toBe(0);
    await cyPage.screenshot({ path: `${shots}viewer.png` });
  }, 120_000);

  it('a workspace you are not in reads "no access", the same as one that does not exist', async () => {
    const page = await person();
    await page.goto(app.url);
    await page.getByRole('tab', { name: 'Create account' }).click();
    await page.getByLabel('Email', { exact: true }).fill(`eve-${suffix}@example.test`);
    await page.getByLabel('Password', { exact: true }).fill('outsider-passphrase');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Your workspaces' }).waitFor();
    const slug = workspaceName.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const answers: string[] = [];
    for (const target of [slug, `no-such-${suffix}`]) {
      await page.goto(`${app.url}/w/${target}`);
      await page.getByRole('heading', { name: 'You don’t have access to this workspace' }).waitFor();
      answers.push(await page.getByRole('main').innerText());
    }
    expect(answers[0]).toBe(answers[1]);
  });
});
