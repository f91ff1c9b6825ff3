/**
 * Row ↔ entity mapping of the webhook tables, shared by both stores (same columns; see rows.ts
 * for the driver tolerances), and the SQL that both dialects share.
 */
import type { ClaimedDelivery, Webhook, WebhookAttempt, WebhookEventType } from '../core/webhooks/types.js';
import type { Row } from './rows.js';

const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function toWebhook(r: Row): Webhook {
  return {
    id: String(r.id),
    ownerId: String(r.owner_id),
    url: String(r.url),
    secret: String(r.secret),
    events: String(r.events).split(',').filter(Boolean) as WebhookEventType[],
    mailbox: str(r.mailbox),
    group: str(r.group_label),
    includeMessage: Boolean(r.include_message),
    enabled: Boolean(r.enabled),
    disabledReason: str(r.disabled_reason),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    lastSuccessAt: numOrNull(r.last_success_at),
  };
}

export function toClaimed(r: Row): ClaimedDelivery {
  return {
    id: String(r.id),
    webhookId: String(r.webhook_id),
    url: String(r.url),
    secret: String(r.secret),
    includeMessage: Boolean(r.include_message),
    lastSuccessAt: numOrNull(r.last_success_at),
    eventType: String(r.event_type),
    mailboxId: str(r.mailbox_id),
    messageId: str(r.message_id),
    seq: numOrNull(r.seq),
    eventJson: String(r.event_json),
    createdAt: Number(r.created_at),
    attempts: Number(r.attempts),
    leaseUntil: Number(r.lease_until),
  };
}

export function toWebhookAttempt(r: Row): WebhookAttempt {
  return {
    id: String(r.id),
    webhookId: String(r.webhook_id),
    eventId: String(r.event_id),
    attempt: Number(r.attempt),
    at: Number(r.at),
    statusCode: numOrNull(r.status_code),
    error: str(r.error),
    latencyMs: Number(r.latency_ms),
    nextRetryAt: numOrNull(r.next_retry_at),
  };
}

/** the endpoints of an owner that take a mailbox's new_message events (`?` placeholders: owner, address, group). */
export const MATCHING_WEBHOOKS_WHERE =
  "owner_id = ? AND enabled AND (mailbox IS NULL OR mailbox = ?) AND (group_label IS NULL OR group_label = ?) AND (',' || events || ',') LIKE '%,new_message,%'";

/**
 * true for an outbox row `o` that must wait: an earlier event of the same mailbox for the same
 * endpoint is still pending and has never been tried. Claiming only the head of each mailbox's
 * line keeps first attempts in seq order across nodes and across a crash (a dead node's leased
 * rows hold back the later ones until its lease runs out), not only inside one dispatcher.
 */
export const EARLIER_UNTRIED =
  "SELECT 1 FROM webhook_outbox e WHERE e.webhook_id = o.webhook_id AND e.mailbox_id = o.mailbox_id AND e.state = 'pending' AND e.attempts = 0 AND e.seq < o.seq";
