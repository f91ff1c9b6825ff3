// The SMTP limits of DESIGN "Limits and hardening": connection caps, idle timeout, an absolute
// session deadline against drip-feeding, and a client that vanishes mid-DATA.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawSmtp, startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ smtp_max_clients_per_ip: 3, smtp_idle_timeout: 1, smtp_session_timeout: 2 });
});
afterAll(async () => {
  await s.close();
});

describe('SMTP limits', () => {
  it('refuses a client over the per-address connection cap with 421 4.7.0, and takes it again once one leaves', async () => {
    const open = await Promise.all([1, 2, 3].map(() => rawSmtp(s.smtpPort)));
    for (const c of open) expect(await c.reply()).toMatch(/^220 /);
    const extra = await rawSmtp(s.smtpPort);
    expect(await extra.reply()).toBe('421 4.7.0 Too many connections, try again later');
    await extra.closed;
    open[0]!.close();
    await open[0]!.closed;
    // onClose runs on the next tick on the server
    await new Promise((r) => setTimeout(r, 50));
    const again = await rawSmtp(s.smtpPort);
    expect(await again.reply()).toMatch(/^220 /);
    again.close();
    open.slice(1).forEach((c) => c.close());
    // leave no connection counted against 127.0.0.1 for the next test
    await Promise.all([again, ...open.slice(1)].map((c) => c.closed));
    await new Promise((r) => setTimeout(r, 50));
  });

  it('closes a silent client after the idle timeout', async () => {
    const c = await rawSmtp(s.smtpPort);
    expect(await c.reply()).toMatch(/^220 /);
    const reply = await c.reply(5_000);
    expect(reply).toMatch(/^421 /);
    expect(reply).not.toMatch(/4\.7\.0/);
    await c.closed;
  });

  it('cuts off a client that drips one byte at a time at the session deadline', async () => {
    const { address } = await s.anonymousMailbox();
    const c = await rawSmtp(s.smtpPort);
    expect(await c.reply()).toMatch(/^220 /);
    await c.cmd('EHLO drip');
    await c.cmd('MAIL FROM:<a@example.com>');
    await c.cmd(`RCPT TO:<${address}>`);
    expect(await c.cmd('DATA')).toMatch(/^354/);
    let closed = false;
    void c.closed.then(() => (closed = true));
    // 0.3 s between bytes keeps the idle timer (1 s) happy; only the deadline (2 s) can end this
    for (let i = 0; i < 40 && !closed; i++) {
      c.write('x');
      await new Promise((r) => setTimeout(r, 300));
    }
    // closed before the 40 bytes ran out: the deadline, not the client, ended it
    expect(closed).toBe(true);
    // the server is still healthy for everybody else
    expect((await s.send({ to: address, subject: 'after drip', text: 'ok' })).response).toMatch(/^250 /);
  });

  it('keeps nothing from a client that disconnects mid-DATA, and stays responsive', async () => {
    const { address, token } = await s.anonymousMailbox();
    const c = await rawSmtp(s.smtpPort);
    await c.reply();
    await c.cmd('EHLO vanish');
    await c.cmd('MAIL FROM:<a@example.com>');
    await c.cmd(`RCPT TO:<${address}>`);
    await c.cmd('DATA');
    c.write('Subject: half\r\n\r\nonly half of a messa');
    c.close();
    await c.closed;
    expect((await s.send({ to: address, subject: 'whole', text: 'ok' })).response).toMatch(/^250 /);
    const list = await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token });
    expect(list.body.map((m: { subject: string }) => m.subject)).toEqual(['whole']);
    const health = await s.api('GET', '/health');
    expect(health.body).toMatchObject({ status: 'ok', db: 'ok', bus: 'ok' });
  });
});
