// Inboxd.search through the SDK: the key owner's mailboxes, one mailbox with a session token, and
// a bad query as an InboxdError with its code and position.
import { Inboxd, InboxdError } from '@inboxd/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.close());

describe('Inboxd.search', () => {
  it('searches the key owner\'s mailboxes, or one mailbox with its session token', async () => {
    const { key } = await s.userWithKey('pro');
    const owned = new Inboxd({ baseUrl: s.url, apiKey: key });
    const mine = await owned.createMailbox({ ttlMinutes: 10 });
    const anonymous = await new Inboxd({ baseUrl: s.url }).createMailbox({ ttlMinutes: 10 });
    await s.send({ from: 'shop@example.com', to: [mine.address, anonymous.address], subject: 'Ticket 5521 confirmed', text: 'See you there' });

    const hits = await owned.search('"ticket 5521"');
    expect(hits.map((h) => h.address)).toEqual([mine.address]);
    const [hit] = hits;
    expect((await owned.mailbox(hit!.address).getMessage(hit!.id)).body_text).toContain('See you there');

    const anonymousHits = await new Inboxd({ baseUrl: s.url }).search('ticket', { sessionToken: anonymous.sessionToken });
    expect(anonymousHits.map((h) => h.address)).toEqual([anonymous.address]);
    expect(await owned.search('ticket', { offset: 1 })).toEqual([]);
  });

  it('throws invalid_query with the position of the problem', async () => {
    const { key } = await s.userWithKey();
    const err = await new Inboxd({ baseUrl: s.url, apiKey: key }).search('hello is:starred').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InboxdError);
    expect(err).toMatchObject({ code: 'invalid_query', status: 400, details: { position: 6 } });
  });
});
