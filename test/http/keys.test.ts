// API keys managed by their owner over REST (#14 item 4): list, create (shown once), revoke; a
// revoked key is refused at once, and the WebSocket and SSE streams and /mcp sessions it opened
// close. WebSocket and SSE refuse a Host that does not name this server (DNS rebinding).
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWs, startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

/** a user with two keys: `key` (the one under test) and `admin` (to manage it with). */
async function userWithTwoKeys() {
  const user = await s.userWithKey('pro');
  const created = await s.api('POST', '/api/v1/keys', { token: user.key, body: { name: 'under test' } });
  expect(created.status).toBe(201);
  return { admin: user.key, key: created.body.key as string, id: created.body.id as string };
}

/** resolves when the response body ends (the server closed the stream). */
async function ended(res: Response): Promise<true> {
  const reader = res.body!.getReader();
  for (;;) if ((await reader.read()).done) return true;
}

describe('/api/v1/keys', () => {
  it('lists, creates (the key shown once, never its hash) and revokes its own keys; the revoked key is refused at once', async () => {
    const user = await s.userWithKey('pro');
    const created = await s.api('POST', '/api/v1/keys', { token: user.key, body: { name: 'ci' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.body).toMatchObject({ name: 'ci', active: true, last_used_at: null, key: expect.stringMatching(/^ibx_/) });
    const newKey = created.body.key as string;
    expect(newKey.startsWith(created.body.prefix)).toBe(true);

    expect((await s.api('GET', '/api/v1/mailboxes', { token: newKey })).status).toBe(200);
    const listed = await s.api('GET', '/api/v1/keys', { token: newKey });
    expect(listed.status).toBe(200);
    expect(listed.body.map((k: any) => k.name)).toEqual(['test', 'ci']);
    expect(JSON.stringify(listed.body)).not.toContain(newKey.slice(created.body.prefix.length));
    expect(listed.body.every((k: any) => !('key' in k) && !('key_hash' in k))).toBe(true);

    const revoked = await s.api('DELETE', `/api/v1/keys/${created.body.id}`, { token: user.key });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: created.body.id, active: false });
    expect(revoked.body).not.toHaveProperty('key');
    const refused = await s.api('GET', '/api/v1/mailboxes', { token: newKey });
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('unauthorized');
    expect((await s.api('GET', '/api/v1/keys', { token: user.key })).body.map((k: any) => k.active)).toEqual([true, false]);
  });

  it("refuses another user's key (404), a session token (403) and no credentials (401)", async () => {
    const alice = await s.userWithKey('pro');
    const bob = await s.userWithKey('pro');
    const bobs = (await s.api('GET', '/api/v1/keys', { token: bob.key })).body[0].id;
    expect((await s.api('DELETE', `/api/v1/keys/${bobs}`, { token: alice.key })).status).toBe(404);
    expect((await s.api('GET', '/api/v1/mailboxes', { token: bob.key })).status).toBe(200);
    const box = await s.anonymousMailbox();
    expect((await s.api('GET', '/api/v1/keys', { headers: { 'x-session-token': box.token } })).status).toBe(403);
    expect((await s.api('POST', '/api/v1/keys', { body: {} })).status).toBe(401);
    expect((await s.api('POST', '/api/v1/keys', { token: alice.key, body: { name: '' } })).status).toBe(400);
  });
});

describe('a revoked key closes what it opened', () => {
  it('closes a WebSocket opened with the key', async () => {
    const { admin, key, id } = await userWithTwoKeys();
    const box = await s.api('POST', '/api/v1/mailboxes', { token: key, body: {} });
    const ws = await s.ws(`/ws/inbox/${box.body.address}?api_key=${key}`);
    await s.send({ to: box.body.address, subject: 'live', text: 'x' });
    await ws.next((e) => e.event === 'new_message');
    expect((await s.api('DELETE', `/api/v1/keys/${id}`, { token: admin })).status).toBe(200);
    expect(await ws.closed).toEqual({ code: 1008, reason: 'unauthorized' });
  });

  it('ends an SSE stream opened with the key', async () => {
    const { admin, key, id } = await userWithTwoKeys();
    const box = await s.api('POST', '/api/v1/mailboxes', { token: key, body: {} });
    const res = await fetch(`${s.url}/api/v1/mailboxes/${box.body.address}/events`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    const done = ended(res);
    expect((await s.api('DELETE', `/api/v1/keys/${id}`, { token: admin })).status).toBe(200);
    expect(await done).toBe(true);
  });

  it('closes the /mcp session the key opened (its event stream ends)', async () => {
    const { admin, key, id } = await userWithTwoKeys();
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const init = await fetch(`${s.url}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
    });
    expect(init.status).toBe(200);
    await init.text();
    const session = { ...headers, 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' };
    expect((await fetch(`${s.url}/mcp`, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).status).toBe(202);
    const stream = await fetch(`${s.url}/mcp`, { method: 'GET', headers: { ...session, accept: 'text/event-stream' } });
    expect(stream.status).toBe(200);
    const done = ended(stream);
    expect((await s.api('DELETE', `/api/v1/keys/${id}`, { token: admin })).status).toBe(200);
    expect(await done).toBe(true);
    expect((await fetch(`${s.url}/mcp`, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) })).status).toBe(401);
  });
});

describe('WebSocket and SSE check Host (DNS rebinding)', () => {
  function status(path: string, headers: Record<string, string>): Promise<number> {
    const port = new URL(s.url).port;
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host: `evil.example:${port}`, ...headers } }, (res) => {
        res.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('refuses a Host that does not name this server, before any credential is looked at', async () => {
    const box = await s.anonymousMailbox();
    expect(await status(`/api/v1/mailboxes/${box.address}/events?token=${box.token}`, {})).toBe(403);
    const upgrade = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };
    expect(await status(`/ws/inbox/${box.address}?token=${box.token}`, upgrade)).toBe(403);
    // the same requests with this server's own Host pass the check
    const ws = await connectWs(`${s.url.replace('http', 'ws')}/ws/inbox/${box.address}?token=${box.token}`);
    ws.close();
  });
});
