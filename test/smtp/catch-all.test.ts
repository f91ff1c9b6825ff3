// Catch-all (issue #13.1): closed by default outside development (550 for unknown recipients);
// `any` on the development default, where an app with any SMTP user and password delivers to any
// address and loopback clients read it without credentials; `domains` with an owner; quarantine
// respected; a wait on an address that does not exist yet.
import nodemailer from 'nodemailer';
import { networkInterfaces } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { hashSecret, newApiKey } from '../../src/core/tokens.js';
import { rawSmtp, startTestServer, type TestServer } from '../support/harness.js';

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function server(overrides: Record<string, unknown>, opts: { seededPlans?: boolean } = {}): Promise<TestServer> {
  const s = await startTestServer(overrides, opts);
  servers.push(s);
  return s;
}

let n = 0;
const unique = (domain: string) => `box${++n}-${Date.now()}@${domain}`;

async function sendAs(s: TestServer, to: string, subject: string, auth?: { user: string; pass: string }) {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: s.smtpPort, secure: false, ignoreTLS: true, ...(auth ? { auth } : {}) });
  try {
    return await t.sendMail({ from: 'app@example.com', to, subject, text: 'hello from the app' });
  } finally {
    t.close();
  }
}

async function rcpt(s: TestServer, to: string): Promise<string> {
  const c = await rawSmtp(s.smtpPort);
  await c.reply();
  await c.cmd('EHLO x');
  await c.cmd('MAIL FROM:<a@example.com>');
  const r = await c.cmd(`RCPT TO:<${to}>`);
  c.close();
  return r;
}

async function keyFor(s: TestServer, email: string): Promise<string> {
  const user = await s.inboxd.core.store.getUserByEmail(email);
  const { key, prefix } = newApiKey();
  await s.inboxd.core.store.createApiKey({ userId: user!.id, name: 't', keyHash: hashSecret(key), prefix });
  return key;
}

describe('production defaults stay closed', () => {
  it('answers 550 5.1.1 for an unknown recipient and offers no AUTH', async () => {
    const s = await server({ env: 'production', ses_topic_arns: 'arn:aws:sns:us-east-1:123456789012:inbound' });
    expect(await rcpt(s, unique('inboxd.test'))).toBe('550 5.1.1 Mailbox unavailable');
    expect(await rcpt(s, unique('elsewhere.example'))).toBe('550 5.1.1 Mailbox unavailable');
    const c = await rawSmtp(s.smtpPort);
    await c.reply();
    expect(await c.cmd('EHLO x')).not.toContain('AUTH');
    c.close();
  });
});

describe('the development default (catch-all any, AUTH any, no owner)', () => {
  it('takes mail from an app with any SMTP user and password to any address, readable over REST and waits from loopback', { timeout: 120_000 }, async () => {
    const s = await server({ env: 'development' }, { seededPlans: true });
    const address = unique('random-domain.example');
    const path = `/api/v1/mailboxes/${address}`;
    // a wait on the address before anything was sent to it, over REST and by `inboxd wait` (no credentials)
    const waiting = s.api('GET', `${path}/messages/wait?timeout=60`);
    const { runInboxd } = await import('../support/run-cli.js');
    const cli = runInboxd(['wait', address, '--timeout', '60', '--json'], { INBOXD_URL: s.url, INBOXD_API_KEY: '', INBOXD_TOKEN: '' }, 90_000);
    const until = Date.now() + 60_000;
    while ((await s.api('GET', path)).status !== 200 && Date.now() < until) await new Promise((r) => setImmediate(r));
    const info = await sendAs(s, address, 'first try', { user: 'myapp', pass: 'secret' });
    expect(info.accepted).toEqual([address]);
    expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued as \S+$/);
    const waited = await waiting;
    expect(waited.status).toBe(200);
    expect(waited.body.subject).toBe('first try');
    const r = await cli;
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).subject).toBe('first try');

    const box = await s.api('GET', path);
    expect(box.status).toBe(200);
    expect(box.body.group).toBe('catch-all');
    expect(Math.round((Date.parse(box.body.expires_at) - Date.now()) / 60_000)).toBe(1440);
    const list = await s.api('GET', `${path}/messages`);
    expect(list.body.map((m: { subject: string }) => m.subject)).toEqual(['first try']);
    const all = await s.api('GET', '/api/v1/mailboxes?group=catch-all');
    expect(all.body.map((m: { address: string }) => m.address)).toContain(address);

    // a second message to the same address lands in the same mailbox
    await sendAs(s, address, 'second');
    expect((await s.api('GET', `${path}/messages`)).body).toHaveLength(2);
    // anonymous mailboxes created by API stay private to their token
    const { address: own } = await s.anonymousMailbox();
    expect((await s.api('GET', `/api/v1/mailboxes/${own}`)).status).toBe(401);
  });

  it('keeps caught mailboxes from clients that are not on loopback', async () => {
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4');
    expect(outside, 'this test needs a non-loopback IPv4 interface').toBeTruthy();
    const s = await server({ env: 'development', http_host: '0.0.0.0' }, { seededPlans: true });
    const address = unique('somewhere.example');
    await sendAs(s, address, 'private');
    const port = new URL(s.url).port;
    const res = await fetch(`http://${outside!.address}:${port}/api/v1/mailboxes/${address}/messages`);
    expect(res.status).toBe(401);
    expect((await s.api('GET', `/api/v1/mailboxes/${address}/messages`)).status).toBe(200);
  });
});

