/** Chromium for the taskboard tests (tests/support/chromium.ts) and where they write screenshots. */
export { launchChromium } from '../support/chromium.ts';

/** Where the runs write their screenshots (gitignored); examples/taskboard/screenshots holds copies. */
export const screenshots = new URL('../../test-results/taskboard/', import.meta.url).pathname;
