/**
 * search_messages (issue #16 item 3): search every mailbox of the caller at once, with the query
 * language of `GET /api/v1/messages?query=…` (core/search-query.ts). Results fence the sender's
 * text like get_messages (`render.ts`); message tools are in `messages.ts`.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { guard } from '../errors.js';
import type { MailOps } from '../ops.js';
import { renderSearchResults, UNTRUSTED_NOTICE } from '../render.js';
import { strictArgs } from './args.js';
import { summaryOut } from './schemas.js';

export function registerSearchTools(server: McpServer, ops: MailOps, onUnexpected: (err: unknown) => void): void {
  server.registerTool(
    'search_messages',
    {
      title: 'Search all your mailboxes',
      description:
        'Searches every live mailbox of this API key at once, newest first, without bodies: the mailbox address, id, sender, subject and codes of each match. ' +
        'Query: free words (subject and text; whole words; word* for words starting with it), "quoted phrases", from:, to:, subject:, has:attachment, ' +
        'is:read, is:unread, after: and before: (2026-11-30, 2026-11-30T14:00:00Z, or 30m, 2h, 3d, 1w back from now), and - before a term to exclude it; ' +
        'every term must hold. Example: from:shop.example subject:"sign in" after:1h. Use read_message with the address and id to read one.',
      inputSchema: strictArgs({
        query: z.string().max(1000).describe('the search; empty lists the newest messages of every mailbox'),
        limit: z.number().int().min(1).max(200).optional().describe('how many at most (default 20)'),
        offset: z.number().int().min(0).optional().describe('skip this many first (the next page)'),
      }),
      outputSchema: { notice: z.string(), query: z.string(), messages: z.array(summaryOut.extend({ address: z.string() })) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      guard(async () => {
        const found = await ops.searchMessages(args.query, { limit: args.limit ?? 20, offset: args.offset });
        return {
          content: [{ type: 'text', text: renderSearchResults(args.query, found) }],
          structuredContent: {
            notice: UNTRUSTED_NOTICE.replace('Text inside <untrusted-email-content>', 'The from and subject fields'),
            query: args.query,
            messages: found.map((m) => ({ address: m.address, id: m.id, seq: m.seq, received_at: m.received_at, is_read: m.is_read, from: m.from, subject: m.subject, codes: m.codes })),
          },
        };
      }, onUnexpected),
  );
}
