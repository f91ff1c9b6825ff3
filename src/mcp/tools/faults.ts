/**
 * set_smtp_faults (#16 item 1): an agent testing a sender's retry logic scripts its own mailbox's
 * SMTP faults (the rules of `PUT /api/v1/mailboxes/{address}/faults`, checked in core/faults.ts),
 * never anyone else's.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { guard } from '../errors.js';
import type { MailOps } from '../ops.js';
import { faultRuleJson } from '../../presenters/fault.js';
import { strictArgs } from './args.js';

const rule = z.object({
  stage: z.enum(['rcpt', 'data']).describe('rcpt: at RCPT TO (this recipient only); data: at the end of the message'),
  reply: z.string().optional().describe('a full SMTP reply, 4xx or 5xx, e.g. "451 4.3.0 Try again later"'),
  delay_ms: z.number().int().optional().describe('hold the answer this many milliseconds, then give the real one'),
  disconnect: z.literal(true).optional().describe('close the connection at that stage; nothing stored'),
  times: z.number().int().optional().describe('the next N matching attempts, then the next rule (leave out: until removed)'),
});

export function registerFaultTools(server: McpServer, ops: MailOps, onUnexpected: (err: unknown) => void): void {
  server.registerTool(
    'set_smtp_faults',
    {
      title: "Script a mailbox's SMTP faults",
      description:
        "Replaces one of your mailboxes' SMTP fault script, to test how a sender retries: each rule has a stage (rcpt or data), exactly one of reply, " +
        'delay_ms or disconnect, and times. Example: [{"stage":"rcpt","reply":"451 4.3.0 Try again later","times":2}] answers 451 twice, then accepts. ' +
        'Only this mailbox is affected; faults show in its delivery timeline as outcome fault. An empty list removes the script.',
      inputSchema: strictArgs({
        address: z.string().max(254).describe('the mailbox address'),
        rules: z.array(rule).max(20).describe('the whole script, in order ([] removes it)'),
      }),
      outputSchema: { address: z.string(), rules: z.array(faultRuleJson) },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      guard(async () => {
        const script = await ops.setFaults(args.address, args.rules);
        const lines = script.rules.map((r) => `${r.stage}: ${r.reply ?? (r.delay_ms !== undefined ? `delay ${r.delay_ms} ms` : 'disconnect')} (${r.times === null ? 'until removed' : `${r.times} time(s)`})`);
        return {
          content: [{ type: 'text', text: lines.length ? `Fault script of ${script.address}:\n${lines.join('\n')}` : `No fault script on ${args.address} now.` }],
          structuredContent: { address: script.address ?? args.address, rules: script.rules },
        };
      }, onUnexpected),
  );
}
