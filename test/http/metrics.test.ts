// /metrics counts what happened and is not public.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ metrics_token: 'a-long-metrics-token-123' });
});
afterAll(async () => {
  await s.close();
});

describe('/metrics', () => {
  it('needs the token when one is set, and counts stored and refused deliveries', async () => {
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    const { address } = await s.anonymousMailbox();
    await s.send({ to: address, text: 'x' });
    await s.send({ to: [address, 'nobody@inboxd.test'], text: 'y' });
    const res = await fetch(`${s.url}/metrics`, { headers: { authorization: 'Bearer a-long-metrics-token-123' } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('inboxd_messages_stored_total{source="smtp"} 2');
    expect(text).toContain('# TYPE inboxd_bus_publish_failures_total counter');
  });
});
