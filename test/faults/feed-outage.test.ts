/**
 * A bus outage in the middle of a stream, for every consumer of the event feed: the server runs
 * on the pair's store with a Redis bus of its own (a throwaway redis-server, killed by its pid and
 * restarted on its port). A message accepted while Redis is down is published nowhere; once Redis
 * is back, the bus tells the feeds, they read the store, and every consumer gets it — WebSocket,
 * SSE, a long-poll wait, and an MCP resource subscription on /mcp — without reconnecting.
 */
import { existsSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openFeeds } from '../../src/core/feed.js';
import { eventually, freePort, REDIS_SERVER, ThrowawayRedis } from '../support/fault-tools.js';
import { startTestServer, type TestServer } from '../support/harness.js';

let redis: ThrowawayRedis;
let s: TestServer;
let mcp: Client | undefined;

beforeAll(async () => {
  if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} is needed to simulate a Redis outage`);
  redis = new ThrowawayRedis(await freePort());
  await redis.start();
  s = await startTestServer({ redis_url: `redis://127.0.0.1:${redis.port}`, wait_max_timeout: 120 });
});
afterAll(async () => {
  await mcp?.close().catch(() => undefined);
  await s?.close();
  await redis?.kill();
});

it('every consumer gets the message accepted while Redis was down, once Redis is back', async () => {
  const { key: token } = await s.userWithKey('pro');
  const address = (await s.api('POST', '/api/v1/mailboxes', { token, body: {} })).body.address as string;
  const ws = await s.ws(`/ws/inbox/${address}?api_key=${token}`);
  const sse = await s.sse(`/api/v1/mailboxes/${address}/events`, { authorization: `Bearer ${token}` });
  mcp = new Client({ name: 'inboxd-test', version: '1.0.0' });
  await mcp.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  let updates = 0;
  let updated: () => void = () => undefined;
  mcp.setNotificationHandler(ResourceUpdatedNotificationSchema, () => {
    updates++;
    updated();
  });
  /** resolves once the MCP client has had `n` resource updates. */
  const mcpUpdates = (n: number) => new Promise<void>((resolve) => (updated = () => updates >= n && resolve())).then(() => updates);
  await mcp.subscribeResource({ uri: `inbox://${address}` });

  const first = mcpUpdates(1);
  await s.send({ to: address, subject: 'before', text: 'x' });
  expect((await ws.next((e) => e.event === 'new_message')).seq).toBe(1);
  expect((await sse.next((e) => e.event === 'new_message')).data.seq).toBe(1);
  expect(await first).toBe(1);
  const waiting = s.api('GET', `/api/v1/mailboxes/${address}/messages/wait?timeout=120&after_seq=1`, { token });
  await s.feedsLive('wait');

  const second = mcpUpdates(2);
  await redis.kill();
  expect(await eventually(async () => !(await s.inboxd.core.bus.healthy()), 10_000)).toBe(true);
  const sent = await s.send({ to: address, subject: 'during the outage', text: 'x' });
  expect(sent.accepted).toEqual([address]);
  await redis.start();

  expect(await ws.next((e) => e.event === 'new_message', 20_000)).toMatchObject({ seq: 2, subject: 'during the outage' });
  expect((await sse.next((e) => e.event === 'new_message', 20_000)).data).toMatchObject({ seq: 2, subject: 'during the outage' });
  // the /mcp subscription is the in-process feed: it catches up like the others
  expect(await second).toBe(2);
  const waited = await waiting;
  expect(waited.status).toBe(200);
  expect(waited.body).toMatchObject({ seq: 2, subject: 'during the outage' });
  // the streams stayed up through the outage: nothing reconnected
  expect(ws.socket.readyState).toBe(ws.socket.OPEN);
  expect(openFeeds(s.inboxd.core, 'sse')).toBe(1);
  ws.close();
  sse.close();
});
