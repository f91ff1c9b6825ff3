// Mailbox.events() over the real WebSocket: it resumes after a connection the server killed,
// with no message missed and none yielded twice, replays from `since`, and ends when the
// mailbox is deleted.
import { type ConnectionState, Inboxd, type Mailbox, type MailboxEvent } from '@inboxd/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
let inboxd: Inboxd;

beforeAll(async () => {
  s = await startTestServer();
  inboxd = new Inboxd({ baseUrl: s.url });
});
afterAll(() => s?.close());

const sockets = () => s.inboxd.http!.app.websocketServer.clients;

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** runs the iterator in the background, collecting what it yields. */
function collect(mailbox: Mailbox, options: Parameters<Mailbox['events']>[0] = {}) {
  const events: MailboxEvent[] = [];
  const states: ConnectionState[] = [];
  const controller = new AbortController();
  const done = (async () => {
    for await (const ev of mailbox.events({ ...options, signal: controller.signal, onState: (st) => states.push(st) })) events.push(ev);
  })();
  const seqs = () => events.flatMap((e) => (e.event === 'new_message' ? [e.seq] : []));
  return { events, states, seqs, done, stop: () => controller.abort() };
}

const mail = (to: string, n: number) => s.send({ to, subject: `message ${n}`, text: `body ${n}` });

describe('SDK events()', () => {
  it('reconnects after the server drops the socket and yields every seq exactly once', async () => {
    const mailbox = await inboxd.createMailbox();
    // mail from before the iterator started is not replayed by default
    await mail(mailbox.address, 0);
    const stream = collect(mailbox, { reconnect: { initialDelayMs: 50 } });
    await until(() => sockets().size === 1, 'the first connection');

    await mail(mailbox.address, 1);
    await mail(mailbox.address, 2);
    await until(() => stream.seqs().length === 2, 'seq 2');

    for (let round = 0; round < 2; round++) {
      // kill the connection from the server side, then deliver while the client is away
      const killed = new Set(sockets());
      for (const socket of killed) socket.terminate();
      await mail(mailbox.address, 3 + round * 2);
      await mail(mailbox.address, 4 + round * 2);
      await until(() => [...sockets()].some((socket) => !killed.has(socket)), 'the reconnection');
    }
    await mail(mailbox.address, 7);
    await until(() => stream.seqs().includes(8), 'seq 8');

    expect(stream.seqs()).toEqual([2, 3, 4, 5, 6, 7, 8]);
    const first = stream.events[0];
    expect(first).toMatchObject({ event: 'new_message', seq: 2, address: mailbox.address, subject: 'message 1' });
    stream.stop();
    await stream.done;
    await until(() => sockets().size === 0, 'the socket to close');
    // the connection states a UI shows: live, then dropped and waiting to retry, twice, then ended
    const kinds = stream.states.map((st) => st.kind);
    expect(kinds.slice(0, 2)).toEqual(['connecting', 'live']);
    expect(kinds.filter((k) => k === 'waiting').length).toBeGreaterThanOrEqual(2);
    for (const st of stream.states) if (st.kind === 'waiting') expect(st.retryInMs).toBeGreaterThanOrEqual(0);
    expect(kinds.slice(-2)).toEqual(['live', 'ended']);
    expect(stream.states.at(-1)).toEqual({ kind: 'ended', reason: 'aborted' });
  });

  it('replays from `since` and ends after mailbox_deleted', async () => {
    const mailbox = await inboxd.createMailbox();
    for (const n of [1, 2, 3]) await mail(mailbox.address, n);
    const stream = collect(mailbox, { since: 1 });
    await until(() => stream.seqs().length === 2, 'the replay');
    expect(stream.seqs()).toEqual([2, 3]);

    const message = (await mailbox.listMessages({ order: 'asc' }))[0]!;
    await mailbox.deleteMessage(message.id);
    await mailbox.deleteMailbox();
    await stream.done;
    expect(stream.events.slice(2).map((e) => e.event)).toEqual(['message_deleted', 'mailbox_deleted']);
    expect(stream.states.at(-1)).toEqual({ kind: 'ended', reason: 'mailbox_deleted' });
  });

  it('stops when the loop breaks, and refuses a bad token with a typed error', async () => {
    await until(() => sockets().size === 0, 'earlier sockets to close');
    const mailbox = await inboxd.createMailbox();
    const [, ev] = await Promise.all([
      until(() => sockets().size === 1, 'the connection').then(() => mail(mailbox.address, 1)),
      (async () => {
        for await (const e of mailbox.events()) return e;
      })(),
    ]);
    expect(ev).toMatchObject({ event: 'new_message', seq: 1 });
    await until(() => sockets().size === 0, 'the socket to close');

    const wrong = inboxd.mailbox(mailbox.address, { sessionToken: 'nope' });
    await expect(
      (async () => {
        for await (const _ of wrong.events({ since: 0 })) break;
      })(),
    ).rejects.toMatchObject({ name: 'InboxdError', code: 'unauthorized' });
  });
});

describe('SDK events() with an injected WebSocket', () => {
  it('uses the given class and drops a seq it already yielded', async () => {
    const { WebSocket } = await import('ws');
    let made = 0;
    // a transport that hands every frame over twice: the iterator must still yield each seq once
    class Doubling extends WebSocket {
      constructor(url: string) {
        super(url);
        made++;
      }
      override addEventListener(type: string, listener: (ev: any) => void): void {
        if (type === 'message') {
          super.addEventListener('message', (ev) => {
            listener(ev);
            listener(ev);
          });
        }
        else super.addEventListener(type as 'open', listener);
      }
    }
    const injected = new Inboxd({ baseUrl: s.url, WebSocket: Doubling });
    const mailbox = await injected.createMailbox();
    for (const n of [1, 2]) await mail(mailbox.address, n);
    const stream = collect(mailbox, { since: 0 });
    await mail(mailbox.address, 3);
    await until(() => stream.seqs().length === 3, 'three messages');
    await new Promise((r) => setTimeout(r, 100));
    expect(stream.seqs()).toEqual([1, 2, 3]);
    expect(made).toBe(1);
    stream.stop();
    await stream.done;
  });
});
