/** Chromium for the browser tests: Debian's package, headless, with no network of its own. */
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

// Without the background-networking flags Chromium tries to reach Google's
// hosts at start, which this machine's closed network refuses.
export const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

/** `skip` option for node:test: false, or the reason the browser tests cannot run. */
export const skipWithoutChromium: false | string = fs.existsSync(CHROMIUM)
  ? false
  : `Chromium not found at ${CHROMIUM}; install it with apt-get install -y chromium`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
