// A mailbox per test, mail sent with Nodemailer as the application under test would, the code
// read from the message: against the server global-setup.mjs started.
import process from 'node:process';
import { expect, test } from '@jest/globals';
import nodemailer from 'nodemailer';
import { Inboxd } from 'inboxd/sdk';

const client = new Inboxd({ baseUrl: process.env.INBOXD_URL, apiKey: process.env.INBOXD_API_KEY });

test('the sign-up email carries a six-digit code', async () => {
  const mailbox = await client.createMailbox({ ttlMinutes: 5 });
  const smtp = nodemailer.createTransport({ host: process.env.INBOXD_SMTP_HOST, port: Number(process.env.INBOXD_SMTP_PORT) });
  await smtp.sendMail({ from: 'no-reply@shop.example', to: mailbox.address, subject: 'Your code', text: 'Your code is 482913.' });

  const message = await mailbox.waitForMessage({ subject: 'Your code', timeoutMs: 10_000 });
  expect(message.codes[0]?.value).toBe('482913');
  await mailbox.deleteMailbox();
});
