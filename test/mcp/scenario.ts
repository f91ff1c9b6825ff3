/**
 * The verification scenario an agent runs, shared by the /mcp (Streamable HTTP) and the
 * `inboxd mcp` (stdio) tests: create a mailbox, receive a code over real SMTP, wait, read, delete.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'vitest';
import type { TestServer } from '../support/harness.js';

export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<{ isError: boolean; text: string; data: any }> {
  const res: any = await client.callTool({ name, arguments: args });
  return { isError: res.isError === true, text: res.content.map((c: any) => c.text ?? '').join('\n'), data: res.structuredContent };
}

/** @param ownerType what created mailboxes must say: `mcp` over both transports (stdio asks REST for it). */
export async function verificationScenario(client: Client, s: TestServer, ownerType: 'mcp' | 'api' = 'mcp'): Promise<void> {
  const tools = await client.listTools();
  expect(tools.tools.map((t) => t.name).sort()).toEqual(['create_mailbox', 'delete_mailbox', 'get_messages', 'list_mailboxes', 'read_message', 'search_messages', 'set_smtp_faults', 'wait_for_message']);
  for (const t of tools.tools) expect(t.outputSchema, t.name).toBeDefined();

  const created = await call(client, 'create_mailbox', { ttl_minutes: 10 });
  expect(created.isError).toBe(false);
  const address: string = created.data.mailbox.address;
  expect(address).toMatch(/@inboxd\.test$/);
  expect(created.data.mailbox.owner_type).toBe(ownerType);

  // the wait starts before the mail is sent, so it is answered by a live arrival
  const waiting = call(client, 'wait_for_message', { address, timeout_seconds: 20, subject: 'code' });
  await new Promise((r) => setTimeout(r, 300));
  const sent = await s.send({ from: 'Shop <shop@example.com>', to: address, subject: 'Your sign-in code', text: 'Hello,\n\nYour verification code is 482913.\n\nThanks' });
  expect(sent.accepted).toEqual([address]);

  const waited = await waiting;
  expect(waited.isError, waited.text).toBe(false);
  expect(waited.data.message.codes[0].value).toBe('482913');
  expect(waited.text).toContain('482913');
  expect(waited.text).toContain('<untrusted-email-content');

  const list = await call(client, 'get_messages', { address });
  expect(list.data.messages).toHaveLength(1);
  const id = list.data.messages[0].id;
  expect(id).toBe(waited.data.message.id);

  // search_messages: every mailbox of the key at once, each hit naming its mailbox
  const found = await call(client, 'search_messages', { query: 'from:shop@example.com 482913 -unsubscribe' });
  expect(found.isError, found.text).toBe(false);
  expect(found.data.messages).toEqual([expect.objectContaining({ address, id, subject: 'Your sign-in code' })]);
  expect(found.text).toContain('<untrusted-email-content');
  expect((await call(client, 'search_messages', { query: 'subject:nothing-like-this' })).data.messages).toEqual([]);
  const bad = await call(client, 'search_messages', { query: 'after:someday' });
  expect(bad.isError).toBe(true);
  expect(bad.text).toMatch(/^invalid_query: .+ — .*search_messages/);

  // set_smtp_faults: a scripted 451 for this mailbox only, then normal delivery
  const faulted = await call(client, 'set_smtp_faults', { address, rules: [{ stage: 'rcpt', reply: '451 4.3.0 Try again later', times: 1 }] });
  expect(faulted.isError, faulted.text).toBe(false);
  expect(faulted.data).toEqual({ address, rules: [{ stage: 'rcpt', reply: '451 4.3.0 Try again later', times: 1, used: 0, scope: 'mailbox' }] });
  await expect(s.send({ to: address, subject: 'retry me', text: 'x' })).rejects.toMatchObject({ responseCode: 451 });
  const badRule = await call(client, 'set_smtp_faults', { address, rules: [{ stage: 'rcpt', reply: '250 fine' }] });
  expect(badRule.isError).toBe(true);
  expect(badRule.text).toMatch(/^invalid_input: rules\[0\]\.reply/);
  expect((await call(client, 'set_smtp_faults', { address, rules: [] })).data.rules).toEqual([]);

  const read = await call(client, 'read_message', { address, message_id: id });
  expect(read.isError).toBe(false);
  expect(read.data.message.codes.map((c: any) => c.value)).toContain('482913');
  expect(read.data.message.text).toContain('Your verification code is 482913.');
  expect(read.data.message.from).toBe('shop@example.com');

  const mine = await call(client, 'list_mailboxes');
  expect(mine.data.mailboxes.map((m: any) => m.address)).toContain(address);

  const deleted = await call(client, 'delete_mailbox', { address });
  expect(deleted.data).toEqual({ address, deleted: true });
  const after = await call(client, 'get_messages', { address });
  expect(after.isError).toBe(true);
  expect(after.text).toMatch(/^mailbox_not_found: .+ — .*list_mailboxes/);
}
