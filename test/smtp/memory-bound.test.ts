// Concurrent large messages cannot take the process out of memory (#14 item 8): the DATA bytes
// held by all sessions together are bounded; a message that would pass the bound is answered
// 451 4.3.0 (server_busy, the sender retries), the others are stored, and the bytes are released.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/fault-tools.js';
import { rawSmtp, startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ smtp_max_buffered_bytes: 100_000, smtp_max_message_bytes: 80_000 });
});
afterAll(async () => {
  await s.close();
});

const held = () => Number(/^inboxd_smtp_buffered_bytes (\d+)$/m.exec(s.inboxd.core.metrics.render())?.[1] ?? NaN);
const body = (n: number) => `${'y'.repeat(78)}\r\n`.repeat(Math.ceil(n / 80));

describe('bytes buffered across SMTP sessions', () => {
  it('answers 451 4.3.0 to the message that would pass the bound, stores the others, and releases every byte', async () => {
    const a = await s.anonymousMailbox();
    const b = await s.anonymousMailbox();
    const first = await rawSmtp(s.smtpPort);
    await first.reply();
    await first.cmd('EHLO first');
    await first.cmd('MAIL FROM:<first@example.com>');
    expect(await first.cmd(`RCPT TO:<${a.address}>`)).toMatch(/^250/);
    expect(await first.cmd('DATA')).toMatch(/^354/);
    first.write(`Subject: first\r\n\r\n${body(60_000)}`);
    // the first message sits in memory, unfinished
    expect(await eventually(() => held() >= 60_000)).toBe(true);

    await expect(s.send({ to: b.address, subject: 'second', text: body(60_000) })).rejects.toThrow(/451 4\.3\.0 Server busy/);
    expect(held()).toBeGreaterThanOrEqual(60_000);
    expect(held()).toBeLessThanOrEqual(100_000);

    expect(await first.cmd('.')).toMatch(/^250 /);
    first.close();
    expect(await eventually(() => held() === 0)).toBe(true);
    // the sender's retry goes through once there is room
    expect((await s.send({ to: b.address, subject: 'second', text: body(60_000) })).response).toMatch(/^250 /);
    expect(held()).toBe(0);

    await s.inboxd.timeline.flush();
    const timeline = (await s.api('GET', `/api/v1/mailboxes/${b.address}/deliveries`, { token: b.token })).body;
    expect(timeline.map((t: any) => [t.outcome, t.reason, t.smtp_code])).toEqual([
      ['accepted', null, 250],
      ['refused', 'server_busy', 451],
    ]);
  });

  it('releases the bytes of a client that vanishes mid-DATA', async () => {
    const a = await s.anonymousMailbox();
    const c = await rawSmtp(s.smtpPort);
    await c.reply();
    await c.cmd('EHLO vanish');
    await c.cmd('MAIL FROM:<v@example.com>');
    await c.cmd(`RCPT TO:<${a.address}>`);
    await c.cmd('DATA');
    c.write(`Subject: half\r\n\r\n${body(50_000)}`);
    expect(await eventually(() => held() >= 50_000)).toBe(true);
    c.close();
    expect(await eventually(() => held() === 0)).toBe(true);
  });
});
