// The delivery timeline over real SMTP: every refusal a recipient's sender was given appears in
// that recipient's timeline, with its structured codes (#12 item 4), including the ones the SMTP
// edge decides on its own while the message is still streaming in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawSmtp, startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ smtp_max_message_bytes: 10_000 });
});
afterAll(async () => {
  await s.close();
});

async function timeline(address: string, token: string): Promise<any[]> {
  await s.inboxd.timeline.flush();
  return (await s.api('GET', `/api/v1/mailboxes/${address}/deliveries`, { token })).body;
}

describe('delivery timeline outcomes', () => {
  it('records a message refused at the end of DATA for its size (552 5.3.4) for each of its recipients', async () => {
    const a = await s.anonymousMailbox();
    const b = await s.anonymousMailbox();
    const c = await rawSmtp(s.smtpPort);
    try {
      expect(await c.reply()).toMatch(/^220 /);
      await c.cmd('EHLO big.example');
      // no SIZE= declared: the limit is only seen while the bytes stream in
      expect(await c.cmd('MAIL FROM:<big@example.com>')).toMatch(/^250 /);
      expect(await c.cmd(`RCPT TO:<${a.address}>`)).toMatch(/^250 /);
      expect(await c.cmd(`RCPT TO:<${b.address}>`)).toMatch(/^250 /);
      expect(await c.cmd('DATA')).toMatch(/^354 /);
      c.write(`Subject: too big\r\n\r\n${'x'.repeat(76) + '\r\n'}`.repeat(200));
      expect(await c.cmd('.')).toBe('552 5.3.4 Message too large');
    } finally {
      c.close();
    }
    for (const r of [a, b]) {
      const [attempt] = await timeline(r.address, r.token);
      expect(attempt).toMatchObject({
        outcome: 'refused',
        reason: 'message_too_large',
        response: '552 5.3.4 Message too large',
        smtp_code: 552,
        enhanced_code: '5.3.4',
        source: 'smtp',
        envelope_from: 'big@example.com',
      });
      expect(attempt.size).toBeGreaterThan(10_000);
    }
    expect(s.inboxd.core.metrics.value('inboxd_deliveries_refused_total', { reason: 'message_too_large' })).toBeGreaterThanOrEqual(2);
  });

  it('keeps the codes of an accepted delivery structured', async () => {
    const a = await s.anonymousMailbox();
    await s.send({ to: a.address, subject: 'fits', text: 'small' });
    const [attempt] = await timeline(a.address, a.token);
    expect(attempt).toMatchObject({ outcome: 'accepted', reason: null, smtp_code: 250, enhanced_code: '2.0.0', message_id: expect.any(String) });
  });
});
