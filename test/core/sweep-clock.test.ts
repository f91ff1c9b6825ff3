// The sweeper decides expiry by the database's clock (#14 item 9): on the scale pair every node
// reads PostgreSQL's clock, so a sweeper node whose own clock runs an hour fast cannot end the
// mailboxes other nodes created an hour early. On the embedded pair the database's clock is this
// machine's. `sweep_clock=node` keeps the node's clock (what ManualClock tests use).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { startTestServer, type TestServer } from '../support/harness.js';

const HOUR = 3_600_000;
let counter = 0;

/** a mailbox as a node with a correct clock would have created it, ending at `expiresAt`. */
async function mailboxEndingAt(s: TestServer, expiresAt: number) {
  const domain = s.inboxd.config.domains[0]!;
  const address = `sweep-clock-${Date.now()}-${++counter}@${domain}`;
  return s.inboxd.core.store.createMailbox(
    { address, domain, ownerType: 'anonymous', ownerId: `anon-${counter}`, tokenHash: null, plan: 'free', group: null, expiresAt },
    { now: Date.now(), maxMailboxes: -1, quarantineMs: 0 },
  );
}

describe('a sweeper whose node clock runs an hour fast', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ sweep_clock: 'database' }, { clock: new ManualClock(Date.now() + HOUR) });
  });
  afterAll(async () => {
    await s.close();
  });

  it('reads a database clock that agrees with the real time', async () => {
    expect(Math.abs((await s.inboxd.core.store.now()) - Date.now())).toBeLessThan(5_000);
  });

  it('does not end a mailbox early, and still ends one that is due by the database clock', async () => {
    const live = await mailboxEndingAt(s, Date.now() + 30 * 60_000);
    const due = await mailboxEndingAt(s, Date.now() - 1_000);
    const result = await s.inboxd.sweeper!.tick();
    expect(result.expired).toBeGreaterThanOrEqual(1);
    expect((await s.inboxd.core.store.getMailbox(live.address))?.active).toBe(true);
    expect((await s.inboxd.core.store.getMailbox(due.address))?.active).toBe(false);
  });
});

describe('sweep_clock=node', () => {
  it('ends mailboxes by the node clock (the behaviour the database clock prevents)', async () => {
    const s = await startTestServer({ sweep_clock: 'node' }, { clock: new ManualClock(Date.now() + HOUR) });
    try {
      const live = await mailboxEndingAt(s, Date.now() + 30 * 60_000);
      await s.inboxd.sweeper!.tick();
      expect((await s.inboxd.core.store.getMailbox(live.address))?.active).toBe(false);
    } finally {
      await s.close();
    }
  });
});
