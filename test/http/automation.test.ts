// The automation API: race-free long-poll waits with filters, count and expect=none; SSE with
// Last-Event-ID replay; list filters; raw and attachment bytes; group teardown; OpenAPI.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawSmtp, startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ domains: 'inboxd.test,second.test', wait_max_timeout: 20, ws_ping_interval: 1 });
});
afterAll(async () => {
  await s.close();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('wait (long-poll)', () => {
  it('returns a message that arrives mid-wait, and one already there at once', async () => {
    const { address, token } = await s.anonymousMailbox();
    const waiting = s.api('GET', `/api/v1/mailboxes/${address}/messages/wait?timeout=10`, { token });
    // the wait has read the (empty) store and listens: the message can only come live
    await s.feedsLive('wait');
    await s.send({ to: address, subject: 'Welcome aboard', text: 'code 551234' });
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ subject: 'Welcome aboard', seq: 1, is_read: true });
    expect(res.body.body_text).toContain('551234');

    const again = await s.api('GET', `/api/v1/mailboxes/${address}/messages/wait?timeout=10`, { token });
    expect(again.body.seq).toBe(1);
  });

  it('times out with 408 and a JSON error', async () => {
    const { address, token } = await s.anonymousMailbox();
    const res = await s.api('GET', `/api/v1/mailboxes/${address}/messages/wait?timeout=0.3`, { token });
    expect(res.status).toBe(408);
    expect(res.body.error).toBe('wait_timeout');
  });

  it('filters by from, subject, body and an RE2 pattern, and skips older mail with after_seq', async () => {
    const { address, token } = await s.anonymousMailbox();
    await s.send({ from: 'news@shop.example', to: address, subject: 'Weekly deals', text: 'nothing to see' });
    await s.send({ from: 'Security <no-reply@auth.example>', to: address, subject: 'Your login code', text: 'Use 804211 to sign in' });
    const q = (qs: string) => s.api('GET', `/api/v1/mailboxes/${address}/messages/wait?timeout=1&${qs}`, { token });
    expect((await q('from=auth.example')).body.subject).toBe('Your login code');
    expect((await q('from=security')).body.subject).toBe('Your login code');
    expect((await q('subject=DEALS')).body.subject).toBe('Weekly deals');
    expect((await q('body=804211')).body.seq).toBe(2);
    expect((await q(`pattern=${encodeURIComponent('\\b\\d{6}\\b')}`)).body.seq).toBe(2);
    expect((await q('subject=invoice')).status).toBe(408);

    const box = await s.api('GET', `/api/v1/mailboxes/${address}`, { token });
    expect(box.body.last_seq).toBe(2);
    const waiting = s.api('GET', `/api/v1/mailboxes/${address}/messages/wait?timeout=10&after_seq=${box.body.last_seq}&subject=code`, { token });
    await s.feedsLive('wait');
    await s.send({ to: address, subject: 'Your new code', text: '111222' });
    expect((await waiting).body).toMatchObject({ seq: 3, subject: 'Your new code' });
  });

  it('refuses a bad pattern with 400 and runs a catastrophic one in linear time', async () => {
    const { address, token } = await s.anonymousMailbox();
    const bad = await s.api('GET', `/api/v1/mailboxes/${address}/messages/wait?timeout=1&pattern=${encodeURIComponent('(unclosed')}`, { token });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_input');
    const backref = await s.api('GET', `/api/v1/mailboxes/${address}/messages/wait?timeout=1&pattern=${encodeURIComponent('(a)\\1')}`, { token });
    expect(backref.status).toBe(400);
    await s.send({ to: address, subject: 'a'.repeat(5000) + '!', text: 'a'.repeat(100_000) + '!' });
    const evil = await s.api('GET', `/api/v1/mailboxes/${address}/messages/wait?timeout=2&pattern=${encodeURIComponent('^(a+)+$')}`, { token });
    expect(evil.status).toBe(408);
    expect((await s.api('GET', '/health')).status).toBe(200);
  });

  it('waits for count=N messages', async () => {
    const { address, token } = await s.anonymousMailbox();
    const waiting = s.api('GET', `/api/v1/mailboxes/${address}/messages/wait?timeout=10&count=3`, { token });
    await s.feedsLive('wait');
    for (let i = 1; i <= 3; i++) await s.send({ to: address, subject: `part ${i}`, text: 'x' });
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(res.body.messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3]);
  });

  it('with expect=none answers 204 when nothing arrives and 409 naming the message when something does', async () => {
    const { address, token } = await s.anonymousMailbox();
    const quiet = await s.api('GET', `/api/v1/mailboxes/${address}/messages/wait?timeout=0.3&expect=none`, { token });
    expect(quiet.status).toBe(204);
    const waiting = s.api('GET', `/api/v1/mailboxes/${address}/messages/wait?timeout=10&expect=none&subject=alert`, { token });
    await s.feedsLive('wait');
    await s.send({ to: address, subject: 'unrelated', text: 'x' });
    await s.send({ to: address, subject: 'ALERT: duplicate email', text: 'x' });
    const loud = await waiting;
    expect(loud.status).toBe(409);
    expect(loud.body).toMatchObject({ error: 'unexpected_message', seq: 2, subject: 'ALERT: duplicate email' });
  });
});

