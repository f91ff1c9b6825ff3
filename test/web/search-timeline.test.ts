// Search and the delivery timeline in a real browser (Debian's Chromium via playwright-core),
// issue #16 items 3 and 4: a refused attempt (552 at the end of DATA), an accepted one and a
// faulted one (the mailbox's fault script answering 451 at RCPT) appear beside the mailbox's
// messages with the SMTP answer; the header's search box finds mail in the
// mailboxes this browser holds, never in another's, opens a match, and explains a bad query.
// A missing build fails; a missing browser is a loud NOT RUN (a failure in CI: test/support/browser.ts).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Browser, describeBrowser, launchBrowser, SKIP_BROWSER } from '../support/browser.js';
import { rawSmtp, startTestServer, type TestServer } from '../support/harness.js';

const SHOTS = join(fileURLToPath(new URL('../../', import.meta.url)), 'test-results/web');

let s: TestServer;
let browser: Browser | undefined;
let page: Page;
let address: string;

beforeAll(async () => {
  if (SKIP_BROWSER) return;
  mkdirSync(SHOTS, { recursive: true });
  s = await startTestServer({ smtp_max_message_bytes: 10_000 });
  browser = await launchBrowser();
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

/** an attempt refused at the end of DATA for its size: no message is stored, no event is raised. */
async function sendTooBig(to: string): Promise<void> {
  const c = await rawSmtp(s.smtpPort);
  try {
    expect(await c.reply()).toMatch(/^220 /);
    await c.cmd('EHLO big.example');
    expect(await c.cmd('MAIL FROM:<big@example.com>')).toMatch(/^250 /);
    expect(await c.cmd(`RCPT TO:<${to}>`)).toMatch(/^250 /);
    expect(await c.cmd('DATA')).toMatch(/^354 /);
    c.write(`Subject: too big\r\n\r\n${'x'.repeat(76) + '\r\n'}`.repeat(200));
    expect(await c.cmd('.')).toBe('552 5.3.4 Message too large');
  } finally {
    c.close();
  }
}

describeBrowser('delivery timeline in the inbox', () => {
  it('shows a refused attempt with its SMTP answer, then the accepted one, beside the messages', async () => {
    await page.goto(s.url + '/');
    await page.getByRole('button', { name: 'Create a mailbox' }).click();
    await page.locator('#addr-h').waitFor();
    address = (await page.locator('#addr-h').textContent())!.trim();
    await page.getByRole('heading', { name: 'Delivery attempts' }).waitFor();
    await page.getByText('No delivery attempts yet.').waitFor();

    await sendTooBig(address);
    // the timeline is written in batches off the reply path
    await s.inboxd.timeline.flush();
    await page.getByRole('button', { name: 'Refresh' }).click();
    const refused = page.locator('#delivery-list li[data-outcome="refused"]');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('552 5.3.4 Message too large');
    expect(await refused.textContent()).toContain('from big@example.com');
    expect(await refused.textContent()).toContain('message_too_large');

    await s.send({ from: 'shop@example.com', to: address, subject: 'Invoice 7731 ready', text: 'Your invoice is attached' });
    await page.locator('#message-list li', { hasText: 'Invoice 7731 ready' }).waitFor();
    await s.inboxd.timeline.flush();
    await page.getByRole('button', { name: 'Refresh' }).click();
    const accepted = page.locator('#delivery-list li[data-outcome="accepted"]');
    await accepted.waitFor();
    expect(await accepted.textContent()).toMatch(/250 2\.0\.0/);
    // newest first: the accepted attempt above the refused one
    expect(await page.locator('#delivery-list li').first().getAttribute('data-outcome')).toBe('accepted');

    // the browser holds the mailbox's session token; a fault script answers the next RCPT with 451
    const token = await page.evaluate((a) => (JSON.parse(localStorage.getItem('inboxd.mailboxes') ?? '[]') as { address: string; token: string }[]).find((m) => m.address === a)!.token, address);
    const put = await s.api('PUT', `/api/v1/mailboxes/${address}/faults`, { token, body: { rules: [{ stage: 'rcpt', reply: '451 4.3.0 Try again later', times: 1 }] } });
    expect(put.status).toBe(200);
    const c = await rawSmtp(s.smtpPort);
    try {
      expect(await c.reply()).toMatch(/^220 /);
      await c.cmd('EHLO retry.example');
      expect(await c.cmd('MAIL FROM:<retry@example.com>')).toMatch(/^250 /);
      expect(await c.cmd(`RCPT TO:<${address}>`)).toBe('451 4.3.0 Try again later');
    } finally {
      c.close();
    }
    await s.inboxd.timeline.flush();
    await page.getByRole('button', { name: 'Refresh' }).click();
    const faulted = page.locator('#delivery-list li[data-outcome="fault"]');
    await faulted.waitFor();
    expect(await faulted.textContent()).toContain('faulted');
    expect(await faulted.textContent()).toContain('451 4.3.0 Try again later');
    expect(await faulted.textContent()).toContain("this mailbox's fault script at RCPT (used 1 of 1)");
    await page.screenshot({ path: join(SHOTS, 'delivery-timeline.png') });
  });
});

describeBrowser('search box', () => {
  it('finds mail in the mailboxes this browser holds, never in another\'s, and opens a match', async () => {
    const other = await s.anonymousMailbox();
    await s.send({ from: 'shop@example.com', to: other.address, subject: 'Invoice 9999 for someone else', text: 'not yours' });

    await page.getByRole('searchbox', { name: 'Search mail' }).fill('invoice from:shop');
    await page.getByRole('searchbox', { name: 'Search mail' }).press('Enter');
    await page.getByRole('heading', { name: 'Search' }).waitFor();
    const rows = page.locator('#search-results li');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Invoice 7731 ready');
    expect(await rows.first().textContent()).toContain(address);
    await page.screenshot({ path: join(SHOTS, 'search.png') });

    await rows.first().getByRole('link', { name: 'Invoice 7731 ready' }).click();
    await page.getByText('Your invoice is attached').waitFor();
    expect(page.url()).toContain(`#/m/${encodeURIComponent(address)}/`);

    await page.getByRole('searchbox', { name: 'Search mail' }).fill('-invoice');
    await page.getByRole('searchbox', { name: 'Search mail' }).press('Enter');
    await page.locator('#search-empty').waitFor();

    await page.getByRole('searchbox', { name: 'Search mail' }).fill('after:someday');
    await page.getByRole('searchbox', { name: 'Search mail' }).press('Enter');
    await page.locator('#search-error').waitFor();
    expect(await page.locator('#search-error').textContent()).toContain('is not a date');
  });
});
