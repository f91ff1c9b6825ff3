/**
 * Many streams catching up at once after a Redis outage (#14 item 9: the PostgreSQL pool ran dry,
 * 136 connect timeouts). 150 streams (WebSocket and SSE) are open on 25 mailboxes when the
 * server's own Redis is killed; a message is accepted meanwhile; when Redis comes back, every
 * feed reads the store at the same moment. Those reads queue behind feed_read_concurrency instead
 * of at a small pool with a short connect timeout, so no stream ends with storage_unavailable
 * and every one of them gets the message.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openFeeds } from '../../src/core/feed.js';
import { eventually, freePort, REDIS_SERVER, ThrowawayRedis } from '../support/fault-tools.js';
import { type SseClient, startTestServer, type TestServer, testPair, type WsClient } from '../support/harness.js';
import { CuttableProxy } from '../support/tcp-proxy.js';

const MAILBOXES = 25;
const STREAMS_PER_KIND = 3;

let redis: ThrowawayRedis;
let proxy: CuttableProxy | undefined;
let s: TestServer;
const ws: WsClient[] = [];
const sse: SseClient[] = [];

beforeAll(async () => {
  if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} is needed to simulate a Redis outage`);
  redis = new ThrowawayRedis(await freePort());
  await redis.start();
  // on the scale pair PostgreSQL is reached through a proxy that adds 5 ms to every reply, as a
  // database a network away does: a pile of reads then outlasts the pool's connect timeout
  const viaProxy: Record<string, string> = {};
  if (testPair() === 'scale') {
    const target = new URL(process.env.INBOXD_TEST_DATABASE_URL!);
    proxy = new CuttableProxy(target.hostname || '127.0.0.1', Number(target.port || 5432), 5);
    await proxy.open();
    target.hostname = '127.0.0.1';
    target.port = String(proxy.port);
    viaProxy.database_url = target.toString();
  }
  s = await startTestServer({
    ...viaProxy,
    redis_url: `redis://127.0.0.1:${redis.port}`,
    // the smallest pool, and a connect timeout short enough that reads piling up at it fail
    database_pool_size: 2,
    database_connect_timeout: 300,
    feed_read_concurrency: 1,
  });
});
afterAll(async () => {
  for (const c of ws) c.close();
  for (const c of sse) c.close();
  await s?.close();
  await redis?.kill();
  await proxy?.cut();
});

it('150 streams all get the message accepted during a Redis outage, none ending in storage_unavailable', { timeout: 120_000 }, async () => {
  const { key: token } = await s.userWithKey('pro');
  const addresses: string[] = [];
  for (let i = 0; i < MAILBOXES; i++) {
    const res = await s.api('POST', '/api/v1/mailboxes', { token, body: {} });
    expect(res.status).toBe(201);
    addresses.push(res.body.address as string);
  }
  // opened a mailbox at a time: the storm under test is the resync, not the opening
  for (const address of addresses) {
    const opened = await Promise.all([
      ...Array.from({ length: STREAMS_PER_KIND }, () => s.ws(`/ws/inbox/${address}?api_key=${token}`)),
      ...Array.from({ length: STREAMS_PER_KIND }, () => s.sse(`/api/v1/mailboxes/${address}/events`, { authorization: `Bearer ${token}` })),
    ]);
    ws.push(...(opened.slice(0, STREAMS_PER_KIND) as WsClient[]));
    sse.push(...(opened.slice(STREAMS_PER_KIND) as SseClient[]));
  }
  await s.feedsLive('ws', MAILBOXES * STREAMS_PER_KIND, 30_000);
  await s.feedsLive('sse', MAILBOXES * STREAMS_PER_KIND, 30_000);

  await redis.kill();
  expect(await eventually(async () => !(await s.inboxd.core.bus.healthy()), 10_000)).toBe(true);
  const sent = await s.send({ to: addresses, subject: 'during the outage', text: 'x' });
  expect(sent.accepted.sort()).toEqual([...addresses].sort());
  await redis.start();

  const got = await Promise.allSettled([
    ...ws.map((c) => c.next((e) => e.event === 'new_message', 60_000).then((e) => e.seq as number)),
    ...sse.map((c) => c.next((e) => e.event === 'new_message', 60_000).then((e) => e.data.seq as number)),
  ]);
  const missed = got.filter((r) => r.status === 'rejected').length;
  expect(missed).toBe(0);
  expect(got.every((r) => r.status === 'fulfilled' && r.value === 1)).toBe(true);
  // no feed failed: every socket is still open and every SSE feed still live
  expect(ws.filter((c) => c.socket.readyState !== c.socket.OPEN)).toHaveLength(0);
  expect(openFeeds(s.inboxd.core, 'ws')).toBe(MAILBOXES * STREAMS_PER_KIND);
  expect(openFeeds(s.inboxd.core, 'sse')).toBe(MAILBOXES * STREAMS_PER_KIND);
});
