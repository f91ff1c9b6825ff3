// Limits that suit a test suite on a laptop (issue #13.5): on the development default, a suite
// that creates one anonymous mailbox per test from loopback is never refused; elsewhere the
// plan's cap holds, and the 429 says what to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';

describe('the development default', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: 'development' }, { seededPlans: true });
  });
  afterAll(async () => {
    await s.close();
  });

  it('lets a 200-test suite create one anonymous mailbox per test from loopback', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) statuses.push((await s.api('POST', '/api/v1/mailboxes')).status);
    expect(statuses.filter((x) => x !== 201)).toEqual([]);
    expect((await s.inboxd.core.store.getPlan('free'))?.maxMailboxes).toBe(10);
  });
});

describe('test and production defaults', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({}, { seededPlans: true });
  });
  afterAll(async () => {
    await s.close();
  });

  it('keep the anonymous cap, and the 429 says how to get past it', async () => {
    for (let i = 0; i < 10; i++) expect((await s.api('POST', '/api/v1/mailboxes')).status).toBe(201);
    const res = await s.api('POST', '/api/v1/mailboxes');
    expect(res.status).toBe(429);
    expect(res.body.error).toBe('quota_exceeded');
    expect(res.body.message).toMatch(/limit of 10 active mailboxes reached: delete mailboxes you no longer need .*or create them with an API key/);
    expect(res.headers.get('retry-after')).toBeTruthy();
  });

  it('tells a key owner at the cap to delete mailboxes or raise the plan', async () => {
    const plan = await s.inboxd.core.store.createPlan({ name: 'one', maxMailboxes: 1, maxMessagesPerMailbox: 5, defaultTtlMinutes: 10, maxTtlMinutes: 10, maxMessageBytes: 10_000 });
    const { key } = await s.userWithKey(plan.name);
    expect((await s.api('POST', '/api/v1/mailboxes', { token: key })).status).toBe(201);
    const res = await s.api('POST', '/api/v1/mailboxes', { token: key });
    expect(res.status).toBe(429);
    expect(res.body.message).toMatch(/delete mailboxes you no longer need .*raise the plan's cap \(inboxd admin plans update --name one --max-mailboxes N\)/);
  });
});
