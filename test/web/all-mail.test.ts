// "All mail" in a real browser (Debian's Chromium via playwright-core) on the development
// defaults: an app with any SMTP user and password sends to addresses nobody created, and the
// caught mail appears live without a reload and opens; the home page's create button uses the
// API key loaded in the browser (issue #13.1, #13.5). A missing build fails; a missing browser is a
// loud NOT RUN (a failure in CI: test/support/browser.ts).
import nodemailer from 'nodemailer';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Browser, describeBrowser, launchBrowser, SKIP_BROWSER } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/harness.js';


let s: TestServer;
let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  if (SKIP_BROWSER) return;
  s = await startTestServer({ env: 'development' }, { seededPlans: true });
  browser = await launchBrowser();
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

async function appSends(to: string, subject: string): Promise<void> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: s.smtpPort, secure: false, ignoreTLS: true, auth: { user: 'myapp', pass: 'anything' } });
  try {
    await t.sendMail({ from: 'My App <app@example.com>', to, subject, text: 'Your code is 662211' });
  } finally {
    t.close();
  }
}

describeBrowser('All mail', () => {
  it('lists caught mail live without a reload, and opens a message, without credentials on a development server', async () => {
    const first = `signup-${Date.now()}@customer.example`;
    await appSends(first, 'Caught before the page opened');
    await page.goto(s.url + '/');
    await page.getByRole('link', { name: 'All mail' }).click();
    await page.getByRole('heading', { name: 'All mail' }).waitFor();
    await page.locator('#all-mail-list li', { hasText: 'Caught before the page opened' }).waitFor();
    await expect.poll(() => page.locator('#all-mail-state').textContent()).toBe('live');

    await page.evaluate(() => ((globalThis as unknown as { __noReload: number }).__noReload = 1));
    const second = `reset-${Date.now()}@another.example`;
    await appSends(second, 'Caught while watching');
    const row = page.locator('#all-mail-list li', { hasText: 'Caught while watching' });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain(second);
    expect(await page.evaluate(() => (globalThis as unknown as { __noReload?: number }).__noReload)).toBe(1);

    await row.getByRole('link', { name: 'Caught while watching' }).click();
    await page.getByText('662211').first().waitFor();
    expect(page.url()).toContain(`#/m/${encodeURIComponent(second)}/`);
  });

  it('creates a mailbox on the API key loaded in the browser', async () => {
    const { key } = await s.userWithKey('pro');
    await page.goto(s.url + '/#/');
    await page.getByLabel('Paste a key to see and manage its mailboxes').fill(key);
    await page.getByRole('button', { name: 'Use key' }).click();
    await page.getByRole('button', { name: 'Create a mailbox' }).click();
    const heading = page.locator('#addr-h');
    await heading.waitFor();
    const address = (await heading.textContent())!.trim();
    const owned = await s.api('GET', `/api/v1/mailboxes/${address}`, { token: key });
    expect(owned.status).toBe(200);
    expect(owned.body.owner_type).toBe('api');
  });
});
