/**
 * Chromium for the browser tests (Debian's package driven by playwright-core; never
 * `playwright install`): where it is, whether this run goes without it, and a headless persistent
 * context with the flags every browser test uses.
 *
 * `npm test` on a machine with Node and nothing else passes: without Chromium the browser suites
 * do not run and say so loudly (a NOT RUN test and a warning). CI sets INBOXD_REQUIRE_BROWSER=1
 * (`.ci/run`, after scripts/ensure-chromium.sh), which turns a missing Chromium into a failure.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { defaultWebDistDir } from '../../src/http/routes/web.js';

export const CHROMIUM = process.env.INBOXD_CHROMIUM ?? '/usr/bin/chromium';

/** CI's switch: a missing Chromium fails the browser suites instead of leaving them out. */
export const REQUIRE_BROWSER = ['1', 'true', 'yes'].includes(process.env.INBOXD_REQUIRE_BROWSER ?? '');

/** true when Chromium is missing and the run may go without it: browser suites are left out, loudly. */
export const SKIP_BROWSER = !existsSync(CHROMIUM) && !REQUIRE_BROWSER;

/**
 * `describe` for a suite that needs Chromium. Without it (and without INBOXD_REQUIRE_BROWSER) the
 * suite is replaced by one passing test named NOT RUN that prints a warning, so the run passes
 * and says what it left out.
 */
export function describeBrowser(title: string, body: () => void): void {
  if (!SKIP_BROWSER) {
    describe(title, body);
    return;
  }
  describe(title, () => {
    it(`browser suite NOT RUN: Chromium not found at ${CHROMIUM}`, () => warnBrowserNotRun(title));
  });
}

/** the loud warning a browser test prints when it is left out (SKIP_BROWSER). */
export function warnBrowserNotRun(title: string): void {
  const line = '!'.repeat(78);
  console.warn(
    `\n${line}\n!! browser test NOT RUN: ${title}\n!! Chromium was not found at ${CHROMIUM}, so it did not run.\n` +
      `!! Install it (bash scripts/ensure-chromium.sh, or apt-get install -y chromium) or set INBOXD_CHROMIUM;\n` +
      `!! CI always runs it (INBOXD_REQUIRE_BROWSER=1 makes a missing Chromium fail).\n${line}\n`,
  );
}

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
