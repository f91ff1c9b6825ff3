// How webhooks behave when receivers misbehave (#15 items 1-2): a receiver down then up loses
// nothing and sees first attempts in seq order; a dead endpoint is disabled after the last retry
// with the reason shown, and PATCH enabled:true sends what was queued; a slow receiver holds up
// only its own endpoint; a receiver that never answers is cut at the total timeout, a TLS
// handshake that never ends at the connect timeout; test and replay. Time moves on a ManualClock.
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { eventually } from '../support/fault-tools.js';
import { startTestServer, type TestServer } from '../support/harness.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

let s: TestServer;
let clock: ManualClock;
beforeAll(async () => {
  clock = new ManualClock();
  s = await startTestServer({ webhook_timeout: 1500, webhook_connect_timeout: 500 }, { clock });
});
afterAll(async () => {
  await s?.close();
});

async function ownerWithMailbox() {
  const user = await s.userWithKey('pro');
  // the tests move the clock by days: the mailbox must outlive them
  const box = await s.api('POST', '/api/v1/mailboxes', { token: user.key, body: { ttl_minutes: 10 * 24 * 60 } });
  return { key: user.key, address: box.body.address as string };
}

async function hook(key: string, url: string, body: Record<string, unknown> = {}) {
  const res = await s.api('POST', '/api/v1/webhooks', { token: key, body: { url, ...body } });
  expect(res.status).toBe(201);
  return res.body;
}

const attempts = async (key: string, id: string) => (await s.api('GET', `/api/v1/webhooks/${id}/attempts?limit=200`, { token: key })).body as any[];

