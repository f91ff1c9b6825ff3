// /metrics counts what happened and is not public.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/fault-tools.js';
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

  it('counts open WebSocket and SSE streams by kind, apart from the event feeds', async () => {
    const scrape = async () => (await fetch(`${s.url}/metrics`, { headers: { authorization: 'Bearer a-long-metrics-token-123' } })).text();
    const gauge = (text: string, line: string) => Number(new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1]);
    const { address, token } = await s.anonymousMailbox();
    const ws = await s.ws(`/ws/inbox/${address}?token=${token}`);
    const sse = await s.sse(`/api/v1/mailboxes/${address}/events`, { 'x-session-token': token });
    await s.feedsLive('ws');
    await s.feedsLive('sse');
    // a long-poll wait is a feed but not a stream
    const waiting = s.api('GET', `/api/v1/mailboxes/${address}/messages/wait?timeout=30`, { token });
    await s.feedsLive('wait');

    const open = await scrape();
    expect(open).toContain('# TYPE inboxd_streams_open gauge');
    expect(gauge(open, 'inboxd_streams_open{kind="ws"}')).toBe(1);
    expect(gauge(open, 'inboxd_streams_open{kind="sse"}')).toBe(1);
    expect(gauge(open, 'inboxd_event_feeds')).toBe(3);

    await s.send({ to: address, text: 'ends the wait' });
    expect((await waiting).status).toBe(200);
    ws.close();
    sse.close();
    expect(await eventually(async () => {
      const text = await scrape();
      return gauge(text, 'inboxd_streams_open{kind="ws"}') === 0 && gauge(text, 'inboxd_streams_open{kind="sse"}') === 0;
    })).toBe(true);
  });
});
