// Search across mailboxes (issue #16 item 3): GET /api/v1/messages?query=… over real mail sent
// by SMTP, on the pair INBOXD_TEST_PAIR names (SQLite FTS5 | PostgreSQL tsvector): every
// operator, negation, paging, an owner's mail never found by another, and deleted or expired
// mailboxes left out. Time moves with ManualClock (received_at, after:/before: durations, expiry).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { startTestServer, type TestServer } from '../support/harness.js';

const HOUR = 3_600_000;
const clock = new ManualClock(Date.parse('2026-11-30T08:00:00Z'));
let s: TestServer;
let alice: { key: string };
let bob: { key: string };
let anon: { address: string; token: string };
let a1: string;
let a2: string;
let b1: string;
const ids: Record<string, string> = {};

async function mailbox(key: string, ttl = 1440): Promise<string> {
  const res = await s.api('POST', '/api/v1/mailboxes', { token: key, body: { ttl_minutes: ttl } });
  expect(res.status).toBe(201);
  return res.body.address as string;
}

/** the subjects a search answers, in order. */
async function search(token: string, query: string, extra = ''): Promise<string[]> {
  const res = await s.api('GET', `/api/v1/messages?query=${encodeURIComponent(query)}${extra}`, { token });
  expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(200);
  return (res.body as { subject: string }[]).map((m) => m.subject);
}

async function idOf(token: string, address: string, subject: string): Promise<string> {
  const list = (await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token })).body as { id: string; subject: string }[];
  return list.find((m) => m.subject === subject)!.id;
}

beforeAll(async () => {
  s = await startTestServer({}, { clock });
  alice = await s.userWithKey('pro');
  bob = await s.userWithKey('pro');
  a1 = await mailbox(alice.key);
  a2 = await mailbox(alice.key);
  b1 = await mailbox(bob.key);
  anon = await s.anonymousMailbox(1440);

  // 08:00 · 10:00 · 11:00 (alice); bob's and the anonymous mailbox's mail share words with hers
  await s.send({ from: 'Shop <shop@example.com>', to: a1, subject: 'Your code 482913', text: 'Welcome back, Ann. Zürich café' });
  clock.advance(2 * HOUR);
  await s.send({
    from: 'News <news@letters.test>',
    to: a2,
    subject: 'Weekly digest',
    text: 'The quick brown fox',
    attachments: [{ filename: 'digest.pdf', content: 'pdf bytes' }],
  });
  clock.advance(HOUR);
  await s.send({ from: 'billing@shop.example', to: `Ann Lee <${a1}>`, cc: 'Accounts <accounts@corp.test>', subject: 'Invoice ready', text: 'Invoice for order 1001' });
  await s.send({ from: 'Shop <shop@example.com>', to: b1, subject: 'Your code 999999', text: 'Welcome back, Bob' });
  await s.send({ from: 'Shop <shop@example.com>', to: anon.address, subject: 'Welcome anon', text: 'Welcome to the shop' });
  ids.invoice = await idOf(alice.key, a1, 'Invoice ready');
  ids.code = await idOf(alice.key, a1, 'Your code 482913');
});
afterAll(async () => {
  await s?.close();
});

