// `inboxd mcp` on stdio, spawned as a real process and driven by the SDK's own client: the same
// agent scenario as /mcp, through an Inboxd URL (REST + WebSocket via @inboxd/sdk).
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';
import { call, verificationScenario } from './scenario.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
let s: TestServer;
const clients: Client[] = [];

async function spawnMcp(env: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'inboxd-stdio-test', version: '1.0.0' });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'src/main.ts', 'mcp'],
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stderr: 'pipe',
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await s?.close();
});

describe('inboxd mcp (stdio)', () => {
  it('runs the verification scenario against an Inboxd URL', async () => {
    const { key } = await s.userWithKey('pro');
    const client = await spawnMcp({ INBOXD_URL: s.url, INBOXD_API_KEY: key });
    expect(client.getServerVersion()?.name).toBe('inboxd');
    await verificationScenario(client, s);
  });

  it('maps API errors to the same tool errors: another key\'s mailbox, a timeout, an unreachable server', async () => {
    const alice = await s.userWithKey('pro');
    const bob = await s.userWithKey('pro');
    const address = (await s.api('POST', '/api/v1/mailboxes', { token: alice.key })).body.address;
    const client = await spawnMcp({ INBOXD_URL: s.url, INBOXD_API_KEY: bob.key });
    const forbidden = await call(client, 'get_messages', { address });
    expect(forbidden.isError).toBe(true);
    expect(forbidden.text).toMatch(/^forbidden: .+ — /);

    const own = (await call(client, 'create_mailbox', {})).data.mailbox.address;
    const timeout = await call(client, 'wait_for_message', { address: own, timeout_seconds: 1 });
    expect(timeout.text).toMatch(/^wait_timeout: .*within 1 s — call wait_for_message again/);

    const away = await spawnMcp({ INBOXD_URL: 'http://127.0.0.1:9', INBOXD_API_KEY: bob.key });
    const unreachable = await call(away, 'list_mailboxes');
    expect(unreachable.isError).toBe(true);
    expect(unreachable.text).toMatch(/^network_error: .* check INBOXD_URL/);
  });

  it('notifies a resource subscriber over the WebSocket stream', async () => {
    const { key } = await s.userWithKey('pro');
    const client = await spawnMcp({ INBOXD_URL: s.url, INBOXD_API_KEY: key });
    const address = (await call(client, 'create_mailbox', {})).data.mailbox.address;
    const got = new Promise<string>((resolve) => client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => resolve(n.params.uri)));
    await client.subscribeResource({ uri: `inbox://${address}/latest` });
    await s.send({ to: address, subject: 'Ping', text: 'code 556677' });
    expect(await got).toBe(`inbox://${address}/latest`);
  });
});
