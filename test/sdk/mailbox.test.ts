// The SDK against a real Inboxd (HTTP + SMTP on port 0): create, wait for mail sent mid-wait,
// read, raw, attachments, extend, delete, waitForMessages, expectNoMessage, group teardown, and
// typed errors. Mail is real SMTP through nodemailer.
import { Inboxd, InboxdError, isInboxdError } from '@inboxd/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
let inboxd: Inboxd;

beforeAll(async () => {
  s = await startTestServer();
  inboxd = new Inboxd({ baseUrl: s.url });
});
afterAll(() => s?.close());

const later = (ms: number, fn: () => Promise<unknown>) => new Promise((r) => setTimeout(r, ms)).then(fn);
/** runs `fn` once the server's wait is live: what `fn` sends can only reach it through the live path. */
const whileWaiting = (fn: () => Promise<unknown>) => s.feedsLive('wait').then(fn);

/** rejects with the InboxdError `p` throws. */
async function failure(p: Promise<unknown>): Promise<InboxdError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof InboxdError) return err;
    throw err;
  }
  throw new Error('expected an InboxdError');
}

describe('SDK mailboxes and messages', () => {
  it('creates an anonymous mailbox that remembers its session token', async () => {
    const mailbox = await inboxd.createMailbox({ ttlMinutes: 10 });
    expect(mailbox.address).toMatch(/@inboxd\.test$/);
    expect(mailbox.sessionToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(mailbox.info).toMatchObject({ address: mailbox.address, owner_type: 'anonymous', last_seq: 0, message_count: 0 });
    expect(mailbox.expiresAt!.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(String(mailbox)).toBe(mailbox.address);
    // a fresh handle with only the token works the same
    const again = inboxd.mailbox(mailbox.address, { sessionToken: mailbox.sessionToken });
    expect((await again.refresh()).address).toBe(mailbox.address);
  });

  it('waits for a message sent mid-wait and reads its code, link, raw source and attachment', async () => {
    const mailbox = await inboxd.createMailbox({ ttlMinutes: 10 });
    const pdf = Buffer.from('%PDF-1.4\n' + 'x'.repeat(3000) + '\n%%EOF\n');
    const started = Date.now();
    const [message] = await Promise.all([
      mailbox.waitForMessage({ from: 'shop.example', subject: 'verify', timeoutMs: 15_000 }),
      whileWaiting(() =>
        s.send({
          from: 'Shop <noreply@shop.example>',
          to: mailbox.address,
          subject: 'Please verify your email',
          text: 'Your code is 482913.\nOr open https://shop.example/verify?token=abc123 to confirm.',
          attachments: [{ filename: 'résumé.pdf', content: pdf, contentType: 'application/pdf' }],
        }),
      ),
    ]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(message).toMatchObject({ seq: 1, from: 'noreply@shop.example', subject: 'Please verify your email', has_attachments: true });
    expect(message.codes[0]?.value).toBe('482913');
    expect(message.links[0]?.url).toBe('https://shop.example/verify?token=abc123');
    expect(await mailbox.latestCode()).toBe('482913');

    const read = await mailbox.getMessage(message.id);
    expect(read.body_text).toContain('Your code is 482913');
    expect(read.is_read).toBe(true);

    const raw = await mailbox.raw(message.id);
    expect(raw).toBeInstanceOf(Uint8Array);
    const rawText = new TextDecoder().decode(raw);
    expect(rawText).toContain('Subject: Please verify your email');
    expect(raw.byteLength).toBe(message.size);

    expect(read.attachments).toEqual([expect.objectContaining({ index: 0, filename: 'résumé.pdf', content_type: 'application/pdf', size: pdf.length })]);
    const att = await mailbox.attachment(message.id, 0);
    expect(att.filename).toBe('résumé.pdf');
    expect(att.contentType).toBe('application/pdf');
    expect(Buffer.from(att.bytes).equals(pdf)).toBe(true);
    expect((await failure(mailbox.attachment(message.id, 5))).status).toBe(404);

    const list = await mailbox.listMessages({ subject: 'verify' });
    expect(list.map((m) => m.id)).toEqual([message.id]);
    expect(await mailbox.listMessages({ unread: true })).toEqual([]);

    // attempts are recorded in batches, off the SMTP reply path
    let deliveries = await mailbox.deliveries();
    for (let i = 0; deliveries.length === 0 && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 50));
      deliveries = await mailbox.deliveries();
    }
    expect(deliveries[0]).toMatchObject({ outcome: 'accepted', smtp_code: 250, message_id: message.id });

    await mailbox.deleteMessage(message.id);
    expect((await failure(mailbox.getMessage(message.id))).code).toBe('message_not_found');
  });

  it('maps a wait that times out to wait_timeout, and keeps waiting across several long-polls', async () => {
    const mailbox = await inboxd.createMailbox();
    const timedOut = await failure(mailbox.waitForMessage({ timeoutMs: 600 }));
    expect(timedOut).toMatchObject({ code: 'wait_timeout', status: 408 });
    expect(timedOut.message).toContain('within 0.6 s');
    expect(isInboxdError(timedOut, 'wait_timeout')).toBe(true);

    // long waits are made of short requests: a message in the third one is still found
    const chunked = new Inboxd({ baseUrl: s.url, pollSeconds: 0.4 });
    const handle = chunked.mailbox(mailbox.address, { sessionToken: mailbox.sessionToken });
    const [message] = await Promise.all([handle.waitForMessage({ timeoutMs: 10_000 }), later(1000, () => s.send({ to: mailbox.address, subject: 'late', text: 'hello' }))]);
    expect(message.subject).toBe('late');
  });

  it('waits for several messages, ignores older mail with afterSeq, and expects silence', async () => {
    const mailbox = await inboxd.createMailbox();
    await s.send({ to: mailbox.address, subject: 'old', text: 'before the test' });
    const { last_seq } = await mailbox.refresh();
    expect(last_seq).toBe(1);

    const [messages] = await Promise.all([
      mailbox.waitForMessages(3, { afterSeq: last_seq, timeoutMs: 15_000 }),
      whileWaiting(async () => {
        for (const n of [1, 2, 3]) await s.send({ to: mailbox.address, subject: `batch ${n}`, text: `number ${n}` });
      }),
    ]);
    expect(messages.map((m) => m.subject)).toEqual(['batch 1', 'batch 2', 'batch 3']);
    expect(messages.map((m) => m.seq)).toEqual([2, 3, 4]);

    await mailbox.expectNoMessage({ withinMs: 400, afterSeq: 4 });
    const seen = await failure(
      Promise.all([mailbox.expectNoMessage({ withinMs: 10_000, afterSeq: 4, subject: 'surprise' }), whileWaiting(() => s.send({ to: mailbox.address, subject: 'surprise!', text: 'x' }))]),
    );
    expect(seen).toMatchObject({ code: 'unexpected_message', status: 409 });
    expect(seen.details).toMatchObject({ seq: 5, subject: 'surprise!' });
  });

  it('extends and deletes a mailbox', async () => {
    const mailbox = await inboxd.createMailbox({ ttlMinutes: 5 });
    const extended = await mailbox.extend(120);
    expect(extended.expires_in).toBeGreaterThan(119 * 60);
    expect(mailbox.info?.expires_at).toBe(extended.expires_at);
    await mailbox.deleteMailbox();
    const gone = await failure(mailbox.refresh());
    expect(['mailbox_not_found', 'unauthorized']).toContain(gone.code);
    expect(gone.status).toBeGreaterThanOrEqual(400);
  });

  it('tears a group down with an API key, and lists the key owner’s mailboxes', async () => {
    const { key } = await s.userWithKey('pro');
    const owned = new Inboxd({ baseUrl: s.url, apiKey: key });
    const group = `run-${Date.now()}`;
    const a = await owned.createMailbox({ group, localPart: `signup-${Date.now()}` });
    const b = await owned.createMailbox({ group });
    const other = await owned.createMailbox({ group: 'other' });
    expect(a.sessionToken).toBeUndefined();
    expect(a.address).toMatch(/^signup-\d+@inboxd\.test$/);
    expect((await owned.listMailboxes({ group })).map((m) => m.address).sort()).toEqual([a.address, b.address].sort());
    expect(await owned.listMailboxes()).toHaveLength(3);

    // the owner's key reads the mailbox, with no token involved
    await s.send({ to: a.address, subject: 'hi', text: 'code 123456' });
    expect((await a.waitForMessage({ timeoutMs: 5000 })).codes[0]?.value).toBe('123456');

    expect(await owned.deleteGroup(group)).toMatchObject({ deleted: 2 });
    expect(await owned.listMailboxes({ group })).toEqual([]);
    expect(await owned.listMailboxes()).toHaveLength(1);
    expect((await failure(owned.createMailbox({ address: other.address }))).code).toBe('address_taken');
  });

  it('answers with typed errors', async () => {
    const domains = await inboxd.domains();
    expect(domains).toEqual({ domains: ['inboxd.test'], default: 'inboxd.test' });

    const mailbox = await inboxd.createMailbox();
    const wrong = inboxd.mailbox(mailbox.address, { sessionToken: 'not-a-token' });
    expect(await failure(wrong.listMessages())).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(await failure(inboxd.createMailbox({ localPart: 'mine' }))).toMatchObject({ code: 'forbidden', status: 403 });
    expect(await failure(inboxd.createMailbox({ domain: 'elsewhere.example' }))).toMatchObject({ code: 'invalid_input', status: 400 });
    expect(await failure(mailbox.waitForMessage({ pattern: '(unclosed', timeoutMs: 1000 }))).toMatchObject({ code: 'invalid_input' });
    expect(await failure(inboxd.listMailboxes())).toMatchObject({ code: 'unauthorized' });

    const nowhere = new Inboxd({ baseUrl: 'http://127.0.0.1:9' });
    const down = await failure(nowhere.domains());
    expect(down).toMatchObject({ code: 'network_error', status: 0 });
    expect(down.message).toContain('127.0.0.1:9');
  });
});
