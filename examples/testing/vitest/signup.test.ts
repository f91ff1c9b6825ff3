// Uses the server from global-setup.ts: a mailbox per test, mail sent with Nodemailer as the
// application under test would, the code read from the message.
import nodemailer from 'nodemailer';
import { Inboxd } from 'inboxd/sdk';
import { expect, inject, test } from 'vitest';

const server = inject('inboxd');
const client = new Inboxd({ baseUrl: server.url, apiKey: server.apiKey });

test('the sign-up email carries a six-digit code', async () => {
  const mailbox = await client.createMailbox({ ttlMinutes: 5 });
  const smtp = nodemailer.createTransport({ host: server.smtpHost, port: server.smtpPort });
  await smtp.sendMail({ from: 'no-reply@shop.example', to: mailbox.address, subject: 'Your code', text: 'Your code is 482913.' });

  const message = await mailbox.waitForMessage({ subject: 'Your code', timeoutMs: 10_000 });
  expect(message.codes[0]?.value).toBe('482913');
  await mailbox.deleteMailbox();
});
