// Hostile SMTP input the library's hooks do not see, over a raw socket (#14 item 1): CR or LF
// inside a command line, and the enhanced code of the library's own 421 replies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawSmtp, startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ smtp_idle_timeout: 1 });
});
afterAll(async () => {
  await s.close();
});

async function session() {
  const c = await rawSmtp(s.smtpPort);
  expect(await c.reply()).toMatch(/^220 /);
  expect(await c.cmd('EHLO client.example')).toMatch(/^250/);
  return c;
}

describe('CR and LF inside SMTP commands', () => {
  it('refuses a bare CR inside RCPT TO with 501, stores nothing, and the session carries on', async () => {
    const { address, token } = await s.anonymousMailbox();
    const c = await session();
    try {
      expect(await c.cmd('MAIL FROM:<a@example.com>')).toMatch(/^250 /);
      expect(await c.cmd(`RCPT TO:<${address}>\rX-Injected: 1`)).toMatch(/^501 5\.5\.4 /);
      expect(await c.cmd('DATA')).toMatch(/^503 /);
      // the same session still works once the client sends clean lines
      expect(await c.cmd(`RCPT TO:<${address}>`)).toMatch(/^250 /);
    } finally {
      c.close();
    }
    expect((await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token })).body).toEqual([]);
  });

  it('refuses a command ended by a bare LF with 501, never 250', async () => {
    const { address } = await s.anonymousMailbox();
    const c = await session();
    try {
      expect(await c.cmd('MAIL FROM:<a@example.com>')).toMatch(/^250 /);
      c.write(`RCPT TO:<${address}>\nX-Injected: 1\r\n`);
      expect(await c.reply()).toMatch(/^501 5\.5\.4 /);
      expect(await c.reply()).toMatch(/^5\d\d /);
      expect(await c.cmd('MAIL FROM:<b@example.com>\r')).toMatch(/^501 /);
    } finally {
      c.close();
    }
  });

  it('refuses a CR inside MAIL FROM and EHLO too', async () => {
    const c = await rawSmtp(s.smtpPort);
    try {
      await c.reply();
      expect(await c.cmd('EHLO a\rb')).toMatch(/^501 /);
      expect(await c.cmd('EHLO ok.example')).toMatch(/^250/);
      expect(await c.cmd('MAIL FROM:<a@example.com>\rX: 1')).toMatch(/^501 /);
    } finally {
      c.close();
    }
  });

  it('keeps a bare LF inside DATA byte for byte (only command lines are judged)', async () => {
    const { address, token } = await s.anonymousMailbox();
    const c = await session();
    try {
      await c.cmd('MAIL FROM:<a@example.com>');
      await c.cmd(`RCPT TO:<${address}>`);
      expect(await c.cmd('DATA')).toMatch(/^354/);
      c.write('Subject: lf\r\n\r\none\ntwo\r\n.\r\n');
      expect(await c.reply()).toMatch(/^250 /);
      // pipelined after the message: still judged as commands
      expect(await c.cmd('RSET\r')).toMatch(/^501 /);
    } finally {
      c.close();
    }
    const [m] = (await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token })).body;
    const raw = await fetch(`${s.url}/api/v1/mailboxes/${address}/messages/${m.id}/raw`, { headers: { authorization: `Bearer ${token}` } });
    expect(await raw.text()).toBe('Subject: lf\r\n\r\none\ntwo\r\n');
  });
});

describe('the library\u2019s own 421 replies', () => {
  it('answers an idle client 421 4.4.2 and closes', async () => {
    const c = await rawSmtp(s.smtpPort);
    expect(await c.reply()).toMatch(/^220 /);
    expect(await c.reply(5_000)).toMatch(/^421 4\.4\.2 /);
    await c.closed;
  });
});
