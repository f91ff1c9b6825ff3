// Real clients are sloppy where it does not matter: a MAIL parameter repeated with the same value
// is accepted (smtplib sends SMTPUTF8 twice), UTF-8 local parts work end to end while SMTPUTF8 is
// advertised, and the 250 after DATA names what was stored (issue #13.3).
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawSmtp, startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

async function session() {
  const c = await rawSmtp(s.smtpPort);
  expect(await c.reply()).toMatch(/^220 /);
  const ehlo = await c.cmd('EHLO client.example');
  expect(ehlo).toContain('SMTPUTF8');
  expect(ehlo).toContain('8BITMIME');
  return c;
}

describe('repeated MAIL parameters', () => {
  it('accepts SMTPUTF8 twice and BODY=8BITMIME twice, and stores the message', async () => {
    const { address, token } = await s.anonymousMailbox();
    const c = await session();
    expect(await c.cmd('MAIL FROM:<a@example.com> SMTPUTF8 SMTPUTF8 BODY=8BITMIME BODY=8BITMIME')).toBe('250 Accepted');
    expect(await c.cmd(`RCPT TO:<${address}>`)).toBe('250 Accepted');
    expect(await c.cmd('DATA')).toMatch(/^354/);
    const done = await c.cmd(`From: a@example.com\r\nTo: ${address}\r\nSubject: twice\r\n\r\nhi\r\n.`);
    const list = await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token });
    expect(list.body[0].subject).toBe('twice');
    expect(done).toBe(`250 2.0.0 Ok: queued as ${list.body[0].id}`);
    c.close();
  });

  it('still refuses a parameter repeated with a different value', async () => {
    const c = await session();
    expect(await c.cmd('MAIL FROM:<a@example.com> BODY=8BITMIME BODY=7BIT')).toBe('501 Error: duplicate BODY parameter');
    c.close();
  });
});

describe('the reply after DATA', () => {
  it('names every stored id: 250 2.0.0 Ok: queued as <id>, <id>', async () => {
    const a = await s.anonymousMailbox();
    const b = await s.anonymousMailbox();
    const info = await s.send({ to: [a.address, b.address], subject: 'two copies', text: 'x' });
    const ida = (await s.api('GET', `/api/v1/mailboxes/${a.address}/messages`, { token: a.token })).body[0].id;
    const idb = (await s.api('GET', `/api/v1/mailboxes/${b.address}/messages`, { token: b.token })).body[0].id;
    expect(info.response).toBe(`250 2.0.0 Ok: queued as ${ida}, ${idb}`);
  });
});

describe('UTF-8 local parts (SMTPUTF8 advertised)', () => {
  it('creates by API, takes RCPT from nodemailer, reads and waits on a UTF-8 address', async () => {
    const { key } = await s.userWithKey('pro');
    const created = await s.api('POST', '/api/v1/mailboxes', { token: key, body: { local_part: 'Jürgen.用户' } });
    expect(created.status).toBe(201);
    expect(created.body.address).toBe('jürgen.用户@inboxd.test');
    const address = created.body.address as string;
    const path = `/api/v1/mailboxes/${encodeURIComponent(address)}`;

    const waiting = s.api('GET', `${path}/messages/wait?timeout=20`, { token: key });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: s.smtpPort, secure: false, ignoreTLS: true });
    // nodemailer sends MAIL FROM … SMTPUTF8 when an address is not ASCII
    const info = await transport.sendMail({ from: 'zoë@example.com', to: 'Jürgen.用户@inboxd.test', subject: 'grüße', text: 'héllo' });
    transport.close();
    expect(info.accepted).toEqual(['Jürgen.用户@inboxd.test']);
    expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued as \S+$/);

    const waited = await waiting;
    expect(waited.status).toBe(200);
    expect(waited.body.subject).toBe('grüße');
    const list = await s.api('GET', `${path}/messages`, { token: key });
    expect(list.body).toHaveLength(1);
    const read = await s.api('GET', `${path}/messages/${list.body[0].id}`, { token: key });
    expect(read.body.body_text).toContain('héllo');
    expect(read.body.from).toBe('zoë@example.com');
  });
});
