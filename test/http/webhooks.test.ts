// Signed webhooks (#15) through a real HTTP receiver: created over REST, sent after the SMTP 250
// with the event JSON the WebSocket sends plus the message, verified by an independent Standard
// Webhooks implementation (the `standardwebhooks` package), retried with a stable webhook-id on
// the core clock (ManualClock: no sleeping), disabled on 410; private targets refused when not allowed.
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createWebhookTransport } from '../../src/webhooks/sender.js';
import { startTestServer, type TestServer } from '../support/harness.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

let s: TestServer;
let clock: ManualClock;
let rx: WebhookReceiver;
beforeAll(async () => {
  clock = new ManualClock();
  s = await startTestServer({ webhook_concurrency: 2 }, { clock });
  rx = await startWebhookReceiver();
});
afterAll(async () => {
  await s?.close();
  await rx?.close();
});
afterEach(() => {
  rx.answer = 200;
});

async function ownerWithMailbox() {
  const user = await s.userWithKey('pro');
  const box = await s.api('POST', '/api/v1/mailboxes', { token: user.key, body: {} });
  expect(box.status).toBe(201);
  return { key: user.key, address: box.body.address as string };
}

async function createHook(key: string, body: Record<string, unknown>) {
  const res = await s.api('POST', '/api/v1/webhooks', { token: key, body: { url: rx.url, ...body } });
  expect(res.status).toBe(201);
  return res.body;
}

describe('POST /api/v1/webhooks, then mail', () => {
  it('sends each message as the WebSocket event plus its summary, signed so standardwebhooks verifies it, in seq order', async () => {
    const { key, address } = await ownerWithMailbox();
    const hook = await createHook(key, { mailbox: address });
    expect(hook).toMatchObject({ url: rx.url, events: ['new_message'], mailbox: address, include_message: false, enabled: true, disabled_reason: null });
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const ws = await s.ws(`/ws/inbox/${address}?api_key=${key}`);
    await s.feedsLive('ws');

    for (let i = 1; i <= 3; i++) await s.send({ to: address, subject: `hello ${i}`, text: `code ${1000 + i}` });
    const got = await rx.waitFor(3, (r) => r.json?.address === address);
    const verifier = new Webhook(hook.secret);
    for (const r of got) expect(() => verifier.verify(r.body, r.headers as Record<string, string>)).not.toThrow();
    expect(got.map((r) => r.json.seq)).toEqual([1, 2, 3]);
    // the event part is byte for byte what the WebSocket sent
    const wsEvents = await Promise.all([1, 2, 3].map((seq) => ws.next((e) => e.seq === seq)));
    got.forEach((r, i) => {
      const { message, ...event } = r.json;
      expect(event).toEqual(wsEvents[i]);
      expect(r.body.startsWith(JSON.stringify(wsEvents[i]).slice(0, -1))).toBe(true);
      expect(message).toMatchObject({ id: event.message_id, seq: event.seq, subject: `hello ${i + 1}`, to_address: address });
      expect(message).not.toHaveProperty('body_text');
    });
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(3);
    // a tampered body fails the same verifier
    expect(() => verifier.verify(got[0]!.body.replace('hello', 'HELLO'), got[0]!.headers as Record<string, string>)).toThrow();
    ws.close();

    await s.inboxd.webhooks!.idle();
    const attempts = await s.api('GET', `/api/v1/webhooks/${hook.id}/attempts`, { token: key });
    expect(attempts.status).toBe(200);
    expect(attempts.body).toHaveLength(3);
    expect(attempts.body[0]).toMatchObject({ attempt: 1, status_code: 200, error: null, next_retry_at: null });
  });

  it('sends the whole message with include_message, and only matching mailboxes', async () => {
    const { key, address } = await ownerWithMailbox();
    const other = await s.api('POST', '/api/v1/mailboxes', { token: key, body: {} });
    await createHook(key, { mailbox: address, include_message: true });
    await s.send({ to: other.body.address, subject: 'not for the hook', text: 'x' });
    await s.send({ to: address, subject: 'full', text: 'the body text' });
    const [r] = await rx.waitFor(1, (x) => x.json?.address === address);
    expect(r!.json.message).toMatchObject({ subject: 'full', body_text: expect.stringContaining('the body text'), headers: expect.any(Array) });
    expect(rx.received.some((x) => x.json?.address === other.body.address)).toBe(false);
  });

  it('retries a failed attempt on the backoff schedule with the same webhook-id, and shows the attempts', async () => {
    const { key, address } = await ownerWithMailbox();
    const hook = await createHook(key, { mailbox: address });
    rx.answer = 503;
    await s.send({ to: address, subject: 'retry me', text: 'x' });
    const [first] = await rx.waitFor(1, (r) => r.json?.address === address);
    expect(first!.status).toBe(503);
    await s.inboxd.webhooks!.idle();
    const failed = (await s.api('GET', `/api/v1/webhooks/${hook.id}/attempts`, { token: key })).body;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ attempt: 1, status_code: 503, event_id: first!.headers['webhook-id'] });
    const due = Date.parse(failed[0].next_retry_at) - clock.now();
    expect(due).toBeGreaterThanOrEqual(4_500);
    expect(due).toBeLessThanOrEqual(5_500);

    rx.answer = 200;
    clock.advance(6_000);
    const [, second] = await rx.waitFor(2, (r) => r.json?.address === address);
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(second!.status).toBe(200);
    await s.inboxd.webhooks!.idle();
    const after = (await s.api('GET', `/api/v1/webhooks/${hook.id}/attempts`, { token: key })).body;
    expect(after.map((a: any) => [a.attempt, a.status_code])).toEqual([
      [2, 200],
      [1, 503],
    ]);
    expect((await s.api('GET', `/api/v1/webhooks/${hook.id}`, { token: key })).body.last_success_at).not.toBeNull();
  });

  it('disables the endpoint when the receiver answers 410, with the reason shown', async () => {
    const { key, address } = await ownerWithMailbox();
    const hook = await createHook(key, { mailbox: address });
    rx.answer = 410;
    await s.send({ to: address, subject: 'gone', text: 'x' });
    await rx.waitFor(1, (r) => r.json?.address === address);
    await s.inboxd.webhooks!.idle();
    const shown = await s.api('GET', `/api/v1/webhooks/${hook.id}`, { token: key });
    expect(shown.body).toMatchObject({ enabled: false, disabled_reason: expect.stringContaining('410') });
    expect(shown.body).not.toHaveProperty('secret');
  });
});

