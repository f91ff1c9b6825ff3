// The event feed (core/feed.ts) through its consumers, on the pair under test: under concurrent
// deliveries every WebSocket and SSE client sees seq 1..N exactly once and in order; a live event
// that overtakes an earlier one (seq 3 published before seq 2) does not lose the earlier; and the
// long-poll wait answers 410 when its mailbox expires (time moved by ManualClock) or is deleted
// while it waits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { newMessageEvent } from '../../src/core/events.js';
import { openFeeds } from '../../src/core/feed.js';
import type { NewMessage } from '../../src/core/store.js';
import { type SseClient, startTestServer, type TestServer, type WsClient } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** the seqs of the new_message events a client got, in the order it got them. */
function wsSeqs(c: WsClient): number[] {
  return c.events.filter((e) => e.event === 'new_message').map((e) => e.seq as number);
}
function sseSeqs(c: SseClient): number[] {
  return c.events.filter((e) => e.event === 'new_message').map((e) => e.data.seq as number);
}

describe('the event feed', () => {
  it('gives every WebSocket and SSE client seq 1..N exactly once, in order, while 8 senders deliver at once', async () => {
    const SENDERS = 8;
    const PER_SENDER = 5;
    const N = SENDERS * PER_SENDER;
    const { address, token } = await s.anonymousMailbox();
    const wss = await Promise.all(range(4).map(() => s.ws(`/ws/inbox/${address}?token=${token}`)));
    const sses = await Promise.all(range(3).map(() => s.sse(`/api/v1/mailboxes/${address}/events`, { 'x-session-token': token })));

    await Promise.all(
      range(SENDERS).map(async (sender) => {
        for (let i = 1; i <= PER_SENDER; i++) await s.send({ to: address, subject: `s${sender} m${i}`, text: 'x' });
      }),
    );

    // each client's last event is seq N; what came before it is then checked whole
    for (const c of wss) await c.next((e) => e.event === 'new_message' && e.seq === N);
    for (const c of sses) await c.next((e) => e.event === 'new_message' && e.data.seq === N);
    for (const c of wss) expect(wsSeqs(c)).toEqual(range(N - 1));
    for (const c of sses) expect(sseSeqs(c)).toEqual(range(N - 1));
    for (const c of [...wss, ...sses]) c.close();
  });

  it('fills a gap from the store when a later seq is published first, and sends each seq once', async () => {
    const { address, token } = await s.anonymousMailbox();
    const ws = await s.ws(`/ws/inbox/${address}?token=${token}`);
    const sse = await s.sse(`/api/v1/mailboxes/${address}/events`, { 'x-session-token': token });
    // the proof both feeds are live: a message through SMTP reaches them
    await s.send({ to: address, subject: 'first', text: 'x' });
    await ws.next((e) => e.event === 'new_message' && e.seq === 1);
    await sse.next((e) => e.event === 'new_message' && e.data.seq === 1);

    // two commits whose events reach this node out of order: seq 3 first, then seq 2
    const { store, bus } = s.inboxd.core;
    const mailbox = (await store.getMailbox(address))!;
    const now = Date.now();
    const message = (subject: string): NewMessage => ({
      mailboxId: mailbox.id,
      tag: null,
      receivedAt: now,
      size: 3,
      source: 'smtp',
      envelopeFrom: null,
      verdicts: null,
      content: { from: null, to: [], cc: [], subject, messageIdHeader: null, date: null, bodyText: null, bodyHtml: null, headers: [], attachments: [], codes: [], links: [], parseError: null },
      raw: Buffer.from('x\r\n'),
      maxMessages: -1,
      now,
    });
    const [two] = await store.insertMessages([message('two')]);
    const [three] = await store.insertMessages([message('three')]);
    const event = (m: typeof two, subject: string) => newMessageEvent(address, { id: m!.id, seq: m!.seq, receivedAt: now, from: null, subject });
    await bus.publish(address, event(three, 'three'));
    await bus.publish(address, event(two, 'two'));
    // and one more through SMTP, after both
    await s.send({ to: address, subject: 'four', text: 'x' });

    const got = [await ws.next((e) => e.event === 'new_message'), await ws.next((e) => e.event === 'new_message'), await ws.next((e) => e.event === 'new_message')];
    expect(got.map((e) => [e.seq, e.subject])).toEqual([[2, 'two'], [3, 'three'], [4, 'four']]);
    await sse.next((e) => e.event === 'new_message' && e.data.seq === 4);
    expect(sseSeqs(sse)).toEqual([2, 3]);
    // nothing before seq 4 came twice
    expect(wsSeqs(ws)).toEqual([]);
    ws.close();
    sse.close();
  });
});

describe('the wait when its mailbox ends mid-wait', () => {
  const clock = new ManualClock();
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ wait_max_timeout: 300 }, { clock });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 410 when the TTL passes while it waits', async () => {
    const { address, token } = await t.anonymousMailbox(1);
    const waiting = t.api('GET', `/api/v1/mailboxes/${address}/messages/wait?timeout=300`, { token });
    await t.feedsLive('wait');
    // no sweeper tick: the feed sees the TTL pass on the clock by itself
    clock.advance(61_000);
    const res = await waiting;
    expect(res.status).toBe(410);
    expect(res.body).toMatchObject({ error: 'mailbox_expired' });
    expect(openFeeds(t.inboxd.core, 'wait')).toBe(0);
  });

  it('answers 410 when the mailbox is deleted while it waits', async () => {
    const { address, token } = await t.anonymousMailbox(10);
    const waiting = t.api('GET', `/api/v1/mailboxes/${address}/messages/wait?timeout=300`, { token });
    await t.feedsLive('wait');
    expect((await t.api('DELETE', `/api/v1/mailboxes/${address}`, { token })).status).toBe(204);
    const res = await waiting;
    expect(res.status).toBe(410);
    expect(res.body).toMatchObject({ error: 'mailbox_expired', message: 'the mailbox was deleted while waiting' });
  });
});
