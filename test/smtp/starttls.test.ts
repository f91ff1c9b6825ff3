// STARTTLS is offered only with a configured certificate, and then works with a real client.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawSmtp, startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inboxd-tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  s = await startTestServer({ smtp_tls_key: key, smtp_tls_cert: cert });
});
afterAll(async () => {
  await s.close();
});

describe('STARTTLS', () => {
  it('is advertised with a configured certificate and carries a delivery', async () => {
    const c = await rawSmtp(s.smtpPort);
    await c.reply();
    expect(await c.cmd('EHLO x')).toContain('STARTTLS');
    c.close();
    const { address, token } = await s.anonymousMailbox();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: s.smtpPort, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
    const info = await transport.sendMail({ from: 'a@example.com', to: address, subject: 'over tls', text: 'x' });
    transport.close();
    expect(info.response).toMatch(/^250 /);
    const list = await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token });
    expect(list.body[0].subject).toBe('over tls');
  });
});
