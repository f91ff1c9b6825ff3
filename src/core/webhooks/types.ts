/**
 * Outbound webhooks' entities and their part of the Store port (#15). An endpoint belongs to a
 * user; the outbox holds one row per event and endpoint (its id is the `webhook-id` header,
 * stable across retries and replays); each try to deliver a row is an attempt.
 * Not here: the rules (endpoints.ts, dispatcher.ts) or the HTTP client (src/webhooks/).
 */

/** the events an endpoint may ask for; only new_message is written to the outbox for now. */
export const WEBHOOK_EVENTS = ['new_message'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

export interface Webhook {
  id: string;
  /** the user who made it (API key owner). */
  ownerId: string;
  url: string;
  /** `whsec_<base64 of 32 bytes>`: the signing key, shown once on creation. */
  secret: string;
  events: WebhookEventType[];
  /** only this mailbox's events (an address), or every mailbox of the owner when null. */
  mailbox: string | null;
  /** only mailboxes of this group, or any when null. */
  group: string | null;
  /** the body carries the whole message instead of its summary. */
  includeMessage: boolean;
  enabled: boolean;
  /** why Inboxd disabled it (a 410 from the receiver, repeated failure), or null. */
  disabledReason: string | null;
  createdAt: number;
  updatedAt: number;
  lastSuccessAt: number | null;
}

export type WebhookChanges = Partial<Pick<Webhook, 'url' | 'events' | 'mailbox' | 'group' | 'includeMessage' | 'enabled' | 'disabledReason'>>;

/** one event for one endpoint, queued (written by insertMessages, replay, or test). */
export interface NewOutboxEvent {
  id: string;
  webhookId: string;
  eventType: string;
  mailboxId: string | null;
  messageId: string | null;
  seq: number | null;
  /** the event exactly as WebSocket and SSE send it (core/events.ts built it). */
  eventJson: string;
  createdAt: number;
}

/** an outbox row this node took to send now, with what sending needs. */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  url: string;
  secret: string;
  includeMessage: boolean;
  /** the endpoint's last success, to tell a dead endpoint from one bad event. */
  lastSuccessAt: number | null;
  eventType: string;
  mailboxId: string | null;
  messageId: string | null;
  seq: number | null;
  eventJson: string;
  createdAt: number;
  /** attempts made before this one. */
  attempts: number;
  leaseUntil: number;
}

export interface WebhookAttempt {
  id: string;
  webhookId: string;
  /** the outbox row: the webhook-id header the receiver saw. */
  eventId: string;
  /** 1 for the first try. */
  attempt: number;
  at: number;
  /** the receiver's HTTP status, or null when no answer came (see error). */
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  /** when the next try is due, or null (delivered, or given up). */
  nextRetryAt: number | null;
}

/** what the dispatcher decided after one attempt; the store writes it in one transaction. */
export interface AttemptOutcome {
  attempt: WebhookAttempt;
  /** delivered, retry at nextRetryAt, or failed for good. */
  state: 'delivered' | 'pending' | 'failed';
  /** set: disable the endpoint with this reason. */
  disable: string | null;
}

/** the webhook part of the Store port (core/store.ts extends it). */
export interface WebhookStore {
  createWebhook(w: Webhook): Promise<Webhook>;
  /** an owner's endpoints, oldest first. */
  listWebhooks(ownerId: string): Promise<Webhook[]>;
  getWebhook(id: string): Promise<Webhook | null>;
  /** the endpoint as changed, or null when there is none. */
  updateWebhook(id: string, changes: WebhookChanges, now: number): Promise<Webhook | null>;
  /** true when it existed; its outbox and attempts go with it. */
  deleteWebhook(id: string): Promise<boolean>;
  /**
   * queues events (test, replay). A row for an endpoint and message that is already queued or
   * was sent is made due again under its old id (the receiver can tell a resend by it).
   */
  enqueueWebhookEvents(events: NewOutboxEvent[], now: number): Promise<void>;
  /** true when some enabled endpoint has a row due at `now` that no node holds. */
  hasDueWebhookDeliveries(now: number): Promise<boolean>;
  /**
   * takes up to `limit` due rows of enabled endpoints (not in `skipWebhooks`), oldest first
   * (seq order within a mailbox), and holds them until `leaseUntil`: another node takes a row
   * only after its lease ran out (PostgreSQL: FOR UPDATE SKIP LOCKED).
   */
  claimWebhookDeliveries(now: number, limit: number, leaseUntil: number, skipWebhooks: string[]): Promise<ClaimedDelivery[]>;
  /** records the attempt, moves the row (delivered / due again / failed), maybe disables the endpoint. */
  finishWebhookAttempt(outcome: AttemptOutcome): Promise<void>;
  /** an endpoint's attempts, newest first. */
  listWebhookAttempts(webhookId: string, limit: number, offset: number): Promise<WebhookAttempt[]>;
  /** drops attempts, and finished outbox rows, older than maxAgeMs. */
  pruneWebhookAttempts(now: number, maxAgeMs: number): Promise<number>;
}