/** a TCP server that accepts connections and never says a word. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const x of sockets) x.destroy();
        server.close(() => r());
      }),
  };
}

describe('a receiver down, then up', () => {
  it('loses nothing: first attempts in seq order while it fails, every event delivered once it is back', async () => {
    const rx = await startWebhookReceiver();
    try {
      const { key, address } = await ownerWithMailbox();
      const h = await hook(key, rx.url, { mailbox: address });
      rx.answer = 503;
      for (let i = 1; i <= 5; i++) await s.send({ to: address, subject: `m${i}`, text: 'x' });
      const first = await rx.waitFor(5);
      expect(first.map((r) => r.json.seq)).toEqual([1, 2, 3, 4, 5]);
      await s.inboxd.webhooks!.idle();

      // now it is not even listening: the retries fail to connect
      const port = rx.port;
      await rx.close();
      clock.advance(6_000);
      await s.inboxd.webhooks!.idle();
      const refused = (await attempts(key, h.id)).filter((a) => a.attempt === 2);
      expect(refused).toHaveLength(5);
      expect(refused.every((a) => a.status_code === null && /ECONNREFUSED/.test(a.error))).toBe(true);

      const back = await startWebhookReceiver(port);
      try {
        clock.advance(6 * 60_000);
        const got = await back.waitFor(5);
        expect(got.map((r) => r.json.seq).sort()).toEqual([1, 2, 3, 4, 5]);
        expect(new Set(got.map((r) => r.headers['webhook-id']))).toEqual(new Set(first.map((r) => r.headers['webhook-id'])));
        await s.inboxd.webhooks!.idle();
        const all = await attempts(key, h.id);
        expect(all.filter((a) => a.status_code === 200)).toHaveLength(5);
        expect(all.every((a) => a.status_code === 200 || a.next_retry_at !== null)).toBe(true);
      } finally {
        await back.close();
      }
    } finally {
      await rx.close().catch(() => undefined);
    }
  });

  it('disables an endpoint that failed every attempt of an event over more than 24 h; PATCH enabled:true sends what was queued', async () => {
    const rx = await startWebhookReceiver();
    try {
      rx.answer = 500;
      const { key, address } = await ownerWithMailbox();
      const h = await hook(key, rx.url, { mailbox: address });
      const start = clock.now();
      await s.send({ to: address, subject: 'doomed', text: 'x' });
      for (let n = 1; n <= 8; n++) {
        await rx.waitFor(n);
        await s.inboxd.webhooks!.idle();
        if (n < 8) clock.advance(11 * 3_600_000);
      }
      const tried = await attempts(key, h.id);
      expect(tried).toHaveLength(8);
      expect(tried[0]).toMatchObject({ attempt: 8, status_code: 500, next_retry_at: null });
      expect(Date.parse(tried[0].at) - start).toBeGreaterThan(24 * 3_600_000);
      const shown = (await s.api('GET', `/api/v1/webhooks/${h.id}`, { token: key })).body;
      expect(shown).toMatchObject({ enabled: false, disabled_reason: expect.stringMatching(/failed 8 attempts.*HTTP 500/) });

      // disabled: a new message is not queued for it; enabled again, the test event goes out
      await s.send({ to: address, subject: 'while disabled', text: 'x' });
      const queuedTest = await s.api('POST', `/api/v1/webhooks/${h.id}/test`, { token: key });
      expect(queuedTest.status).toBe(202);
      rx.answer = 200;
      const enabled = await s.api('PATCH', `/api/v1/webhooks/${h.id}`, { token: key, body: { enabled: true } });
      expect(enabled.body).toMatchObject({ enabled: true, disabled_reason: null });
      const [test] = await rx.waitFor(1, (r) => r.json?.event === 'webhook_test');
      expect(test!.headers['webhook-id']).toBe(queuedTest.body.event_id);
      expect(test!.json).toMatchObject({ event: 'webhook_test', webhook_id: h.id });
      await s.inboxd.webhooks!.idle();
      expect(rx.received.some((r) => r.json?.message?.subject === 'while disabled')).toBe(false);

      // replay: every stored message's event again, in seq order, the first one under its old webhook-id
      const replay = await s.api('POST', `/api/v1/webhooks/${h.id}/replay`, { token: key, body: { mailbox: address, since_seq: 0 } });
      expect(replay).toMatchObject({ status: 202, body: { queued: 2 } });
      const replayed = await rx.waitFor(2, (r) => r.status === 200 && r.json?.event === 'new_message');
      expect(replayed.map((r) => r.json.message.subject)).toEqual(['doomed', 'while disabled']);
      expect(replayed[0]!.headers['webhook-id']).toBe(rx.received[0]!.headers['webhook-id']);
    } finally {
      await rx.close();
    }
  });
});

describe('slow and silent receivers', () => {
  it('a receiver that holds requests stalls only its own endpoint', async () => {
    const slow = await silentServer();
    const fast = await startWebhookReceiver();
    try {
      const { key, address } = await ownerWithMailbox();
      const slowHook = await hook(key, `http://127.0.0.1:${slow.port}/slow`);
      await hook(key, fast.url);
      for (let i = 1; i <= 3; i++) await s.send({ to: address, subject: `s${i}`, text: 'x' });
      // the fast endpoint has all three while the slow one is still waiting for its first answer
      const got = await fast.waitFor(3);
      expect(got.map((r) => r.json.seq)).toEqual([1, 2, 3]);
      let cut: any[] = [];
      expect(await eventually(async () => (cut = await attempts(key, slowHook.id)).length > 0)).toBe(true);
      expect(cut[0]).toMatchObject({ status_code: null, error: 'no complete answer within 1500 ms' });
      expect(cut[0].latency_ms).toBeGreaterThanOrEqual(1400);
    } finally {
      await slow.close();
      await fast.close();
    }
  });

  it('a TLS handshake that never ends is cut at the connect timeout', async () => {
    const silent = await silentServer();
    try {
      const { key, address } = await ownerWithMailbox();
      const h = await hook(key, `https://127.0.0.1:${silent.port}/tls`, { mailbox: address });
      await s.send({ to: address, subject: 'tls', text: 'x' });
      let tried: any[] = [];
      for (let i = 0; i < 100 && tried.length === 0; i++) {
        await s.inboxd.webhooks!.idle();
        tried = await attempts(key, h.id);
      }
      expect(tried[0]).toMatchObject({ status_code: null, error: 'could not connect within 500 ms' });
    } finally {
      await silent.close();
    }
  });
});
