// SMTP AUTH (issue #13.2) through real nodemailer: off by default outside development, `any`
// takes any user and password (PLAIN and LOGIN, plain text on loopback), `keys` wants an active
// API key and gives its owner what the session catches, 535 5.7.8 for a wrong one with a
// per-client throttle, 530 5.7.0 when AUTH is required, 538 5.7.11 for plain text from elsewhere,
// and implicit TLS on the SMTPS port.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawSmtp, startTestServer, type TestServer } from '../support/harness.js';

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function server(overrides: Record<string, unknown>): Promise<TestServer> {
  const s = await startTestServer(overrides);
  servers.push(s);
  return s;
}

function transport(port: number, auth?: { user: string; pass: string; method?: 'PLAIN' | 'LOGIN' }) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    ...(auth ? { auth: { user: auth.user, pass: auth.pass }, authMethod: auth.method ?? 'PLAIN' } : {}),
  });
}

async function sendVia(port: number, to: string, auth?: { user: string; pass: string; method?: 'PLAIN' | 'LOGIN' }) {
  const t = transport(port, auth);
  try {
    return await t.sendMail({ from: 'app@example.com', to, subject: 'auth test', text: 'x' });
  } finally {
    t.close();
  }
}

function b64(s: string): string {
  return Buffer.from(s).toString('base64');
}

describe('the test and production default', () => {
  it('offers no AUTH and refuses it', async () => {
    const s = await server({});
    const c = await rawSmtp(s.smtpPort);
    await c.reply();
    expect(await c.cmd('EHLO x')).not.toContain('AUTH');
    expect(await c.cmd(`AUTH PLAIN ${b64('\0u\0p')}`)).toBe('500 Error: command not recognized');
    c.close();
  });
});

describe('AUTH any', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await server({ smtp_auth: 'any' });
  });

  it('advertises PLAIN and LOGIN and takes any user and password over plain text on loopback', async () => {
    const c = await rawSmtp(s.smtpPort);
    await c.reply();
    expect(await c.cmd('EHLO x')).toContain('AUTH PLAIN LOGIN');
    c.close();
    for (const method of ['PLAIN', 'LOGIN'] as const) {
      const { address, token } = await s.anonymousMailbox();
      const info = await sendVia(s.smtpPort, address, { user: 'whoever', pass: 'whatever', method });
      expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued as /);
      expect((await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token })).body).toHaveLength(1);
    }
  });

  it('does not need AUTH to deliver to an existing mailbox', async () => {
    const { address } = await s.anonymousMailbox();
    expect((await sendVia(s.smtpPort, address)).response).toMatch(/^250 /);
  });

  it('refuses plain-text AUTH from a client that is not on loopback with 538 5.7.11', async () => {
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4');
    expect(outside, 'this test needs a non-loopback IPv4 interface').toBeTruthy();
    const wide = await server({ smtp_auth: 'any', smtp_host: '0.0.0.0' });
    const c = await rawSmtp(wide.smtpPort, outside!.address);
    await c.reply();
    await c.cmd('EHLO x');
    expect(await c.cmd(`AUTH PLAIN ${b64('\0u\0p')}`)).toBe('538 5.7.11 Encryption required for requested authentication mechanism');
    c.close();
  });
});

describe('AUTH keys', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await server({ smtp_auth: 'keys', catch_all: 'any', smtp_auth_failures_per_minute: 3 });
  });

  it('takes an active API key as the password, and the key owner owns what the session catches', async () => {
    const { key } = await s.userWithKey('pro');
    const address = `caught-${Date.now()}@anywhere.example`;
    const info = await sendVia(s.smtpPort, address, { user: 'app', pass: key });
    expect(info.accepted).toEqual([address]);
    const box = await s.api('GET', `/api/v1/mailboxes/${address}`, { token: key });
    expect(box.status).toBe(200);
    expect(box.body.group).toBe('catch-all');
    const list = await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token: key });
    expect(list.body[0].subject).toBe('auth test');
    const other = await s.userWithKey('pro');
    expect((await s.api('GET', `/api/v1/mailboxes/${address}`, { token: other.key })).status).toBe(403);
  });

  it('answers a wrong password with 535 5.7.8, then throttles the client with 421 4.7.0', async () => {
    const c = await rawSmtp(s.smtpPort);
    await c.reply();
    await c.cmd('EHLO x');
    for (let i = 0; i < 3; i++) expect(await c.cmd(`AUTH PLAIN ${b64('\0app\0not-a-key')}`)).toBe('535 5.7.8 Authentication credentials invalid');
    expect(await c.cmd(`AUTH PLAIN ${b64('\0app\0not-a-key')}`)).toBe('421 4.7.0 Too many failed authentications, try again later');
    await c.closed;
    // the throttle is per client address, across connections, even for a right key
    const { key } = await s.userWithKey('pro');
    const again = await rawSmtp(s.smtpPort);
    await again.reply();
    await again.cmd('EHLO x');
    expect(await again.cmd(`AUTH PLAIN ${b64(`\0app\0${key}`)}`)).toBe('421 4.7.0 Too many failed authentications, try again later');
    again.close();
  });
});

describe('AUTH required', () => {
  it('refuses MAIL without AUTH with 530 5.7.0, and delivers after AUTH', async () => {
    const s = await server({ smtp_auth: 'any', smtp_auth_required: true });
    const { address, token } = await s.anonymousMailbox();
    const c = await rawSmtp(s.smtpPort);
    await c.reply();
    await c.cmd('EHLO x');
    expect(await c.cmd('MAIL FROM:<a@example.com>')).toBe('530 5.7.0 Authentication required');
    c.close();
    expect((await sendVia(s.smtpPort, address, { user: 'u', pass: 'p' })).response).toMatch(/^250 /);
    expect((await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token })).body).toHaveLength(1);
  });
});

describe('implicit TLS (SMTPS)', () => {
  it('listens on the SMTPS port with the configured certificate and takes AUTH over it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inboxd-smtps-'));
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    const s = await server({ smtp_tls_key: key, smtp_tls_cert: cert, smtps_port: 0, smtp_auth: 'any' });
    const port = s.inboxd.smtp!.securePort!;
    expect(port).toBeGreaterThan(0);
    const { address, token } = await s.anonymousMailbox();
    const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: true, auth: { user: 'u', pass: 'p' }, tls: { rejectUnauthorized: false } });
    const info = await t.sendMail({ from: 'a@example.com', to: address, subject: 'over smtps', text: 'x' });
    t.close();
    expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued as /);
    expect((await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token })).body[0].subject).toBe('over smtps');
  });
});