describe('SSE', () => {
  async function readSse(url: string, headers: Record<string, string>, until: (events: { event: string; id?: string; data: any }[]) => boolean) {
    const ctrl = new AbortController();
    const res = await fetch(url, { headers, signal: ctrl.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const events: { event: string; id?: string; data: any }[] = [];
    let buf = '';
    const deadline = Date.now() + 10_000;
    while (!until(events) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += Buffer.from(value).toString();
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev: { event: string; id?: string; data: any } = { event: 'message', data: null };
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) ev.event = line.slice(7);
          else if (line.startsWith('id: ')) ev.id = line.slice(4);
          else if (line.startsWith('data: ')) ev.data = JSON.parse(line.slice(6));
        }
        if (ev.data) events.push(ev);
      }
    }
    ctrl.abort();
    return events;
  }

  it('streams events with id = seq and replays after Last-Event-ID', async () => {
    const { address, token } = await s.anonymousMailbox();
    const url = `${s.url}/api/v1/mailboxes/${address}/events`;
    const live = readSse(url, { 'x-session-token': token }, (evs) => evs.some((e) => e.event === 'new_message'));
    await s.feedsLive('sse');
    await s.send({ to: address, subject: 'sse one', text: 'x' });
    const first = await live;
    const msg = first.find((e) => e.event === 'new_message')!;
    expect(msg).toMatchObject({ id: '1', data: { event: 'new_message', seq: 1, subject: 'sse one' } });

    await s.send({ to: address, subject: 'sse two', text: 'x' });
    await s.send({ to: address, subject: 'sse three', text: 'x' });
    const replay = await readSse(url + `?token=${token}`, { 'last-event-id': '1' }, (evs) => evs.filter((e) => e.event === 'new_message').length >= 2);
    expect(replay.filter((e) => e.event === 'new_message').map((e) => [e.id, e.data.subject])).toEqual([['2', 'sse two'], ['3', 'sse three']]);
  });

  it('sends heartbeats and refuses other owners', async () => {
    const { address, token } = await s.anonymousMailbox();
    const pings = await readSse(`${s.url}/api/v1/mailboxes/${address}/events`, { authorization: `Bearer ${token}` }, (evs) => evs.some((e) => e.event === 'ping'));
    expect(pings.some((e) => e.event === 'ping')).toBe(true);
    const other = await s.anonymousMailbox();
    const res = await fetch(`${s.url}/api/v1/mailboxes/${address}/events`, { headers: { 'x-session-token': other.token } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'forbidden' });
  });
});

