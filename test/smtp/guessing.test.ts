// The recipient-guessing throttle over real SMTP (#14 item 1): unknown-recipient refusals from one
// client are slowed from half the limit on, then every RCPT is answered 421 4.7.0 until the block
// passes (ManualClock), visible in /metrics and in the timeline of a mailbox it tried to reach.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ManualClock } from '../../src/core/clock.js';
import { rawSmtp, startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
const clock = new ManualClock();
beforeAll(async () => {
  s = await startTestServer({ smtp_guess_limit: 4, smtp_guess_window: 600, smtp_guess_block: 900, smtp_guess_delay: 1 }, { clock });
});
afterAll(async () => {
  await s.close();
});

async function session() {
  const c = await rawSmtp(s.smtpPort);
  expect(await c.reply()).toMatch(/^220 /);
  expect(await c.cmd('EHLO guesser.example')).toMatch(/^250/);
  expect(await c.cmd('MAIL FROM:<guess@example.com>')).toMatch(/^250/);
  return c;
}

const guessed = (action: string) => s.inboxd.core.metrics.value('inboxd_smtp_recipient_guessing_total', { action });

describe('recipient guessing', () => {
  it('slows a client past half the limit, then answers 421 4.7.0 until the block has passed', async () => {
    const { address, token } = await s.anonymousMailbox();
    const c = await session();
    expect(await c.cmd('RCPT TO:<guess-1@inboxd.test>')).toBe('550 5.1.1 Mailbox unavailable');
    expect(guessed('slowed')).toBe(0);
    for (const n of [2, 3, 4]) expect(await c.cmd(`RCPT TO:<guess-${n}@inboxd.test>`)).toBe('550 5.1.1 Mailbox unavailable');
    expect(guessed('slowed')).toBe(3);
    // blocked now: even a real mailbox is refused, and the connection closes (421)
    expect(await c.cmd(`RCPT TO:<${address}>`)).toBe('421 4.7.0 Too many unknown recipients, try again later');
    await c.closed;
    const again = await session();
    expect(await again.cmd(`RCPT TO:<${address}>`)).toMatch(/^421 4\.7\.0 /);
    again.close();
    expect(guessed('refused')).toBe(2);

    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(/^inboxd_smtp_clients_throttled 1$/m);
    expect(metrics).toMatch(/^inboxd_smtp_recipient_guessing_total\{action="refused"\} 2$/m);

    await s.inboxd.timeline.flush();
    const timeline = (await s.api('GET', `/api/v1/mailboxes/${address}/deliveries`, { token })).body;
    expect(timeline[0]).toMatchObject({ outcome: 'refused', reason: 'too_many_unknown_recipients', smtp_code: 421, enhanced_code: '4.7.0', envelope_from: 'guess@example.com' });

    clock.advance(900_001);
    const later = await session();
    expect(await later.cmd(`RCPT TO:<${address}>`)).toMatch(/^250 /);
    later.close();
    expect((await (await fetch(`${s.url}/metrics`)).text())).toMatch(/^inboxd_smtp_clients_throttled 0$/m);
  });

  it('exempts loopback clients when told to (the development default), and is closed elsewhere', async () => {
    const t = await startTestServer({ smtp_guess_limit: 2, smtp_guess_exempt_loopback: true });
    try {
      const c = await rawSmtp(t.smtpPort);
      await c.reply();
      await c.cmd('EHLO laptop');
      await c.cmd('MAIL FROM:<a@example.com>');
      for (let n = 0; n < 6; n++) expect(await c.cmd(`RCPT TO:<nobody-${n}@inboxd.test>`)).toMatch(/^550 /);
      c.close();
    } finally {
      await t.close();
    }
    const env = (e: string) => loadConfig({ overrides: { env: e, ...(e === 'production' ? { ses_topic_arns: 'arn:aws:sns:us-east-1:123456789012:t' } : {}) } });
    expect(env('development').smtp_guess_exempt_loopback).toBe(true);
    expect(env('test').smtp_guess_exempt_loopback).toBe(false);
    expect(env('production').smtp_guess_exempt_loopback).toBe(false);
  });
});
