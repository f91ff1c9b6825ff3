// The README walk-through as a test: create, send over real SMTP, see the WebSocket event, read,
// delete — through the real protocols.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

describe('the full scenario', () => {
  it('creates a mailbox, receives over SMTP, pushes the event, reads and deletes', async () => {
    const { address, token, body } = await s.anonymousMailbox(10);
    expect(address).toMatch(/^[a-z]+-[a-z]+-\d+@inboxd\.test$/);
    expect(body.expires_at).toBeTruthy();
    expect(body.last_seq).toBe(0);

    const ws = await s.ws(`/ws/inbox/${address}?token=${token}`);
    const sent = await s.send({ to: address, subject: 'Your code', text: 'Your verification code is 482913.' });
    expect(sent.response).toMatch(/^250 /);

    const ev = await ws.next((e) => e.event === 'new_message');
    expect(ev).toMatchObject({ event: 'new_message', seq: 1, address, subject: 'Your code', from: 'sender@example.com' });

    const list = await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token });
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(1);
    expect(list.body[0]).toMatchObject({ id: ev.message_id, seq: 1, is_read: false });
    expect(list.body[0].body_text).toBeUndefined();

    const msg = await s.api('GET', `/api/v1/mailboxes/${address}/messages/${ev.message_id}`, { token });
    expect(msg.status).toBe(200);
    expect(msg.body.body_text).toContain('482913');
    expect(msg.body.is_read).toBe(true);
    expect(msg.body.codes[0]).toMatchObject({ value: '482913' });

    const del = await s.api('DELETE', `/api/v1/mailboxes/${address}`, { token });
    expect(del.status).toBe(204);
    const gone = await ws.next((e) => e.event === 'mailbox_deleted');
    expect(gone.address).toBe(address);
    expect((await ws.closed).code).toBe(1000);

    const after = await s.api('GET', `/api/v1/mailboxes/${address}`, { token });
    expect(after.status).toBe(404);
    expect(after.body.error).toBe('mailbox_not_found');
  });
});
