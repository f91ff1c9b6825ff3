// The seed API's fields and habits, through real HTTP (fetch), SMTP (nodemailer) and the MCP SDK's
// client: from_address / to_address / message_id / header_message_id, offset paging, `detail` on
// errors, session_token null for key-made mailboxes, an empty JSON body taken as no body (the
// Python MCP SDK's closing DELETE included), and unknown query parameters and tool arguments refused.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';
import { call } from '../mcp/scenario.js';

let s: TestServer;
let key: string;
beforeAll(async () => {
  s = await startTestServer();
  key = (await s.userWithKey('pro')).key;
});
afterAll(async () => s?.close());

const raw = async (method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) => {
  const res = await fetch(s.url + path, { method, headers: init.headers, body: init.body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};

async function keyMailbox(group?: string): Promise<string> {
  const res = await s.api('POST', '/api/v1/mailboxes', { token: key, body: { ttl_minutes: 10, ...(group ? { group } : {}) } });
  expect(res.status).toBe(201);
  return res.body.address;
}

describe('message JSON', () => {
  it('carries from_address, to_address, message_id (Inboxd id) and header_message_id in lists, reads and waits', async () => {
    const address = await keyMailbox();
    await s.send({ from: '"Shop" <orders@shop.example>', to: address, subject: 'Order', text: 'hi', messageId: '<abc.123@shop.example>' });
    const waited = await s.api('GET', `/api/v1/mailboxes/${address}/messages/wait?timeout=10`, { token: key });
    expect(waited.status).toBe(200);
    const [summary] = (await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token: key })).body;
    const read = (await s.api('GET', `/api/v1/mailboxes/${address}/messages/${summary.id}`, { token: key })).body;
    for (const m of [summary, read, waited.body]) {
      expect(m).toMatchObject({ from: 'orders@shop.example', from_address: 'orders@shop.example', to_address: address, message_id: summary.id, id: summary.id });
    }
    expect(read.header_message_id).toBe('<abc.123@shop.example>');
    expect(summary).not.toHaveProperty('header_message_id');
  });

  it("gives from_address '' (a string, as the seed did) when the message has no From", async () => {
    const address = await keyMailbox();
    await s.send({ from: '', envelope: { from: 'bounce@example.com', to: address }, to: address, subject: 'no from', text: 'x' });
    const m = (await s.api('GET', `/api/v1/mailboxes/${address}/messages/wait?timeout=10`, { token: key })).body;
    expect(m.from).toBeNull();
    expect(m.from_address).toBe('');
  });
});

describe('offset paging', () => {
  it('pages messages, mailboxes and delivery attempts with limit and offset', async () => {
    const group = `page-${Date.now()}`;
    const boxes = [await keyMailbox(group), await keyMailbox(group), await keyMailbox(group)];
    const address = boxes[0]!;
    for (const n of [1, 2, 3]) await s.send({ to: address, subject: `m${n}`, text: 'x' });

    const page = await s.api('GET', `/api/v1/mailboxes/${address}/messages?limit=1&offset=1`, { token: key });
    expect(page.status).toBe(200);
    expect(page.body.map((m: { seq: number }) => m.seq)).toEqual([2]);
    const asc = await s.api('GET', `/api/v1/mailboxes/${address}/messages?order=asc&limit=2&offset=2`, { token: key });
    expect(asc.body.map((m: { seq: number }) => m.seq)).toEqual([3]);

    const all = (await s.api('GET', `/api/v1/mailboxes?group=${group}`, { token: key })).body.map((m: { address: string }) => m.address);
    expect(all).toHaveLength(3);
    const second = await s.api('GET', `/api/v1/mailboxes?group=${group}&limit=1&offset=1`, { token: key });
    expect(second.body.map((m: { address: string }) => m.address)).toEqual([all[1]]);

    // the timeline is written in batches off the reply path: write what is buffered before reading
    await s.inboxd.timeline.flush();
    const attempts = (await s.api('GET', `/api/v1/mailboxes/${address}/deliveries`, { token: key })).body;
    expect(attempts).toHaveLength(3);
    const skipped = await s.api('GET', `/api/v1/mailboxes/${address}/deliveries?limit=5&offset=2`, { token: key });
    expect(skipped.body).toEqual(attempts.slice(2));

    const bad = await s.api('GET', `/api/v1/mailboxes/${address}/messages?offset=-1`, { token: key });
    expect(bad.status).toBe(400);
  });
});