describe('managing webhooks', () => {
  it("lists without the secret, refuses another owner's webhook, a session token and no key, and deletes", async () => {
    const alice = await ownerWithMailbox();
    const bob = await ownerWithMailbox();
    const hook = await createHook(alice.key, {});
    const listed = await s.api('GET', '/api/v1/webhooks', { token: alice.key });
    expect(listed.body.map((w: any) => w.id)).toEqual([hook.id]);
    expect(JSON.stringify(listed.body)).not.toContain(hook.secret);
    expect((await s.api('GET', `/api/v1/webhooks/${hook.id}`, { token: bob.key })).status).toBe(404);
    expect((await s.api('DELETE', `/api/v1/webhooks/${hook.id}`, { token: bob.key })).status).toBe(404);
    const anon = await s.anonymousMailbox();
    expect((await s.api('GET', '/api/v1/webhooks', { headers: { 'x-session-token': anon.token } })).status).toBe(403);
    expect((await s.api('POST', '/api/v1/webhooks', { body: { url: rx.url } })).status).toBe(401);
    expect((await s.api('POST', '/api/v1/webhooks', { token: alice.key, body: { url: 'ftp://example.com/x' } })).status).toBe(400);
    expect((await s.api('POST', '/api/v1/webhooks', { token: alice.key, body: { url: rx.url, events: ['nope'] } })).status).toBe(400);
    expect((await s.api('DELETE', `/api/v1/webhooks/${hook.id}`, { token: alice.key })).status).toBe(200);
    expect((await s.api('GET', '/api/v1/webhooks', { token: alice.key })).body).toEqual([]);
  });

  it('refuses a target on a private address in production mode (INBOXD_WEBHOOK_ALLOW_PRIVATE defaults to false there)', async () => {
    const strict = await startTestServer({ env: 'production', ses_topic_arns: 'arn:aws:sns:us-east-1:123456789012:inboxd-inbound', roles: ['api', 'smtp'] });
    expect(strict.inboxd.config.webhook_allow_private).toBe(false);
    try {
      const user = await strict.userWithKey('pro');
      for (const url of [rx.url, 'http://169.254.169.254/latest/meta-data', 'http://[::1]:9/x', 'http://localhost:9/x', 'http://10.1.2.3/x']) {
        const res = await strict.api('POST', '/api/v1/webhooks', { token: user.key, body: { url } });
        expect(res.status, url).toBe(400);
        expect(res.body.message).toMatch(/non-public address|does not resolve/);
      }
    } finally {
      await strict.close();
    }
  });

  it('checks the target again before every attempt: a private one is never connected to, and redirects are not followed', async () => {
    const before = rx.received.length;
    const req = { id: 'msg_x', timestamp: Math.floor(Date.now() / 1000), body: '{"event":"webhook_test"}', secret: 'whsec_' + Buffer.alloc(32).toString('base64') };
    const strict = createWebhookTransport({ allowPrivate: false, connectTimeoutMs: 1000, timeoutMs: 2000 });
    const refused = await strict.send({ ...req, url: rx.url.replace('127.0.0.1', 'localhost') });
    expect(refused).toMatchObject({ status: null, error: expect.stringContaining('non-public address') });
    expect(rx.received.length).toBe(before);

    const open = createWebhookTransport({ allowPrivate: true, connectTimeoutMs: 1000, timeoutMs: 2000 });
    rx.answer = 302;
    const redirect = await open.send({ ...req, url: rx.url.replace('127.0.0.1', 'localhost') });
    expect(redirect).toMatchObject({ status: 302, error: null });
    expect(rx.received.length).toBe(before + 1);
    expect(rx.received.at(-1)!.headers['webhook-id']).toBe('msg_x');
  });
});
