/**
 * The end-to-end test, as a user of Inboxd writes it: a real browser (Playwright driving Chromium)
 * signs up on the app with a fresh Inboxd mailbox, the SDK waits for the verification email,
 * and the browser opens the link from it and must see "verified". Run by
 * test/examples/playwright-signup.test.ts in CI, or on its own with run.ts.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inboxd, type Message } from '@inboxd/sdk';
import { chromium } from 'playwright-core';

/** Debian's Chromium; Playwright's own browser download is never used. */
export const CHROMIUM = process.env.INBOXD_CHROMIUM ?? '/usr/bin/chromium';

/** flags for a quiet, headless, sandbox-free Chromium in CI containers. */
const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface SignupResult {
  /** the Inboxd address that signed up. */
  address: string;
  /** the verification email as the SDK read it. */
  message: Message;
  /** the link the browser opened. */
  link: string;
  /** the text of the page's #status after opening it ("verified" when all went well). */
  status: string;
}

/**
 * signs up on `appUrl` with a new Inboxd mailbox and follows the emailed link.
 *
 * @param o.inboxdUrl the Inboxd HTTP URL
 * @param o.appUrl the sign-up app's URL
 */
export async function signUpAndVerify(o: { inboxdUrl: string; appUrl: string; apiKey?: string }): Promise<SignupResult> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set INBOXD_CHROMIUM)`);

  // 1. a fresh mailbox for this test (anonymous: the handle keeps its session token)
  const inboxd = new Inboxd({ baseUrl: o.inboxdUrl, apiKey: o.apiKey });
  const mailbox = await inboxd.createMailbox({ ttlMinutes: 10 });

  const profile = mkdtempSync(join(tmpdir(), 'inboxd-signup-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    // the --headless=new flag picks the mode; Playwright's own switch would add a second one
    headless: false,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());

    // 2. sign up in the browser with the mailbox's address
    await page.goto(o.appUrl);
    await page.fill('#email', mailbox.address);
    await page.click('#signup');
    await page.locator('#status', { hasText: 'Check your inbox' }).waitFor();

    // 3. the SDK waits for the email (no polling, no sleep) and takes the link out of it
    const message = await mailbox.waitForMessage({ subject: 'Confirm your email', timeoutMs: 30_000 });
    const link = message.links.find((l) => l.url.startsWith(`${o.appUrl}/verify`))?.url;
    if (!link) throw new Error(`no verification link in the email: ${JSON.stringify(message.links)}`);

    // 4. the browser follows it
    await page.goto(link);
    const status = (await page.locator('#status').textContent())?.trim() ?? '';
    return { address: mailbox.address, message, link, status };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    await mailbox.deleteMailbox().catch(() => undefined);
  }
}
