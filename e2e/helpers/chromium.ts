// Launches Debian's Chromium through playwright-core (no browser download), headless.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { waitForAsync } from '../../test/helpers/wait.js';

/** The Chromium binary: `CHROMIUM_PATH`, else Debian's. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Starts a headless Chromium; one per test file, launched in `beforeAll`. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run 'apt-get install -y chromium' (bash .ci/run does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

/**
 * Polls `fn` every 50 ms (a page round trip each) until it returns a truthy value (a
 * condition, never a speed assertion). A timeout names `what` (default: `fn`'s source)
 * and the last value seen.
 */
export function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 10_000, what?: string): Promise<NonNullable<T>> {
  return waitForAsync(async () => (await fn()) as NonNullable<T> | undefined, timeoutMs, what ?? fn.toString(), 50);
}
