/**
 * Webhook endpoints' and attempts' wire shapes (/api/v1/webhooks), defined once (zod), and their
 * presenters. The signing secret is in the answer that created the endpoint, never again.
 */
import { z } from 'zod';
import type { Webhook, WebhookAttempt } from '../core/webhooks/types.js';
import { count, timestamp } from './wire.js';

export const webhookJson = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(['new_message'])).describe('the events sent'),
  mailbox: z.string().nullable().describe("only this mailbox's events; null: every mailbox of the owner"),
  group: z.string().nullable().describe('only mailboxes of this group; null: any'),
  include_message: z.boolean().describe('the body carries the whole message instead of its summary'),
  enabled: z.boolean(),
  disabled_reason: z.string().nullable().describe('why it was disabled (a 410 from the receiver, repeated failure, its owner)'),
  created_at: timestamp,
  updated_at: timestamp,
  last_success_at: timestamp.nullable(),
  secret: z.string().optional().describe('the signing secret (whsec_…, Standard Webhooks): only in the answer to POST, shown once'),
});

export const webhookAttemptJson = z.object({
  id: z.string(),
  event_id: z.string().describe('the webhook-id header the receiver saw (the same on every retry)'),
  attempt: count.describe('1 for the first try'),
  at: timestamp,
  status_code: z.number().int().nullable().describe("the receiver's HTTP status; null when no answer came"),
  error: z.string().nullable().describe('why there was no answer (connect timeout, refused target, …)'),
  latency_ms: count,
  next_retry_at: timestamp.nullable().describe('when the next try is due; null when delivered or given up'),
});

export const webhookTestJson = z.object({
  event_id: z.string().describe('the webhook-id of the test event; its attempts show the outcome'),
});

export const webhookReplayJson = z.object({
  queued: count.describe('events queued to be sent again'),
});

export type WebhookJson = z.infer<typeof webhookJson>;
export type WebhookAttemptJson = z.infer<typeof webhookAttemptJson>;

const iso = (t: number) => new Date(t).toISOString();

export function presentWebhook(w: Webhook, showSecret = false): WebhookJson {
  const out: WebhookJson = {
    id: w.id,
    url: w.url,
    events: w.events,
    mailbox: w.mailbox,
    group: w.group,
    include_message: w.includeMessage,
    enabled: w.enabled,
    disabled_reason: w.disabledReason,
    created_at: iso(w.createdAt),
    updated_at: iso(w.updatedAt),
    last_success_at: w.lastSuccessAt === null ? null : iso(w.lastSuccessAt),
  };
  if (showSecret) out.secret = w.secret;
  return out;
}

export function presentWebhookAttempt(a: WebhookAttempt): WebhookAttemptJson {
  return {
    id: a.id,
    event_id: a.eventId,
    attempt: a.attempt,
    at: iso(a.at),
    status_code: a.statusCode,
    error: a.error,
    latency_ms: a.latencyMs,
    next_retry_at: a.nextRetryAt === null ? null : iso(a.nextRetryAt),
  };
}
