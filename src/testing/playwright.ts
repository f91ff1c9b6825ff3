/**
 * `inboxd/playwright`: Playwright Test with a `mailbox` fixture.
 *
 * @example
 * import { test, expect } from 'inboxd/playwright';
 * test('sign-up sends a code', async ({ page, mailbox }) => {
 *   await page.fill('#email', mailbox.address);
 *   const message = await mailbox.waitForMessage({ subject: 'Verify' });
 *   expect(message.codes[0]?.value).toMatch(/^\d{6}$/);
 * });
 *
 * Each worker gets one Inboxd: the server at `INBOXD_URL` (with `INBOXD_API_KEY`, if set) when
 * the run already has one (the GitHub Action, a container, a global setup), otherwise one started
 * in the worker by `startInboxd()` and stopped when the worker ends. Each test gets a fresh
 * mailbox, deleted after it.
 */
import { test as base } from '@playwright/test';
import { Inboxd as InboxdClient, type Mailbox } from '@inboxd/sdk';
import { startInboxd, type StartInboxdOptions } from './index.js';

export interface InboxdWorker {
  /** the HTTP base URL the SDK talks to. */
  url: string;
  /** the SDK client the `mailbox` fixture creates mailboxes with. */
  client: InboxdClient;
  /** where the application under test sends mail, when this worker started the server (else null: see INBOXD_SMTP_HOST/PORT). */
  smtp: { host: string; port: number } | null;
}

export interface InboxdFixtures {
  /** a fresh mailbox for this test (TTL `inboxdMailboxTtlMinutes`), deleted after it. */
  mailbox: Mailbox;
  /** TTL of the `mailbox` fixture, in minutes (default 10): `test.use({ inboxdMailboxTtlMinutes: 30 })`. */
  inboxdMailboxTtlMinutes: number;
}

export interface InboxdWorkerFixtures {
  inboxd: InboxdWorker;
  /** settings for a server this worker starts itself (ignored when INBOXD_URL is set). */
  inboxdSettings: StartInboxdOptions['settings'];
}

export const test = base.extend<InboxdFixtures, InboxdWorkerFixtures>({
  inboxdSettings: [{}, { scope: 'worker', option: true }],
  inboxd: [
    async ({ inboxdSettings }, use) => {
      const external = process.env.INBOXD_URL;
      if (external) {
        await use({ url: external, client: new InboxdClient({ baseUrl: external, apiKey: process.env.INBOXD_API_KEY }), smtp: null });
        return;
      }
      const server = await startInboxd({ settings: inboxdSettings });
      try {
        await use({ url: server.url, client: server.client, smtp: server.smtp });
      } finally {
        await server.stop();
      }
    },
    { scope: 'worker' },
  ],
  inboxdMailboxTtlMinutes: [10, { option: true }],
  mailbox: async ({ inboxd, inboxdMailboxTtlMinutes }, use) => {
    const mailbox = await inboxd.client.createMailbox({ ttlMinutes: inboxdMailboxTtlMinutes });
    try {
      await use(mailbox);
    } finally {
      await mailbox.deleteMailbox().catch(() => undefined); // already gone is fine: the test may delete it
    }
  },
});

export { expect } from '@playwright/test';
