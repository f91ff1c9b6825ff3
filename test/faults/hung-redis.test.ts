// A hung Redis (SIGSTOPped: sockets open, nothing answered) must not hold up SMTP: the 250
// depends on the commit only (#14 item 9), and the event follows once Redis answers again.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedisBus, type RedisBus } from '../../src/bus/redis.js';
import { eventually, freePort, ThrowawayRedis } from '../support/fault-tools.js';
import { startTestServer, type TestServer } from '../support/harness.js';
import { describeScale, uniqueName, useFreshSchema } from '../support/scale-env.js';

describeScale(['INBOXD_TEST_DATABASE_URL', 'INBOXD_TEST_REDIS_URL'], 'hung Redis', (urls) => {
  const schema = useFreshSchema(urls.INBOXD_TEST_DATABASE_URL);
  let redis: ThrowawayRedis;
  let bus: RedisBus;
  let s: TestServer;

  beforeAll(async () => {
    redis = new ThrowawayRedis(await freePort());
    await redis.start();
    // a publish waits up to a minute here, far past the test's own timeout: a 250 that waited
    // for it could never arrive in time
    bus = await createRedisBus({ url: `redis://127.0.0.1:${redis.port}`, keyPrefix: `${uniqueName('hung')}:`, commandTimeoutMs: 60_000 });
    s = await startTestServer({ database_url: urls.INBOXD_TEST_DATABASE_URL, database_schema: schema, database_pool_size: 4 }, { bus });
  });
  afterAll(async () => {
    redis?.resume();
    await s?.close();
    await redis?.kill();
  });

  it('answers 250 after the commit while the publish is still waiting on Redis, and the message is readable', async () => {
    const { address, token } = await s.anonymousMailbox();
    const failed = s.inboxd.core.metrics.value('inboxd_bus_publish_failures_total');
    redis.pause();
    try {
      const sent = await s.send({ to: address, subject: 'while redis hangs', text: 'x' });
      expect(sent.response).toMatch(/^250 /);
      // the publish neither succeeded nor failed yet: the answer did not wait for it
      expect(s.inboxd.core.metrics.value('inboxd_bus_publish_failures_total')).toBe(failed);
      const list = await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token });
      expect(list.body.map((m: { subject: string }) => m.subject)).toEqual(['while redis hangs']);
    } finally {
      redis.resume();
    }
    // once Redis answers, the held publish goes through (no failure counted)
    expect(await eventually(async () => bus.healthy(), 10_000)).toBe(true);
    expect(s.inboxd.core.metrics.value('inboxd_bus_publish_failures_total')).toBe(failed);
  });
});
