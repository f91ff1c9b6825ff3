// The same without a global setup: one file starts its own Inboxd in beforeAll.
import nodemailer from 'nodemailer';
import { startInboxd, type TestInboxd } from 'inboxd/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';

let inboxd: TestInboxd;
beforeAll(async () => {
  inboxd = await startInboxd();
});
afterAll(() => inboxd?.stop());

test('catch-all: mail to any address is caught and read by address', async () => {
  const address = `new-user@${inboxd.domain}`;
  const smtp = nodemailer.createTransport(inboxd.smtp);
  await smtp.sendMail({ from: 'no-reply@shop.example', to: address, subject: 'Welcome', html: '<p>Confirm: <a href="https://shop.example/confirm?t=abc">confirm</a></p>' });

  const message = await inboxd.client.mailbox(address).waitForMessage({ subject: 'Welcome', timeoutMs: 10_000 });
  expect(message.links.map((l) => l.url)).toContain('https://shop.example/confirm?t=abc');
});
