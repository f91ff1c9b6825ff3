// Fault scripts on the SES path (#16 item 1): SES has no SMTP conversation, so a `reply` or
// `disconnect` rule drops that recipient (rcpt) or the message (data) and the timeline says so;
// delay rules are skipped there, not spent. The other recipient of the same notification is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawMail, sesNotification } from './fake-aws.js';
import { type SesFixture, startSesFixture } from './fixture.js';

let f: SesFixture;
beforeAll(async () => {
  f = await startSesFixture();
});
afterAll(async () => {
  await f?.close();
});

const setFaults = (box: { address: string; token: string }, rules: unknown[]) =>
  f.s.api('PUT', `/api/v1/mailboxes/${box.address}/faults`, { token: box.token, body: { rules } });

async function timeline(box: { address: string; token: string }): Promise<any[]> {
  await f.s.inboxd.timeline.flush();
  return (await f.s.api('GET', `/api/v1/mailboxes/${box.address}/deliveries`, { token: box.token })).body;
}

describe('SES webhook: fault scripts', () => {
  it('drops the faulted recipient at rcpt and stores for the other one', async () => {
    const box = await f.s.anonymousMailbox();
    const other = await f.s.anonymousMailbox();
    // the delay comes first and is skipped on SES (not spent), so the reply answers
    await setFaults(box, [
      { stage: 'rcpt', delay_ms: 1000 },
      { stage: 'rcpt', reply: '550 5.1.1 Gone', times: 1 },
    ]);
    const res = await f.post(f.notification(sesNotification({ recipients: [box.address, other.address], raw: rawMail(box.address, 'faulted') })));
    expect(res.body).toMatchObject({ status: 'stored', refused: [{ address: box.address, reason: 'fault' }], stored: [{ address: other.address }] });
    expect(await f.messages(box)).toHaveLength(0);
    expect(await f.messages(other)).toHaveLength(1);
    const [attempt] = await timeline(box);
    expect(attempt).toMatchObject({ outcome: 'fault', source: 'ses', smtp_code: null, response: '550 5.1.1 Gone', fault: { stage: 'rcpt', used: 1 } });
    const script = (await f.s.api('GET', `/api/v1/mailboxes/${box.address}/faults`, { token: box.token })).body;
    expect(script.rules.map((r: any) => r.used)).toEqual([0, 1]);

    // spent: the next notification is stored
    const again = await f.post(f.notification(sesNotification({ recipients: [box.address], raw: rawMail(box.address, 'again') })));
    expect(again.body).toMatchObject({ status: 'stored' });
  });

  it('drops the message at data (disconnect) and records it', async () => {
    const box = await f.s.anonymousMailbox();
    await setFaults(box, [{ stage: 'data', disconnect: true, times: 1 }]);
    const res = await f.post(f.notification(sesNotification({ recipients: [box.address], raw: rawMail(box.address, 'cut') })));
    expect(res.body).toMatchObject({ status: 'refused', refused: [{ address: box.address, reason: 'fault' }] });
    expect(await f.messages(box)).toHaveLength(0);
    expect((await timeline(box))[0]).toMatchObject({ outcome: 'fault', source: 'ses', fault: { stage: 'data', disconnect: true } });
  });
});