describe('lists, raw source and attachments', () => {
  it('filters and pages the list', async () => {
    const { address, token } = await s.anonymousMailbox();
    for (let i = 1; i <= 5; i++) await s.send({ from: i % 2 ? 'odd@example.com' : 'even@example.com', to: address, subject: `item ${i}`, text: 'x' });
    const get = (qs: string) => s.api('GET', `/api/v1/mailboxes/${address}/messages?${qs}`, { token }).then((r) => r.body.map((m: { seq: number }) => m.seq));
    expect(await get('')).toEqual([5, 4, 3, 2, 1]);
    expect(await get('after_seq=3&order=asc')).toEqual([4, 5]);
    expect(await get('limit=2')).toEqual([5, 4]);
    expect(await get('from=even')).toEqual([4, 2]);
    expect(await get('subject=item%203')).toEqual([3]);
    await s.api('GET', `/api/v1/mailboxes/${address}/messages/${(await s.api('GET', `/api/v1/mailboxes/${address}/messages?limit=1`, { token })).body[0].id}`, { token });
    expect(await get('unread=true')).toEqual([4, 3, 2, 1]);
  });

  it('serves the raw bytes as sent and each attachment byte for byte', async () => {
    const { address, token } = await s.anonymousMailbox();
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
    const bin = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256));
    const raw = await rawSmtp(s.smtpPort);
    await raw.reply();
    await raw.cmd('EHLO x');
    await raw.cmd('MAIL FROM:<a@example.com>');
    await raw.cmd(`RCPT TO:<${address}>`);
    await raw.cmd('DATA');
    const eml = [
      'From: a@example.com',
      `To: ${address}`,
      'Subject: files',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain',
      '',
      'see attached',
      '--b1',
      'Content-Type: image/png',
      'Content-Disposition: attachment; filename="dot.png"',
      'Content-Transfer-Encoding: base64',
      '',
      png.toString('base64'),
      '--b1',
      'Content-Type: text/html',
      'Content-Disposition: attachment; filename="evil.html"',
      'Content-Transfer-Encoding: base64',
      '',
      bin.toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--b1--',
      '',
    ].join('\r\n');
    raw.write(eml);
    expect(await raw.cmd('.')).toMatch(/^250/);
    raw.close();

    const list = await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token });
    const id = list.body[0].id;
    const rawRes = await fetch(`${s.url}/api/v1/mailboxes/${address}/messages/${id}/raw`, { headers: { 'x-session-token': token } });
    expect(rawRes.headers.get('content-type')).toBe('message/rfc822');
    expect(rawRes.headers.get('content-disposition')).toMatch(/^attachment; filename=".*\.eml"/);
    expect(sha(Buffer.from(await rawRes.arrayBuffer()))).toBe(sha(Buffer.from(eml)));

    const a0 = await fetch(`${s.url}/api/v1/mailboxes/${address}/messages/${id}/attachments/0`, { headers: { 'x-session-token': token } });
    expect(a0.headers.get('content-type')).toBe('image/png');
    expect(a0.headers.get('content-disposition')).toContain('filename="dot.png"');
    expect(a0.headers.get('x-content-type-options')).toBe('nosniff');
    expect(sha(Buffer.from(await a0.arrayBuffer()))).toBe(sha(png));
    const a1 = await fetch(`${s.url}/api/v1/mailboxes/${address}/messages/${id}/attachments/1`, { headers: { 'x-session-token': token } });
    expect(a1.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(a1.headers.get('content-security-policy')).toContain('sandbox');
    expect(sha(Buffer.from(await a1.arrayBuffer()))).toBe(sha(bin));
    const none = await s.api('GET', `/api/v1/mailboxes/${address}/messages/${id}/attachments/7`, { token });
    expect(none.status).toBe(404);
  });
});

