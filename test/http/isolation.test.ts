// Isolation between owners: a key reaches only its owner's mailboxes, a session token only its
// own mailbox, over REST and WebSocket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWs, startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

describe('isolation', () => {
  it('keeps keys and tokens to their own mailboxes and messages', async () => {
    const alice = await s.userWithKey('pro');
    const bob = await s.userWithKey('pro');
    const aliceBox = (await s.api('POST', '/api/v1/mailboxes', { token: alice.key })).body.address as string;
    const anon = await s.anonymousMailbox();
    const other = await s.anonymousMailbox();
    await s.send({ to: [aliceBox, anon.address], subject: 'private', text: 'secret 123456' });
    const aliceMsg = (await s.api('GET', `/api/v1/mailboxes/${aliceBox}/messages`, { token: alice.key })).body[0].id;
    const anonMsg = (await s.api('GET', `/api/v1/mailboxes/${anon.address}/messages`, { token: anon.token })).body[0].id;

    // someone else's key or token: 403 on the mailbox and everything under it
    for (const token of [bob.key, anon.token]) {
      for (const [method, path] of [
        ['GET', `/api/v1/mailboxes/${aliceBox}`],
        ['GET', `/api/v1/mailboxes/${aliceBox}/messages`],
        ['GET', `/api/v1/mailboxes/${aliceBox}/messages/${aliceMsg}`],
        ['GET', `/api/v1/mailboxes/${aliceBox}/messages/${aliceMsg}/raw`],
        ['DELETE', `/api/v1/mailboxes/${aliceBox}/messages/${aliceMsg}`],
        ['PATCH', `/api/v1/mailboxes/${aliceBox}`],
        ['DELETE', `/api/v1/mailboxes/${aliceBox}`],
      ] as const) {
        const res = await s.api(method, path, { token });
        expect(res.status, `${method} ${path}`).toBe(403);
        expect(res.body.error).toBe('forbidden');
        expect(JSON.stringify(res.body)).not.toContain('secret');
      }
    }
    // a key never reaches an anonymous mailbox, and a token never another anonymous one
    expect((await s.api('GET', `/api/v1/mailboxes/${anon.address}/messages`, { token: alice.key })).status).toBe(403);
    expect((await s.api('GET', `/api/v1/mailboxes/${anon.address}/messages`, { token: other.token })).status).toBe(403);
    // a message id from another mailbox is simply not there
    expect((await s.api('GET', `/api/v1/mailboxes/${aliceBox}/messages/${anonMsg}`, { token: alice.key })).status).toBe(404);
    // list mine shows only mine
    const bobList = await s.api('GET', '/api/v1/mailboxes', { token: bob.key });
    expect(bobList.body).toEqual([]);
    // the owner still reads everything
    expect((await s.api('GET', `/api/v1/mailboxes/${aliceBox}/messages/${aliceMsg}`, { token: alice.key })).status).toBe(200);
    expect((await s.api('GET', `/api/v1/mailboxes/${anon.address}/messages/${anonMsg}`, { headers: { 'x-session-token': anon.token } })).status).toBe(200);
  });

  it('answers 401 to an unknown key or token, without echoing it', async () => {
    const anon = await s.anonymousMailbox();
    for (const token of ['ibx_not-a-real-key-at-all-0000000000000000000000', 'not-a-real-session-token']) {
      const res = await s.api('GET', `/api/v1/mailboxes/${anon.address}/messages`, { token });
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('unauthorized');
      expect(JSON.stringify(res.body)).not.toContain(token);
    }
  });

  it('closes a WebSocket with 1008 for a wrong token, a wrong key or none', async () => {
    const alice = await s.userWithKey('pro');
    const bob = await s.userWithKey('pro');
    const box = (await s.api('POST', '/api/v1/mailboxes', { token: alice.key })).body.address as string;
    const other = await s.anonymousMailbox();
    for (const q of [`?token=${other.token}`, `?api_key=${bob.key}`, '', '?token=bogus']) {
      const ws = await s.ws(`/ws/inbox/${box}${q}`);
      const closed = await ws.closed;
      expect(closed.code, q).toBe(1008);
    }
    const ok = await connectWs(`${s.url.replace('http', 'ws')}/ws/inbox/${box}`, { headers: { authorization: `Bearer ${alice.key}` } });
    await s.send({ to: box, subject: 'hi', text: 'x' });
    expect((await ok.next((e) => e.event === 'new_message')).subject).toBe('hi');
    ok.close();
  });
});
