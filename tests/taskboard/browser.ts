/** Chromium for the taskboard tests (tests/support/chromium.ts) and the screenshots they can take. */
import type { Page } from 'playwright-core';

export { launchChromium } from '../support/chromium.ts';

/** Where the runs write their screenshots (gitignored); examples/taskboard/screenshots holds copies. */
export const screenshots = new URL('../../test-results/taskboard/', import.meta.url).pathname;

/**
 * Screenshots are for people (the copies in examples/taskboard/README.md), not for the assertions:
 * each is a render and PNG encode of the page (0.05-0.25 s, 1.5 s over the 15 of a run, measured),
 * CPU a 2-core machine runs `npm test` short of, so it takes none. `TASKBOARD_SCREENSHOTS=1 npx
 * vitest run tests/taskboard` takes them.
 */
const takeScreenshots = process.env.TASKBOARD_SCREENSHOTS === '1';

/** Saves `page` as test-results/taskboard/<name>.png, when TASKBOARD_SCREENSHOTS=1. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}) {
  if (takeScreenshots) await page.screenshot({ path: `${screenshots}${name}.png`, ...options });
}
