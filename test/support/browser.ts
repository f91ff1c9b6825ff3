/**
 * Chromium for the browser tests (Debian's package driven by playwright-core; never
 * `playwright install`): where it is, and a headless persistent context with the flags every
 * browser test uses.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { defaultWebDistDir } from '../../src/http/routes/web.js';

export const CHROMIUM = process.env.INBOXD_CHROMIUM ?? '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** launches headless Chromium on a fresh profile; throws with the fix when Chromium or the web build is missing. */
export async function launchBrowser(options: { viewport?: { width: number; height: number }; acceptDownloads?: boolean } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}. Install Debian's package: bash scripts/ensure-chromium.sh (apt-get install -y chromium). Never run "playwright install".`);
  }
  if (!existsSync(join(defaultWebDistDir(), 'index.html'))) {
    throw new Error(`web UI not built (${defaultWebDistDir()} has no index.html): run npm run build before these tests`);
  }
  const profileDir = mkdtempSync(join(tmpdir(), 'inboxd-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    // the flag below picks the headless mode; Playwright's own switch would add a second one
    headless: false,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: options.viewport ?? { width: 1280, height: 860 },
    acceptDownloads: options.acceptDownloads ?? false,
    colorScheme: 'light',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}
