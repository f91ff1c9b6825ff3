// Reserved local parts (#14 item 9): the domain's role mailboxes (postmaster, abuse, the
// addresses certificate authorities validate with...) cannot be claimed by any key, over REST or
// MCP, in any letter case; other chosen local parts still work.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESERVED_LOCAL_PARTS } from '../../src/core/addresses.js';
import { startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

describe('reserved local parts', () => {
  it('refuses every reserved local part to an API key with 403 address_reserved', async () => {
    const { key } = await s.userWithKey('pro');
    for (const local of RESERVED_LOCAL_PARTS) {
      const res = await s.api('POST', '/api/v1/mailboxes', { token: key, body: { local_part: local } });
      expect({ local, status: res.status, error: res.body.error }).toEqual({ local, status: 403, error: 'address_reserved' });
    }
    const whole = await s.api('POST', '/api/v1/mailboxes', { token: key, body: { address: 'PostMaster@inboxd.test' } });
    expect(whole).toMatchObject({ status: 403, body: { error: 'address_reserved' } });
    // nothing was created, and an ordinary chosen name still is
    expect((await s.api('GET', '/api/v1/mailboxes', { token: key })).body).toEqual([]);
    expect((await s.api('POST', '/api/v1/mailboxes', { token: key, body: { local_part: 'postmaster-test' } })).status).toBe(201);
  });

  it('refuses an anonymous caller that names one (it may not choose at all)', async () => {
    const res = await s.api('POST', '/api/v1/mailboxes', { body: { local_part: 'abuse' } });
    expect(res.status).toBe(403);
  });

  it('answers the MCP create_mailbox tool with an address_reserved tool error', async () => {
    const { key } = await s.userWithKey('pro');
    const client = new Client({ name: 'inboxd-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
    try {
      const res: any = await client.callTool({ name: 'create_mailbox', arguments: { local_part: 'Root' } });
      expect(res.isError).toBe(true);
      expect(res.content[0].text).toMatch(/^address_reserved: /);
    } finally {
      await client.close();
    }
  });
});
