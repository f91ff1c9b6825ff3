/**
 * Mailbox tools: create_mailbox, list_mailboxes, delete_mailbox (seed names). Descriptions are
 * written for a model choosing a tool. Message tools are in `messages.ts`.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { guard } from '../errors.js';
import { strictArgs } from './args.js';
import type { MailOps } from '../ops.js';
import { mailboxOut, mailboxStructured } from './schemas.js';

const address = z.string().min(3).max(254).describe('the mailbox address, e.g. "brave-otter-4821@inboxd.test" (from create_mailbox or list_mailboxes)');

export function registerMailboxTools(server: McpServer, ops: MailOps, onUnexpected: (err: unknown) => void): void {
  server.registerTool(
    'create_mailbox',
    {
      title: 'Create a temporary mailbox',
      description:
        'Creates a new temporary email address that can receive real email, for example to sign up somewhere and receive a verification code. ' +
        'Returns the address and when it expires. Then give the address to the sender and call wait_for_message to get the email.',
      inputSchema: strictArgs({
        ttl_minutes: z.number().int().min(1).max(43_200).optional().describe('minutes until the mailbox expires (default: the plan default, often 60); clamped to the plan maximum'),
        local_part: z.string().min(1).max(64).optional().describe('choose the part before the @ (letters, digits, dot, dash, underscore); omit for a random, hard-to-guess address'),
        domain: z.string().min(1).max(253).optional().describe('one of the server\'s receiving domains; omit for the default'),
      }),
      outputSchema: { mailbox: mailboxOut },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args) =>
      guard(async () => {
        const m = await ops.createMailbox({ ttlMinutes: args.ttl_minutes, localPart: args.local_part, domain: args.domain });
        return {
          content: [{ type: 'text', text: `Created ${m.address}; it expires at ${m.expires_at} (in ${Math.round(m.expires_in / 60)} min). Mail sent to it can be read with wait_for_message / get_messages.` }],
          structuredContent: { mailbox: mailboxStructured(m) },
        };
      }, onUnexpected),
  );

  server.registerTool(
    'list_mailboxes',
    {
      title: 'List my mailboxes',
      description: 'Lists the live (not expired, not deleted) mailboxes owned by this API key, with their expiry and message counts.',
      inputSchema: strictArgs({}),
      outputSchema: { mailboxes: z.array(mailboxOut) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    () =>
      guard(async () => {
        const list = await ops.listMailboxes();
        const text = list.length
          ? `${list.length} mailbox(es):\n` + list.map((m) => `- ${m.address}: ${m.message_count} message(s), last_seq ${m.last_seq}, expires ${m.expires_at}`).join('\n')
          : 'No live mailboxes. Call create_mailbox to make one.';
        return { content: [{ type: 'text', text }], structuredContent: { mailboxes: list.map(mailboxStructured) } };
      }, onUnexpected),
  );

  server.registerTool(
    'delete_mailbox',
    {
      title: 'Delete a mailbox',
      description: 'Deletes a mailbox and its messages now, instead of waiting for it to expire. Mail sent to it afterwards is refused.',
      inputSchema: strictArgs({ address }),
      outputSchema: { address: z.string(), deleted: z.boolean() },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    (args) =>
      guard(async () => {
        await ops.deleteMailbox(args.address);
        return { content: [{ type: 'text', text: `Deleted ${args.address}.` }], structuredContent: { address: args.address.trim().toLowerCase(), deleted: true } };
      }, onUnexpected),
  );
}
