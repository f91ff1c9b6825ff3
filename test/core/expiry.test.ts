// Expiry: exact at every read and delivery (see test/smtp/answers.test.ts), and the sweeper's
// tidy-up: mailbox_expired to open sockets (which are then closed), content purged after the
// retention period, the address kept from other owners during quarantine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
const clock = new ManualClock();
beforeAll(async () => {
  s = await startTestServer({ retention: 3600 }, { clock });
});
afterAll(async () => {
  await s.close();
});

describe('the sweeper', () => {
  it('announces mailbox_expired, closes the socket and purges content after the retention period', async () => {
    const { address, token } = await s.anonymousMailbox(2);
    const ws = await s.ws(`/ws/inbox/${address}?token=${token}`);
    // the event proves the server-side subscription is live before time moves
    await s.send({ to: address, subject: 'before expiry', text: 'x' });
    await ws.next((e) => e.event === 'new_message');

    clock.advance(2 * 60_000 + 1_000);
    const first = await s.inboxd.sweeper!.tick();
    expect(first.expired).toBeGreaterThanOrEqual(1);
    expect(await ws.next((e) => e.event === 'mailbox_expired')).toMatchObject({ address });
    expect((await ws.closed).code).toBe(1000);
    // a second tick finds nothing new to announce
    expect((await s.inboxd.sweeper!.tick()).expired).toBe(0);

    const box = await s.inboxd.core.store.getMailbox(address);
    expect(box).toMatchObject({ active: false, messageCount: 1 });
    expect((await s.api('GET', `/api/v1/mailboxes/${address}`, { token })).status).toBe(410);

    clock.advance(3600_000);
    const purge = await s.inboxd.sweeper!.tick();
    expect(purge.purgedMessages).toBe(1);
    const after = await s.inboxd.core.store.getMailbox(address);
    expect(after?.messageCount).toBe(0);
    expect(await s.inboxd.core.store.listMessages(after!.id, { limit: 10 })).toEqual([]);
  });

  it('runs on its own timer', async () => {
    const t = await startTestServer({ sweep_interval: 1 }, { clock });
    try {
      const { address } = await t.anonymousMailbox(1);
      clock.advance(61_000);
      let box = await t.inboxd.core.store.getMailbox(address);
      for (let i = 0; i < 40 && box?.active; i++) {
        await new Promise((r) => setTimeout(r, 100));
        box = await t.inboxd.core.store.getMailbox(address);
      }
      expect(box?.active).toBe(false);
    } finally {
      await t.close();
    }
  });
});