describe('delivery timeline', () => {
  it('lists accepted and refused attempts with the reason and the SMTP answer', async () => {
    await s.inboxd.core.store.createPlan({ name: 'two', maxMailboxes: 10, maxMessagesPerMailbox: 1, defaultTtlMinutes: 10, maxTtlMinutes: 10, maxMessageBytes: 100_000 });
    const { key } = await s.userWithKey('two');
    const address = (await s.api('POST', '/api/v1/mailboxes', { token: key })).body.address;
    await s.send({ from: 'shop@example.com', to: address, subject: 'first', text: 'x' });
    await expect(s.send({ from: 'shop@example.com', to: address, subject: 'second', text: 'x' })).rejects.toThrow(/452/);
    let timeline: any[] = [];
    for (let i = 0; i < 50 && timeline.length < 2; i++) {
      await delay(100);
      timeline = (await s.api('GET', `/api/v1/mailboxes/${address}/deliveries`, { token: key })).body;
    }
    expect(timeline).toHaveLength(2);
    expect(timeline[0]).toMatchObject({ outcome: 'refused', reason: 'quota_exceeded', response: '452 4.2.2 Mailbox full', smtp_code: 452, source: 'smtp', envelope_from: 'shop@example.com', client_address: expect.stringContaining('127.0.0.1') });
    expect(timeline[1]).toMatchObject({ outcome: 'accepted', reason: null, response: '250 2.0.0 Ok', smtp_code: 250, message_id: expect.any(String) });
    expect(timeline[1].size).toBeGreaterThan(0);
  });
});

describe('domains and groups', () => {
  it('lists the receiving domains and creates on any of them', async () => {
    const d = await s.api('GET', '/api/v1/domains');
    expect(d.body).toEqual({ domains: ['inboxd.test', 'second.test'], default: 'inboxd.test' });
    const box = await s.api('POST', '/api/v1/mailboxes?domain=second.test');
    expect(box.body.address).toMatch(/@second\.test$/);
    expect((await s.send({ to: box.body.address, text: 'x' })).response).toMatch(/^250/);
  });

  it('tears down a whole CI run by group in one call', async () => {
    const { key } = await s.userWithKey('pro');
    for (const group of ['run-42', 'run-42', 'run-43']) await s.api('POST', '/api/v1/mailboxes', { token: key, body: { group } });
    const listed = await s.api('GET', '/api/v1/mailboxes?group=run-42', { token: key });
    expect(listed.body).toHaveLength(2);
    const gone = await s.api('DELETE', '/api/v1/mailboxes?group=run-42', { token: key });
    expect(gone.body.deleted).toBe(2);
    expect((await s.api('GET', '/api/v1/mailboxes?group=run-42', { token: key })).body).toEqual([]);
    expect((await s.api('GET', '/api/v1/mailboxes', { token: key })).body).toHaveLength(1);
    const anon = await s.anonymousMailbox();
    expect((await s.api('DELETE', '/api/v1/mailboxes?group=run-43', { token: anon.token })).status).toBe(403);
  });
});

describe('OpenAPI', () => {
  it('describes every route with request and response schemas', async () => {
    const doc = await s.api('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const paths = doc.body.paths;
    for (const p of [
      '/api/v1/mailboxes',
      '/api/v1/mailboxes/{address}',
      '/api/v1/mailboxes/{address}/messages',
      '/api/v1/mailboxes/{address}/messages/wait',
      '/api/v1/mailboxes/{address}/messages/{id}',
      '/api/v1/mailboxes/{address}/messages/{id}/raw',
      '/api/v1/mailboxes/{address}/messages/{id}/attachments/{n}',
      '/api/v1/mailboxes/{address}/events',
      '/api/v1/domains',
      '/health',
    ]) {
      expect(paths[p], p).toBeTruthy();
      for (const op of Object.values(paths[p]) as { responses: Record<string, unknown> }[]) expect(Object.keys(op.responses).length, p).toBeGreaterThan(0);
    }
    const viewer = await fetch(`${s.url}/docs`, { redirect: 'follow' });
    expect(viewer.status).toBe(200);
  });

  it('is off in production unless asked', async () => {
    const prod = await startTestServer({ env: 'production', ses_topic_arns: 'arn:aws:sns:us-east-1:123456789012:inboxd-inbound' });
    try {
      expect((await prod.api('GET', '/openapi.json')).status).toBe(404);
    } finally {
      await prod.close();
    }
  });
});
