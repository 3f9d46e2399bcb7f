/**
 * Headless Chromium for UI tests: Debian's /usr/bin/chromium driven by playwright-core (which never
 * downloads a browser), with a fresh profile per launch and the flags of components.md §4.
 * `close()` closes the browser and removes the profile.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM_BIN = '/usr/bin/chromium';

export interface HeadlessBrowser {
  readonly page: Page;
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(viewport = { width: 1000, height: 700 }): Promise<HeadlessBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'louai-test-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_BIN,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport,
    timeout: 20_000,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    page,
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