describe('errors', () => {
  it('carry detail with the same text as message', async () => {
    for (const [method, path, token] of [
      ['GET', '/api/v1/mailboxes/nobody-here@inboxd.test', key],
      ['GET', '/api/v1/mailboxes', undefined],
      ['GET', '/api/v1/no-such-route', key],
      ['GET', '/api/v1/mailboxes/x@inboxd.test/messages?limit=0', key],
    ] as const) {
      const res = await s.api(method, path, token ? { token } : {});
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.body.detail, path).toBe(res.body.message);
      expect(typeof res.body.error, path).toBe('string');
    }
  });
});

describe('session_token', () => {
  it('is null on a mailbox created with an API key, a string for an anonymous one, absent on reads', async () => {
    const made = await s.api('POST', '/api/v1/mailboxes', { token: key, body: {} });
    expect(made.status).toBe(201);
    expect(made.body).toHaveProperty('session_token', null);
    const anonymous = await s.api('POST', '/api/v1/mailboxes');
    expect(typeof anonymous.body.session_token).toBe('string');
    const read = await s.api('GET', `/api/v1/mailboxes/${made.body.address}`, { token: key });
    expect(read.body).not.toHaveProperty('session_token');
  });
});

describe('an empty body with Content-Type: application/json', () => {
  it('is taken as no body on create, extend and delete', async () => {
    const json = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const created = await raw('POST', '/api/v1/mailboxes', { headers: json, body: '' });
    expect(created.status).toBe(201);
    const extended = await raw('PATCH', `/api/v1/mailboxes/${created.body.address}`, { headers: json, body: '' });
    expect(extended.status).toBe(200);
    const deleted = await raw('DELETE', `/api/v1/mailboxes/${created.body.address}`, { headers: json, body: '' });
    expect(deleted.status).toBe(204);
  });

  it('lets an MCP client end its /mcp session with a bodiless DELETE (as the Python MCP SDK does)', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } });
    const client = new Client({ name: 'inboxd-test', version: '1.0.0' });
    await client.connect(transport);
    const sessionId = transport.sessionId!;
    expect(sessionId).toBeTruthy();
    const res = await fetch(`${s.url}/mcp`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
      body: '',
    });
    expect(res.status).toBe(200);
    // the session is gone: a request on it is refused
    const after = await fetch(`${s.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
    });
    expect(after.status).toBe(404);
    await client.close().catch(() => undefined);
  });
});

describe('unknown input', () => {
  it('refuses an unknown query parameter with 400 naming the known ones', async () => {
    const address = await keyMailbox();
    const wait = await s.api('GET', `/api/v1/mailboxes/${address}/messages/wait?body_regex=x&timeout=1`, { token: key });
    expect(wait.status).toBe(400);
    expect(wait.body.error).toBe('invalid_input');
    expect(wait.body.message).toMatch(/unknown query parameter "body_regex"; known: .*\bpattern\b/);
    const get = await s.api('GET', `/api/v1/mailboxes/${address}?verbose=1`, { token: key });
    expect(get.status).toBe(400);
    expect(get.body.message).toBe('unknown query parameter "verbose"; this route takes no query parameters');
    const body = await s.api('POST', '/api/v1/mailboxes', { token: key, body: { ttl_minute: 5 } });
    expect(body.status).toBe(400);
    expect(body.body.message).toMatch(/unknown body field "ttl_minute"; known: ttl_minutes/);
  });

  it('lets the _ cache-buster and the stream credentials through', async () => {
    const address = await keyMailbox();
    expect((await s.api('GET', `/api/v1/mailboxes/${address}?_=1712345678`, { token: key })).status).toBe(200);
    const controller = new AbortController();
    const sse = await fetch(`${s.url}/api/v1/mailboxes/${address}/events?api_key=${key}&since=0&v=2`, { signal: controller.signal });
    expect(sse.status).toBe(200);
    controller.abort();
  });

  it('makes an unknown MCP tool argument a tool error naming the known ones', async () => {
    const client = new Client({ name: 'inboxd-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
    try {
      const address = (await call(client, 'create_mailbox', {})).data.mailbox.address;
      const res = await call(client, 'wait_for_message', { address, timeout: 1 });
      expect(res.isError).toBe(true);
      expect(res.text).toMatch(/unknown argument "timeout"; known: address, timeout_seconds, from, subject, pattern, after_seq/);
      const listed = await call(client, 'list_mailboxes', { verbose: true });
      expect(listed.isError).toBe(true);
      expect(listed.text).toMatch(/unknown argument "verbose"/);
    } finally {
      await client.close();
    }
  });
});
