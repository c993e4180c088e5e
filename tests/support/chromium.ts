/** The one way the repo's browser tests start Chromium (Debian's, installed by .ci/run). */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type LaunchOptions } from 'playwright-core';

// Debian's chromium-headless-shell is Chromium's old headless mode as a binary of its own (the full
// browser's --headless now runs the whole browser, only without a window). It has the same Blink,
// DevTools protocol and virtual authenticator the tests drive, and it costs far less CPU to start
// and to render (measured: tests/taskboard/taskboard.test.ts 34 → 24 CPU-s, auth-oauth 21 → 10).
// The full browser is the fallback where only `chromium` is installed. GitHub's Ubuntu images have
// Google Chrome instead (CHROMIUM_PATH, see .github/workflows/test.yml).
const HEADLESS_SHELL = '/usr/bin/chromium-headless-shell';
const CHROMIUM =
  process.env.CHROMIUM_PATH || (existsSync(HEADLESS_SHELL) ? HEADLESS_SHELL : '/usr/bin/chromium');
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
