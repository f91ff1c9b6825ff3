// `inboxd/testing` from a user's side: startInboxd() in the test process, mail sent with
// Nodemailer to a created mailbox and to a caught address, read through the SDK it hands out.
import { existsSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInboxd, type TestInboxd } from '../../src/testing/index.js';

let inboxd: TestInboxd;
beforeAll(async () => {
  inboxd = await startInboxd({ settings: { domains: ['suite.test'] } });
});
afterAll(() => inboxd?.stop());

describe('startInboxd()', () => {
  it('gives a URL, an SMTP endpoint, the domain and an SDK client', async () => {
    expect(inboxd.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(inboxd.smtp).toEqual({ host: '127.0.0.1', port: expect.any(Number) });
    expect(inboxd.domain).toBe('suite.test');
    expect((await fetch(inboxd.url + '/health')).status).toBe(200);
  });

  it('a created mailbox receives mail sent with Nodemailer and its code is read', async () => {
    const mailbox = await inboxd.client.createMailbox({ ttlMinutes: 5 });
    expect(mailbox.address.endsWith('@suite.test')).toBe(true);
    const smtp = nodemailer.createTransport(inboxd.smtp);
    const info = await smtp.sendMail({ from: 'no-reply@shop.example', to: mailbox.address, subject: 'Your code', text: 'Your code is 482913.' });
    expect(info.response).toMatch(/^250 /);
    const message = await mailbox.waitForMessage({ subject: 'Your code', timeoutMs: 10_000 });
    expect(message.codes[0]?.value).toBe('482913');
  });

  it('catches mail to any address at any domain, owned by the client\'s key', async () => {
    const address = 'someone@elsewhere.example';
    const smtp = nodemailer.createTransport({ ...inboxd.smtp, auth: { user: 'app', pass: 'anything' } });
    await smtp.sendMail({ from: 'no-reply@shop.example', to: address, subject: 'Welcome', html: '<a href="https://shop.example/c?t=1">confirm</a>' });
    const message = await inboxd.client.mailbox(address).waitForMessage({ subject: 'Welcome', timeoutMs: 10_000 });
    expect(message.links.map((l) => l.url)).toContain('https://shop.example/c?t=1');
    const mine = await inboxd.client.listMailboxes();
    expect(mine.map((m) => m.address)).toContain(address);
  });

  it('stop() closes the server and removes its data folder; a second stop() is harmless', async () => {
    const other = await startInboxd();
    expect(existsSync(other.dataDir)).toBe(true);
    await other.stop();
    await other.stop();
    await expect(fetch(other.url + '/health')).rejects.toThrow();
    expect(existsSync(other.dataDir)).toBe(false);
  });
});
