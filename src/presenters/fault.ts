/**
 * A fault script's wire shapes (`PUT|GET …/mailboxes/{address}/faults`, `…/groups/{group}/faults`),
 * defined once (zod), and their presenters. A rule reads back as it was written, plus its use count.
 */
import { z } from 'zod';
import type { StoredFaultRule } from '../core/types.js';

export const faultRuleJson = z.object({
  stage: z.enum(['rcpt', 'data']).describe('rcpt: at RCPT TO (that recipient only); data: after the message is sent (the end of DATA)'),
  reply: z.string().optional().describe('a full SMTP reply, 4xx or 5xx, e.g. "451 4.3.0 Try again later"'),
  delay_ms: z.number().int().optional().describe('milliseconds to hold the answer before the real one (at most INBOXD_SMTP_FAULT_MAX_DELAY)'),
  disconnect: z.literal(true).optional().describe('close the connection at that stage, nothing stored'),
  times: z.number().int().nullable().describe('the next N matching attempts, then the next rule (null: until deleted)'),
  used: z.number().int().describe('attempts this rule has answered'),
  scope: z.enum(['mailbox', 'group']).describe("whose script: the mailbox's own, or its run group's"),
});

export const faultScriptJson = z.object({
  address: z.string().optional().describe("the mailbox (a mailbox's script)"),
  group: z.string().optional().describe("the run group (a group's script)"),
  rules: z.array(faultRuleJson),
});

export type FaultRuleJson = z.infer<typeof faultRuleJson>;
export type FaultScriptJson = z.infer<typeof faultScriptJson>;

export function presentFaultRule(r: StoredFaultRule): FaultRuleJson {
  const a = r.action;
  return {
    stage: r.stage,
    ...(a.kind === 'reply' ? { reply: a.reply } : a.kind === 'delay' ? { delay_ms: a.delayMs } : { disconnect: true as const }),
    times: r.times,
    used: r.used,
    scope: r.scope.kind,
  };
}

export function presentFaultScript(target: { address: string } | { group: string }, rules: StoredFaultRule[]): FaultScriptJson {
  return { ...target, rules: rules.map(presentFaultRule) };
}
