// Timeouts that explain (#16 item 2): a wait that times out names the messages that arrived but
// did not match (with the filter each failed) and the attempts the mailbox refused or faulted;
// expect=none that fails names the message. Over HTTP, and carried by the SDK's error.
import { Inboxd, isInboxdError } from '@inboxd/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { errorJson } from '../../src/presenters/error.js';
import { startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
const clock = new ManualClock();
beforeAll(async () => {
  s = await startTestServer({}, { clock });
});
afterAll(async () => {
  await s?.close();
});

/** a mailbox that refused one attempt (a scripted 451) and then took a "Welcome" message. */
async function mailboxWithHistory() {
  const box = await s.anonymousMailbox();
  await s.api('PUT', `/api/v1/mailboxes/${box.address}/faults`, { token: box.token, body: { rules: [{ stage: 'rcpt', reply: '451 4.3.0 Try again later', times: 1 }] } });
  await expect(s.send({ to: box.address, from: 'shop@example.com', subject: 'Order shipped', text: 'x' })).rejects.toMatchObject({ responseCode: 451 });
  clock.advance(1);
  await s.send({ to: box.address, from: 'shop@example.com', subject: 'Welcome aboard', text: 'hello' });
  clock.advance(1);
  await s.send({ to: box.address, from: 'news@example.com', subject: 'Your code', text: 'no digits here' });
  clock.advance(1);
  return box;
}

describe('a timed-out wait explains itself', () => {
  it('answers 408 with arrived (newest first, the filters each failed) and refused (the faulted attempt)', async () => {
    const box = await mailboxWithHistory();
    const waiting = s.api('GET', `/api/v1/mailboxes/${box.address}/messages/wait?from=shop&subject=code&timeout=30`, { token: box.token });
    await s.feedsLive('wait');
    clock.advance(30_000);
    const res = await waiting;
    expect(res.status).toBe(408);
    expect(errorJson.parse(res.body)).toEqual(res.body);
    expect(res.body.error).toBe('wait_timeout');
    expect(res.body.arrived.map((m: any) => [m.subject, m.failed])).toEqual([
      ['Your code', ['from']],
      ['Welcome aboard', ['subject']],
    ]);
    expect(res.body.arrived[0]).toMatchObject({ from: 'news@example.com', to_address: box.address, seq: 2 });
    expect(res.body.arrived[0].body_text).toBeUndefined();
    expect(res.body.refused).toHaveLength(1);
    expect(res.body.refused[0]).toMatchObject({ outcome: 'fault', response: '451 4.3.0 Try again later', envelope_from: 'shop@example.com', fault: { used: 1 } });
  });

  it('names nothing when nothing arrived, and only mail after after_seq', async () => {
    const box = await mailboxWithHistory();
    const res = await s.api('GET', `/api/v1/mailboxes/${box.address}/messages/wait?subject=code&from=shop&after_seq=2&timeout=0`, { token: box.token });
    expect(res.status).toBe(408);
    expect(res.body.arrived).toEqual([]);
    const clean = await s.anonymousMailbox();
    const quiet = await s.api('GET', `/api/v1/mailboxes/${clean.address}/messages/wait?timeout=0`, { token: clean.token });
    expect(quiet.body).toMatchObject({ error: 'wait_timeout', arrived: [], refused: [] });
  });

  it('answers expect=none that fails (409) with the unexpected message', async () => {
    const box = await mailboxWithHistory();
    const res = await s.api('GET', `/api/v1/mailboxes/${box.address}/messages/wait?subject=welcome&expect=none&timeout=0`, { token: box.token });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: 'unexpected_message', seq: 1, unexpected: { subject: 'Welcome aboard', seq: 1, from: 'shop@example.com' } });
    expect(errorJson.parse(res.body)).toEqual(res.body);
  });

  it('is carried by the SDK error (arrived, refused, unexpected)', async () => {
    const box = await mailboxWithHistory();
    const client = new Inboxd({ baseUrl: s.url });
    const mailbox = client.mailbox(box.address, { sessionToken: box.token });
    const err = await mailbox.waitForMessage({ subject: 'code', from: 'shop', timeoutMs: 0 }).catch((e: unknown) => e);
    expect(isInboxdError(err, 'wait_timeout')).toBe(true);
    if (!isInboxdError(err)) return;
    expect(err.arrived?.map((m) => m.failed)).toEqual([['from'], ['subject']]);
    expect(err.refused?.[0]).toMatchObject({ outcome: 'fault', smtp_code: 451 });
    const none = await mailbox.expectNoMessage({ subject: 'your code', withinMs: 0 }).catch((e: unknown) => e);
    expect(isInboxdError(none, 'unexpected_message') && none.unexpected?.subject).toBe('Your code');
  });
});
