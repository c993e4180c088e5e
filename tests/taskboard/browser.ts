/** Debian's Chromium for the taskboard tests, as tests/consumer starts it. */
import { type Browser, chromium } from 'playwright-core';

// GitHub's Ubuntu images have Google Chrome instead (see .github/workflows/test.yml).
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

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

/** Where the runs write their screenshots (gitignored); examples/taskboard/screenshots holds copies. */
export const screenshots = new URL('../../test-results/taskboard/', import.meta.url).pathname;
