// Every SMTP answer of DESIGN "Delivery rules", asserted as full reply lines over a raw socket,
// plus the happy paths through nodemailer.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { rawSmtp, startTestServer, testPair, type TestServer } from '../support/harness.js';
import { CuttableProxy } from '../support/tcp-proxy.js';

let s: TestServer;
const clock = new ManualClock();
beforeAll(async () => {
  s = await startTestServer({ smtp_max_message_bytes: 50_000, smtp_max_recipients: 3, sqlite_busy_timeout: 200 }, { clock });
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

function message(to: string, subject = 'hello', body = 'hi there') {
  return `From: a@example.com\r\nTo: ${to}\r\nSubject: ${subject}\r\n\r\n${body}\r\n`;
}

describe('SMTP answers', () => {
  it('advertises SIZE and no AUTH or STARTTLS', async () => {
    const c = await rawSmtp(s.smtpPort);
    await c.reply();
    const ehlo = await c.cmd('EHLO x');
    expect(ehlo).toContain('SIZE 50000');
    expect(ehlo).not.toMatch(/AUTH|STARTTLS/);
    c.close();
  });

  it('refuses RCPT to an unknown mailbox with 550 5.1.1', async () => {
    const c = await session();
    expect(await c.cmd('MAIL FROM:<a@example.com>')).toMatch(/^250/);
    expect(await c.cmd('RCPT TO:<nobody-here@inboxd.test>')).toBe('550 5.1.1 Mailbox unavailable');
    expect(await c.cmd('RCPT TO:<someone@not-our-domain.example>')).toBe('550 5.1.1 Mailbox unavailable');
    c.close();
  });

  it('refuses RCPT to a mailbox one second past its TTL with 550 5.1.1, and the API answers 410, before any sweep', async () => {
    const { address, token } = await s.anonymousMailbox(1);
    clock.advance(61_000);
    try {
      const c = await session();
      await c.cmd('MAIL FROM:<a@example.com>');
      expect(await c.cmd(`RCPT TO:<${address}>`)).toBe('550 5.1.1 Mailbox unavailable (expired)');
      c.close();
      const res = await s.api('GET', `/api/v1/mailboxes/${address}`, { token });
      expect(res.status).toBe(410);
      expect(res.body.error).toBe('mailbox_expired');
      const list = await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token });
      expect(list.status).toBe(410);
    } finally {
      clock.set(Date.now());
    }
  });

  it('answers 452 4.2.2 when the mailbox holds its plan quota', async () => {
    const plan = await s.inboxd.core.store.createPlan({ name: 'tiny', maxMailboxes: 5, maxMessagesPerMailbox: 1, defaultTtlMinutes: 10, maxTtlMinutes: 10, maxMessageBytes: 1000 });
    const { key } = await s.userWithKey(plan.name);
    const box = await s.api('POST', '/api/v1/mailboxes', { token: key, body: {} });
    const address = box.body.address;
    expect((await s.send({ to: address, text: 'one' })).response).toMatch(/^250 /);
    const c = await session();
    await c.cmd('MAIL FROM:<a@example.com>');
    expect(await c.cmd(`RCPT TO:<${address}>`)).toBe('452 4.2.2 Mailbox full');
    c.close();
  });

  it('answers 552 5.3.4 to a message over SIZE, and to one over the plan limit', async () => {
    const { address } = await s.anonymousMailbox();
    const c = await session();
    expect(await c.cmd('MAIL FROM:<a@example.com> SIZE=60000')).toMatch(/^552 /);
    expect(await c.cmd('MAIL FROM:<a@example.com>')).toMatch(/^250/);
    expect(await c.cmd(`RCPT TO:<${address}>`)).toMatch(/^250/);
    expect(await c.cmd('DATA')).toMatch(/^354/);
    c.write(message(address, 'big', 'x'.repeat(998) + '\r\n').repeat(1) + ('y'.repeat(998) + '\r\n').repeat(60));
    expect(await c.cmd('.')).toBe('552 5.3.4 Message too large');
    // the session is still usable after the refusal: the oversized stream was drained
    expect(await c.cmd('RSET')).toMatch(/^250/);
    c.close();

    // a plan limit lower than SIZE: the tiny plan allows 1,000 bytes
    const { key } = await s.userWithKey('tiny');
    const box = await s.api('POST', '/api/v1/mailboxes', { token: key, body: {} });
    const d = await session();
    await d.cmd('MAIL FROM:<a@example.com> SIZE=5000');
    expect(await d.cmd(`RCPT TO:<${box.body.address}>`)).toBe('552 5.3.4 Message too large');
    await d.cmd('RSET');
    await d.cmd('MAIL FROM:<a@example.com>');
    expect(await d.cmd(`RCPT TO:<${box.body.address}>`)).toMatch(/^250/);
    await d.cmd('DATA');
    d.write(message(box.body.address, 'big', 'z'.repeat(3000)));
    expect(await d.cmd('.')).toBe('552 5.3.4 Message too large');
    d.close();
  });

  it('answers 451 4.3.0 when storage is unavailable, never 250, and accepts the retry', async () => {
    // embedded: another connection holds the SQLite write lock; scale: PostgreSQL is cut away
    // behind a proxy. Either way the store cannot commit, and the sender must be told to retry.
    let target = s;
    let outage: { start(): Promise<void>; end(): Promise<void>; close(): Promise<void> };
    if (testPair() === 'embedded') {
      const locker = new Database(join(s.dataDir, 'inboxd.db'));
      outage = {
        start: async () => void locker.exec('BEGIN EXCLUSIVE'),
        end: async () => void locker.exec('ROLLBACK'),
        close: async () => void locker.close(),
      };
    } else {
      const db = new URL(process.env.INBOXD_TEST_DATABASE_URL!);
      const proxy = new CuttableProxy(db.hostname || '127.0.0.1', Number(db.port || 5432));
      await proxy.open();
      db.hostname = '127.0.0.1';
      db.port = String(proxy.port);
      target = await startTestServer({ database_url: db.toString() }, { clock });
      outage = { start: () => proxy.cut(), end: () => proxy.open(), close: () => target.close() };
    }
    try {
      const { address, token } = await target.anonymousMailbox();
      const c = await rawSmtp(target.smtpPort);
      await c.reply();
      await c.cmd('EHLO x');
      await c.cmd('MAIL FROM:<a@example.com>');
      expect(await c.cmd(`RCPT TO:<${address}>`)).toMatch(/^250/);
      await c.cmd('DATA');
      c.write(message(address, 'retry me'));
      await outage.start();
      expect(await c.cmd('.')).toBe('451 4.3.0 Temporary storage failure, try again later');
      c.close();
      if (testPair() === 'scale') {
        const health = await target.api('GET', '/health');
        expect(health).toMatchObject({ status: 503, body: { db: 'down' } });
        expect((await target.api('GET', `/api/v1/mailboxes/${address}`, { token })).status).toBe(503);
      }
      await outage.end();
      const list = await target.api('GET', `/api/v1/mailboxes/${address}/messages`, { token });
      expect(list.body).toHaveLength(0);
      expect((await target.send({ to: address, subject: 'retry me', text: 'again' })).response).toMatch(/^250 /);
      const after = await target.api('GET', `/api/v1/mailboxes/${address}/messages`, { token });
      expect(after.body.map((m: { subject: string }) => m.subject)).toEqual(['retry me']);
    } finally {
      await outage.close();
    }
  });

  it('answers 250 only after the commit: the message is readable the moment 250 arrives', async () => {
    const { address, token } = await s.anonymousMailbox();
    for (let i = 1; i <= 5; i++) {
      const sent = await s.send({ to: address, subject: `n${i}`, text: 'x' });
      expect(sent.response).toMatch(/^250 /);
      const list = await s.api('GET', `/api/v1/mailboxes/${address}/messages?limit=1`, { token });
      expect(list.body[0]).toMatchObject({ subject: `n${i}`, seq: i });
    }
  });

  it('judges each recipient on its own and stores one copy per accepted mailbox', async () => {
    const a = await s.anonymousMailbox();
    const b = await s.anonymousMailbox();
    const sent = await s.send({ to: [a.address, b.address, 'ghost@inboxd.test'], subject: 'to many', text: 'x' });
    expect(sent.accepted.sort()).toEqual([a.address, b.address].sort());
    expect(sent.rejected).toEqual(['ghost@inboxd.test']);
    for (const box of [a, b]) {
      const list = await s.api('GET', `/api/v1/mailboxes/${box.address}/messages`, { token: box.token });
      expect(list.body).toHaveLength(1);
      expect(list.body[0].subject).toBe('to many');
    }
  });

  it('delivers name+tag@domain to name@domain with the tag recorded', async () => {
    const { address, token } = await s.anonymousMailbox();
    const [local, domain] = address.split('@');
    await s.send({ to: `${local}+Signup-42@${domain}`, subject: 'tagged', text: 'x' });
    const list = await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token });
    expect(list.body[0]).toMatchObject({ subject: 'tagged', tag: 'signup-42' });
  });

  it('accepts at most the configured number of recipients, then answers 452 4.5.3', async () => {
    const boxes = await Promise.all([1, 2, 3, 4].map(() => s.anonymousMailbox()));
    const c = await session();
    await c.cmd('MAIL FROM:<a@example.com>');
    for (const b of boxes.slice(0, 3)) expect(await c.cmd(`RCPT TO:<${b.address}>`)).toMatch(/^250/);
    expect(await c.cmd(`RCPT TO:<${boxes[3]!.address}>`)).toBe('452 4.5.3 Too many recipients');
    c.close();
  });
});