describe('GET /api/v1/messages?query=', () => {
  it('lists every message of the owner newest first, with the mailbox that holds it', async () => {
    const res = await s.api('GET', '/api/v1/messages', { token: alice.key });
    expect(res.status).toBe(200);
    expect(res.body.map((m: { subject: string; address: string }) => [m.subject, m.address])).toEqual([
      ['Invoice ready', a1],
      ['Weekly digest', a2],
      ['Your code 482913', a1],
    ]);
    expect(res.body[2]).toMatchObject({ id: ids.code, from: 'shop@example.com', from_name: 'Shop', to_address: a1, seq: 1, has_attachments: false, is_read: false });
    expect(res.body[2].codes[0].value).toBe('482913');
    expect(res.body[2]).not.toHaveProperty('body_text');
  });

  it('finds free words in the subject and the text, whole words or word* starts', async () => {
    expect(await search(alice.key, 'welcome')).toEqual(['Your code 482913']);
    expect(await search(alice.key, 'WELC*')).toEqual(['Your code 482913']);
    expect(await search(alice.key, 'welc')).toEqual([]);
    expect(await search(alice.key, 'from:bill* subject:"invoice rea"*')).toEqual(['Invoice ready']);
    expect(await search(alice.key, 'invoice')).toEqual(['Invoice ready']);
    expect(await search(alice.key, '482913')).toEqual(['Your code 482913']);
    expect(await search(alice.key, 'zürich café')).toEqual(['Your code 482913']);
    expect(await search(alice.key, 'welcome fox')).toEqual([]);
    // the sender is not a free word's field (subject and text only)
    expect(await search(alice.key, 'letters')).toEqual([]);
  });

  it('matches quoted phrases exactly and in order', async () => {
    expect(await search(alice.key, '"welcome back"')).toEqual(['Your code 482913']);
    expect(await search(alice.key, '"back welcome"')).toEqual([]);
    expect(await search(alice.key, '"welc"')).toEqual([]);
  });

  it('reads from:, to: and subject:', async () => {
    expect(await search(alice.key, 'from:shop@example.com')).toEqual(['Your code 482913']);
    expect(await search(alice.key, 'from:shop')).toEqual(['Invoice ready', 'Your code 482913']);
    expect(await search(alice.key, 'from:News')).toEqual(['Weekly digest']);
    expect(await search(alice.key, 'to:"Ann Lee"')).toEqual(['Invoice ready']);
    expect(await search(alice.key, 'to:accounts@corp.test')).toEqual(['Invoice ready']);
    expect(await search(alice.key, `to:${a2}`)).toEqual(['Weekly digest']);
    expect(await search(alice.key, 'subject:digest')).toEqual(['Weekly digest']);
    expect(await search(alice.key, 'subject:fox')).toEqual([]);
  });

  it('reads has:attachment, is:read and is:unread', async () => {
    expect(await search(alice.key, 'has:attachment')).toEqual(['Weekly digest']);
    expect(await search(alice.key, 'is:read')).toEqual([]);
    expect((await s.api('GET', `/api/v1/mailboxes/${a1}/messages/${ids.code}`, { token: alice.key })).status).toBe(200);
    expect(await search(alice.key, 'is:read')).toEqual(['Your code 482913']);
    expect(await search(alice.key, 'is:unread')).toEqual(['Invoice ready', 'Weekly digest']);
  });

  it('reads after: and before: as durations and dates', async () => {
    // now is 11:00: the three arrived at 08:00, 10:00 and 11:00
    expect(await search(alice.key, 'after:90m')).toEqual(['Invoice ready', 'Weekly digest']);
    expect(await search(alice.key, 'after:1h')).toEqual(['Invoice ready', 'Weekly digest']);
    expect(await search(alice.key, 'before:2h')).toEqual(['Your code 482913']);
    expect(await search(alice.key, 'before:59m')).toEqual(['Weekly digest', 'Your code 482913']);
    expect(await search(alice.key, 'after:2026-11-30T09:00:00Z before:2026-11-30T10:30')).toEqual(['Weekly digest']);
    expect(await search(alice.key, 'after:2026-11-30')).toHaveLength(3);
    expect(await search(alice.key, 'before:2026-11-30')).toEqual([]);
  });

  it('negates any term with -', async () => {
    expect(await search(alice.key, '-welcome')).toEqual(['Invoice ready', 'Weekly digest']);
    expect(await search(alice.key, 'from:shop -subject:invoice')).toEqual(['Your code 482913']);
    expect(await search(alice.key, '-has:attachment')).toEqual(['Invoice ready', 'Your code 482913']);
    expect(await search(alice.key, '-is:read -from:news')).toEqual(['Invoice ready']);
    expect(await search(alice.key, '-after:90m')).toEqual(['Your code 482913']);
    expect(await search(alice.key, '-"welcome back" -invoice')).toEqual(['Weekly digest']);
  });

  it('pages with limit and offset', async () => {
    expect(await search(alice.key, '', '&limit=2')).toEqual(['Invoice ready', 'Weekly digest']);
    expect(await search(alice.key, '', '&limit=2&offset=2')).toEqual(['Your code 482913']);
    expect(await search(alice.key, '', '&limit=2&offset=4')).toEqual([]);
    expect((await s.api('GET', '/api/v1/messages?limit=0', { token: alice.key })).status).toBe(400);
  });

  it('never finds another owner\'s mail; a session token searches its own mailbox', async () => {
    expect(await search(bob.key, 'welcome')).toEqual(['Your code 999999']);
    expect(await search(bob.key, '482913')).toEqual([]);
    expect(await search(bob.key, '')).toEqual(['Your code 999999']);
    expect(await search(anon.token, 'welcome')).toEqual(['Welcome anon']);
    expect(await search(anon.token, '')).toEqual(['Welcome anon']);
    expect(await search(alice.key, 'anon')).toEqual([]);
    const none = await s.api('GET', '/api/v1/messages?query=welcome');
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('unauthorized');
  });

  it('answers an unreadable query with 400 invalid_query and where it is', async () => {
    for (const [query, position] of [
      ['welcome from:', 8],
      ['"unclosed', 0],
      ['after:soon', 0],
      ['has:pdf', 0],
    ] as const) {
      const res = await s.api('GET', `/api/v1/messages?query=${encodeURIComponent(query)}`, { token: alice.key });
      expect(res.status, query).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_query', position });
    }
    const unknown = await s.api('GET', '/api/v1/messages?q=x', { token: alice.key });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe('invalid_input');
  });

  it('leaves out deleted messages, deleted mailboxes and expired mailboxes', async () => {
    expect((await s.api('DELETE', `/api/v1/mailboxes/${a1}/messages/${ids.invoice}`, { token: alice.key })).status).toBe(204);
    expect(await search(alice.key, 'invoice')).toEqual([]);
    expect((await s.api('DELETE', `/api/v1/mailboxes/${a2}`, { token: alice.key })).status).toBe(204);
    expect(await search(alice.key, '')).toEqual(['Your code 482913']);

    const short = await mailbox(alice.key, 5);
    await s.send({ from: 'x@example.com', to: short, subject: 'Expiring note', text: 'soon gone' });
    expect(await search(alice.key, 'expiring')).toEqual(['Expiring note']);
    clock.advance(6 * 60_000);
    expect(await search(alice.key, 'expiring')).toEqual([]);
    expect(await search(alice.key, '')).toEqual(['Your code 482913']);
  });
});
