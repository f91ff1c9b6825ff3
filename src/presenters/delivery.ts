/**
 * A delivery attempt's wire shape (`GET /api/v1/mailboxes/{address}/deliveries`), defined once
 * (zod), and its presenter.
 */
import { z } from 'zod';
import type { DeliveryAttempt } from '../core/types.js';
import { faultRuleJson, presentFaultRule } from './fault.js';
import { timestamp } from './wire.js';

export const deliveryAttemptJson = z.object({
  at: timestamp,
  outcome: z.enum(['accepted', 'refused', 'fault']).describe('fault: a fault script answered, delayed or dropped the attempt (see fault)'),
  reason: z.string().nullable().describe('mailbox_expired, mailbox_not_found, quota_exceeded, message_too_large, too_many_recipients, virus or spam (SES verdicts; error code message_rejected), forbidden (an SES S3 object outside the allow-list), or parse_error on an accepted but unparseable message'),
  response: z.string().describe('what the sender was told, e.g. "452 4.2.2 Mailbox full"'),
  smtp_code: z.number().int().nullable().describe('the SMTP reply code the sender was given (null for SES)'),
  enhanced_code: z.string().nullable().describe('the enhanced status code of that reply, e.g. "5.3.4" (null for SES)'),
  source: z.enum(['smtp', 'ses']),
  client_address: z.string().nullable(),
  envelope_from: z.string().nullable(),
  size: z.number().int().nullable(),
  duration_ms: z.number().int().nullable(),
  message_id: z.string().nullable().describe("the stored message's id when accepted"),
  fault: faultRuleJson.nullable().describe('the fault-script rule that answered (outcome fault), as it stood after this use'),
});

export type DeliveryAttemptJson = z.infer<typeof deliveryAttemptJson>;

export function presentAttempt(a: DeliveryAttempt): DeliveryAttemptJson {
  return {
    at: new Date(a.at).toISOString(),
    outcome: a.outcome,
    reason: a.reason,
    response: a.response,
    smtp_code: a.smtpCode,
    enhanced_code: a.enhancedCode,
    source: a.source,
    client_address: a.clientAddress,
    envelope_from: a.envelopeFrom,
    size: a.size,
    duration_ms: a.durationMs,
    message_id: a.messageId,
    fault: a.fault ? presentFaultRule(a.fault) : null,
  };
}
