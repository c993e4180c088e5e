/** The one way the repo's browser tests start Chromium (Debian's, installed by .ci/run). */
import { type Browser, chromium, type LaunchOptions } from 'playwright-core';

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

/** Headless Chromium; `options` adds to (never replaces) the flags above. */
export function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    ...options,
    executablePath: CHROMIUM,
    args: [...CHROMIUM_FLAGS, ...(options.args ?? [])],
  });
}