describe('catch-all domains with an owner', () => {
  it('catches any local part at our domains for the owner, refuses other domains, honours quarantine', async () => {
    const s = await server({ catch_all: 'domains', catch_all_owner: 'catcher@example.com', catch_all_ttl_minutes: 30 });
    expect(await rcpt(s, unique('elsewhere.example'))).toBe('550 5.1.1 Mailbox unavailable');

    const address = unique('inboxd.test');
    expect((await sendAs(s, address, 'to the owner')).accepted).toEqual([address]);
    const key = await keyFor(s, 'catcher@example.com');
    const box = await s.api('GET', `/api/v1/mailboxes/${address}`, { token: key });
    expect(box.status).toBe(200);
    expect(box.body.owner_type).toBe('api');
    expect(Math.round((Date.parse(box.body.expires_at) - Date.now()) / 60_000)).toBe(30);
    expect((await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token: key })).body[0].subject).toBe('to the owner');
    // outside development nobody reads a caught mailbox without credentials, nor follows caught mail
    expect((await s.api('GET', `/api/v1/mailboxes/${address}/messages`)).status).toBe(401);
    const follow = await s.api('GET', '/api/v1/catch-all/events');
    expect(follow.status).toBe(401);
    expect(follow.body.error).toBe('unauthorized');

    // an address another owner used is quarantined: never caught
    const mine = await s.anonymousMailbox();
    expect((await s.api('DELETE', `/api/v1/mailboxes/${mine.address}`, { token: mine.token })).status).toBe(204);
    expect(await rcpt(s, mine.address)).toBe('550 5.1.1 Mailbox unavailable');
  });

  it('lets the owner wait on an address nothing was sent to yet, through the CLI', async () => {
    const s = await server({ catch_all: 'domains', catch_all_owner: 'waiter@example.com' });
    await sendAs(s, unique('inboxd.test'), 'creates the owner');
    const key = await keyFor(s, 'waiter@example.com');
    const address = unique('inboxd.test');
    const { runInboxd } = await import('../support/run-cli.js');
    const cli = runInboxd(['wait', address, '--timeout', '60', '--json'], { INBOXD_URL: s.url, INBOXD_API_KEY: key, INBOXD_TOKEN: '' }, 90_000);
    // the wait has made the mailbox exist before the message is sent
    const until = Date.now() + 60_000;
    while ((await s.api('GET', `/api/v1/mailboxes/${address}`, { token: key })).status !== 200 && Date.now() < until) await new Promise((r) => setImmediate(r));
    await sendAs(s, address, 'for the waiting cli');
    const r = await cli;
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).subject).toBe('for the waiting cli');
  }, 120_000);
});

describe('reserved local parts are never caught (#14 item 9)', () => {
  it('answers 550 5.1.1 for postmaster@, abuse@… at our domains, creates nothing, and still catches other names', async () => {
    const s = await server({ catch_all: 'domains', catch_all_owner: 'reserved-catcher@example.com' });
    const { RESERVED_LOCAL_PARTS } = await import('../../src/core/addresses.js');
    // with a +tag and in any letter case too: the mailbox would be the reserved one
    const reserved = [...[...RESERVED_LOCAL_PARTS].map((l) => `${l}@inboxd.test`), 'PostMaster@inboxd.test', 'abuse+reports@inboxd.test'];
    for (const address of reserved) {
      expect({ address, reply: await rcpt(s, address) }).toEqual({ address, reply: '550 5.1.1 Mailbox unavailable' });
      expect(await s.inboxd.core.store.getMailbox(address.toLowerCase().replace(/\+[^@]*/, ''))).toBeNull();
    }
    const ordinary = unique('inboxd.test');
    expect((await sendAs(s, ordinary, 'still caught')).accepted).toEqual([ordinary]);

    // a wait by the owner's key does not make one exist either (the API refuses to create it too)
    const key = await keyFor(s, 'reserved-catcher@example.com');
    const wait = await s.api('GET', '/api/v1/mailboxes/postmaster@inboxd.test/messages/wait?timeout=1', { token: key });
    expect(wait.status).toBe(404);
    expect(await s.inboxd.core.store.getMailbox('postmaster@inboxd.test')).toBeNull();
    expect((await s.api('POST', '/api/v1/mailboxes', { token: key, body: { local_part: 'postmaster' } })).body.error).toBe('address_reserved');
  });

  it('in any mode still catches them at other domains (they are not ours to protect)', async () => {
    const s = await server({ catch_all: 'any', catch_all_owner: 'any-catcher@example.com' });
    expect(await rcpt(s, 'postmaster@inboxd.test')).toBe('550 5.1.1 Mailbox unavailable');
    const foreign = `admin@shop-${Date.now()}.example`;
    expect((await sendAs(s, foreign, 'admin notification of the app under test')).accepted).toEqual([foreign]);
  });
});
